//! Custom field definitions and values.

use chrono::NaiveDateTime;
use serde_json::Value;
use uuid::Uuid;

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
    #[sqlx(json(nullable))]
    pub default_value: Option<Value>,
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
