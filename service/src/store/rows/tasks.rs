//! Tasks: the stored row, its read model, and the inputs and outcome of writes.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TaskRow {
    pub id: Uuid,
    pub board_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub status: String,
    pub priority: String,
    pub due_at: Option<NaiveDateTime>,
    pub in_progress_at: Option<NaiveDateTime>,
    pub previous_in_progress_at: Option<NaiveDateTime>,
    pub created_by_user_id: Option<Uuid>,
    pub assigned_agent_id: Option<Uuid>,
    pub auto_created: bool,
    pub auto_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TagRef {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub color: String,
}

/// A task with what its read model joins: dependencies (in creation order) with the ones
/// not done yet, tags, and custom field values with board defaults merged in.
#[derive(Debug, Clone)]
pub struct TaskRecord {
    pub task: TaskRow,
    pub depends_on_task_ids: Vec<Uuid>,
    pub blocked_by_task_ids: Vec<Uuid>,
    pub tags: Vec<TagRef>,
    pub custom_field_values: BTreeMap<String, Value>,
}

pub use crate::domain::filters::TaskFilter;

#[derive(Debug, Clone)]
pub struct NewTask {
    pub id: Uuid,
    pub board_id: Uuid,
    pub organization_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub status: crate::domain::tasks::TaskStatus,
    pub priority: String,
    pub due_at: Option<NaiveDateTime>,
    pub created_by_user_id: Option<Uuid>,
    pub assigned_agent_id: Option<Uuid>,
    pub depends_on_task_ids: Vec<Uuid>,
    pub tag_ids: Vec<Uuid>,
    /// Checked values (board defaults included) to store with the task.
    pub custom_field_values: Vec<super::CustomValueWrite>,
    pub actor_agent_id: Option<Uuid>,
    /// `lead_agent:<id>` for a task a board lead created (stored with `auto_created`).
    pub auto_reason: Option<String>,
    pub now: NaiveDateTime,
}

/// The non-workflow fields of an update plus who acts; workflow fields go through the plan.
#[derive(Debug, Clone, Default)]
pub struct TaskUpdate {
    pub board_id: Uuid,
    pub organization_id: Uuid,
    pub task_id: Uuid,
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub priority: Option<String>,
    pub due_at: Option<Option<NaiveDateTime>>,
    pub tag_ids: Option<Vec<Uuid>>,
    /// Checked values to upsert (or remove, when `None`); keys not sent are left alone.
    pub custom_field_values: Vec<super::CustomValueWrite>,
    pub comment: Option<String>,
    pub actor_agent_id: Option<Uuid>,
    /// The agent the request assigns, if any: the facts then say whether it exists in the
    /// organization without loading every agent of the organization.
    pub assignee: Option<Uuid>,
    pub now: NaiveDateTime,
}

/// The outcome of a task write: the task as read now, the activity rows the write recorded
/// (in order), and other tasks the write changed (dependents of a task entering or leaving
/// `done`).
#[derive(Debug, Clone)]
pub struct TaskChange {
    pub view: TaskRecord,
    pub activity: Vec<super::ActivityRow>,
    pub touched: Vec<TaskRecord>,
}

/// A stale claim sent back to the inbox, with the rows its release wrote.
#[derive(Debug, Clone)]
pub struct ReleasedClaim {
    pub organization_id: Uuid,
    pub board_id: Uuid,
    pub change: TaskChange,
}
