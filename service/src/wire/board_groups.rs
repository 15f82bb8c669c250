//! Board groups, their snapshots and heartbeat settings.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::boards::BoardRead;
use super::double_option;
use super::tasks::TagRefRead;
use crate::store::{BoardGroupRow, GroupTaskRow, TagRef};

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardGroupRead {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub slug: String,
    pub description: Option<String>,
    #[serde(serialize_with = "super::time::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::time::utc")]
    pub updated_at: NaiveDateTime,
}

impl From<BoardGroupRow> for BoardGroupRead {
    fn from(g: BoardGroupRow) -> Self {
        Self {
            id: g.id,
            organization_id: g.organization_id,
            name: g.name,
            slug: g.slug,
            description: g.description,
            created_at: g.created_at,
            updated_at: g.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BoardGroupCreate {
    #[schema(pattern = r"\S")]
    pub name: String,
    #[schema(pattern = r"\S")]
    pub slug: String,
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BoardGroupUpdate {
    #[schema(pattern = r"\S")]
    pub name: Option<String>,
    #[schema(pattern = r"\S")]
    pub slug: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
}

/// A heartbeat interval (such as `10m`) for the agents of the group's boards.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BoardGroupHeartbeatApply {
    #[schema(pattern = r"\S")]
    pub every: String,
    #[serde(default)]
    pub include_board_leads: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardGroupHeartbeatApplyResult {
    pub board_group_id: Uuid,
    #[schema(value_type = Object)]
    pub requested: Value,
    pub updated_agent_ids: Vec<Uuid>,
    /// Always empty: no gateway is contacted.
    pub failed_agent_ids: Vec<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardGroupTaskSummary {
    pub id: Uuid,
    pub board_id: Uuid,
    pub board_name: String,
    pub title: String,
    pub status: String,
    pub priority: String,
    pub assigned_agent_id: Option<Uuid>,
    /// The assigned agent's name.
    pub assignee: Option<String>,
    #[serde(serialize_with = "super::time::utc_opt")]
    pub due_at: Option<NaiveDateTime>,
    #[serde(serialize_with = "super::time::utc_opt")]
    pub in_progress_at: Option<NaiveDateTime>,
    pub tags: Vec<TagRefRead>,
    #[serde(serialize_with = "super::time::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::time::utc")]
    pub updated_at: NaiveDateTime,
}

impl From<(GroupTaskRow, Vec<TagRef>)> for BoardGroupTaskSummary {
    fn from((t, tags): (GroupTaskRow, Vec<TagRef>)) -> Self {
        Self {
            id: t.id,
            board_id: t.board_id,
            board_name: t.board_name,
            title: t.title,
            status: t.status,
            priority: t.priority,
            assigned_agent_id: t.assigned_agent_id,
            assignee: t.assignee,
            due_at: t.due_at,
            in_progress_at: t.in_progress_at,
            tags: tags.into_iter().map(TagRefRead::from).collect(),
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardGroupBoardSnapshot {
    pub board: BoardRead,
    /// Number of the board's tasks per status.
    pub task_counts: BTreeMap<String, i64>,
    pub tasks: Vec<BoardGroupTaskSummary>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardGroupSnapshot {
    pub group: Option<BoardGroupRead>,
    pub boards: Vec<BoardGroupBoardSnapshot>,
}
