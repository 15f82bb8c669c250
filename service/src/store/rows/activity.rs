//! Activity rows and the comment feed.

use chrono::NaiveDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ActivityRow {
    pub id: Uuid,
    pub event_type: String,
    pub message: Option<String>,
    pub agent_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub board_id: Option<Uuid>,
    pub created_at: NaiveDateTime,
}

/// A task comment with the names a feed shows next to it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CommentFeedRow {
    pub id: Uuid,
    pub created_at: NaiveDateTime,
    pub message: Option<String>,
    pub agent_id: Option<Uuid>,
    pub agent_name: Option<String>,
    pub agent_is_lead: Option<bool>,
    pub task_id: Uuid,
    pub task_title: String,
    pub board_id: Uuid,
    pub board_name: String,
}
