//! Row types of the catalog: tags, custom field definitions, board groups.

use chrono::NaiveDateTime;
use serde_json::Value;
use sqlx::types::Json;
use uuid::Uuid;

/// A tag with the number of tasks carrying it (`task_count` is ignored on writes).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TagRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub slug: String,
    pub color: String,
    pub description: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub task_count: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CustomFieldRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub field_key: String,
    pub label: String,
    pub field_type: String,
    pub ui_visibility: String,
    pub validation_regex: Option<String>,
    pub description: Option<String>,
    pub required: bool,
    pub default_value: Option<Json<Value>>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A custom field definition and the boards it is bound to.
#[derive(Debug, Clone)]
pub struct CustomFieldView {
    pub definition: CustomFieldRow,
    pub board_ids: Vec<Uuid>,
}

/// One custom field value to write for a task: a value, or `None` to remove the stored one.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomValueWrite {
    pub definition_id: Uuid,
    pub value: Option<Value>,
}

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
