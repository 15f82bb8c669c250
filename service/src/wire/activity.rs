//! The activity feed and the task-comment feed.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::store::{ActivityRow, CommentFeedRow};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActivityEventRead {
    pub id: Uuid,
    pub event_type: String,
    pub message: Option<String>,
    pub agent_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub board_id: Option<Uuid>,
    pub route_name: Option<String>,
    pub route_params: Option<BTreeMap<String, String>>,
    #[serde(serialize_with = "super::time::utc")]
    pub created_at: NaiveDateTime,
}

impl From<ActivityRow> for ActivityEventRead {
    fn from(a: ActivityRow) -> Self {
        // Points a client at the page the event is about.
        let (route_name, route_params) = match (a.board_id, a.task_id) {
            (Some(board), Some(task)) => (
                Some("board".to_owned()),
                Some(BTreeMap::from([
                    ("boardId".to_owned(), board.to_string()),
                    ("taskId".to_owned(), task.to_string()),
                ])),
            ),
            (Some(board), None) => (
                Some("board".to_owned()),
                Some(BTreeMap::from([("boardId".to_owned(), board.to_string())])),
            ),
            _ => (None, None),
        };
        Self {
            id: a.id,
            event_type: a.event_type,
            message: a.message,
            agent_id: a.agent_id,
            task_id: a.task_id,
            board_id: a.board_id,
            route_name,
            route_params,
            created_at: a.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActivityTaskCommentFeedItemRead {
    pub id: Uuid,
    #[serde(serialize_with = "super::time::utc")]
    pub created_at: NaiveDateTime,
    pub message: Option<String>,
    pub agent_id: Option<Uuid>,
    pub agent_name: Option<String>,
    pub agent_role: Option<String>,
    pub task_id: Uuid,
    pub task_title: String,
    pub board_id: Uuid,
    pub board_name: String,
}

impl From<CommentFeedRow> for ActivityTaskCommentFeedItemRead {
    fn from(c: CommentFeedRow) -> Self {
        Self {
            id: c.id,
            created_at: c.created_at,
            message: c.message,
            agent_role: c
                .agent_is_lead
                .map(|lead| if lead { "Board Lead" } else { "Agent" }.to_owned()),
            agent_id: c.agent_id,
            agent_name: c.agent_name,
            task_id: c.task_id,
            task_title: c.task_title,
            board_id: c.board_id,
            board_name: c.board_name,
        }
    }
}
