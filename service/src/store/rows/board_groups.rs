//! Board groups and the task side of their snapshots.

use chrono::NaiveDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BoardGroupRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub slug: String,
    pub description: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A task as a group snapshot lists it, with its board's name and assignee's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GroupTaskRow {
    pub id: Uuid,
    pub board_id: Uuid,
    pub board_name: String,
    pub title: String,
    pub status: String,
    pub priority: String,
    pub due_at: Option<NaiveDateTime>,
    pub in_progress_at: Option<NaiveDateTime>,
    pub assigned_agent_id: Option<Uuid>,
    pub assignee: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What a group snapshot needs from the boards' tasks.
#[derive(Debug, Clone, Default)]
pub struct GroupTasks {
    /// `(board_id, status, count)` over every task of the boards.
    pub counts: Vec<(Uuid, String, i64)>,
    /// Up to the per-board limit of each board's tasks, in snapshot order, with their tags.
    pub tasks: Vec<(GroupTaskRow, Vec<super::TagRef>)>,
}
