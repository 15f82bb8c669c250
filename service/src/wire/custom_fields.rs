//! The organization's task custom field definitions.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::double_option;
use crate::domain::custom_fields::{FieldType, Visibility};
use crate::store::CustomFieldView;

/// The type of a custom field's values.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CustomFieldType {
    Text,
    TextLong,
    Integer,
    Decimal,
    Boolean,
    Date,
    DateTime,
    Url,
    Json,
}

impl From<CustomFieldType> for FieldType {
    fn from(t: CustomFieldType) -> Self {
        match t {
            CustomFieldType::Text => Self::Text,
            CustomFieldType::TextLong => Self::TextLong,
            CustomFieldType::Integer => Self::Integer,
            CustomFieldType::Decimal => Self::Decimal,
            CustomFieldType::Boolean => Self::Boolean,
            CustomFieldType::Date => Self::Date,
            CustomFieldType::DateTime => Self::DateTime,
            CustomFieldType::Url => Self::Url,
            CustomFieldType::Json => Self::Json,
        }
    }
}

/// Where the UI shows a custom field.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CustomFieldVisibility {
    Always,
    IfSet,
    Hidden,
}

impl From<CustomFieldVisibility> for Visibility {
    fn from(v: CustomFieldVisibility) -> Self {
        match v {
            CustomFieldVisibility::Always => Self::Always,
            CustomFieldVisibility::IfSet => Self::IfSet,
            CustomFieldVisibility::Hidden => Self::Hidden,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskCustomFieldDefinitionRead {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub field_key: String,
    pub label: String,
    #[schema(value_type = CustomFieldType)]
    pub field_type: String,
    #[schema(value_type = CustomFieldVisibility)]
    pub ui_visibility: String,
    pub validation_regex: Option<String>,
    pub description: Option<String>,
    pub required: bool,
    #[schema(value_type = Option<Value>)]
    pub default_value: Option<Value>,
    pub board_ids: Vec<Uuid>,
    #[serde(serialize_with = "super::time::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::time::utc")]
    pub updated_at: NaiveDateTime,
}

impl From<CustomFieldView> for TaskCustomFieldDefinitionRead {
    fn from(v: CustomFieldView) -> Self {
        let d = v.definition;
        Self {
            id: d.id,
            organization_id: d.organization_id,
            field_key: d.field_key,
            label: d.label,
            field_type: d.field_type,
            ui_visibility: d.ui_visibility,
            validation_regex: d.validation_regex,
            description: d.description,
            required: d.required,
            default_value: d.default_value,
            board_ids: v.board_ids,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

/// A new definition, bound to at least one board of the organization. `label` defaults to
/// the key; `validation_regex` only for string types.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TaskCustomFieldDefinitionCreate {
    #[schema(min_length = 1, pattern = r"\S")]
    pub field_key: String,
    #[schema(min_length = 1, pattern = r"\S")]
    pub label: Option<String>,
    #[serde(default = "default_type")]
    #[schema(default = "text")]
    pub field_type: CustomFieldType,
    #[serde(default = "default_visibility")]
    #[schema(default = "always")]
    pub ui_visibility: CustomFieldVisibility,
    pub validation_regex: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[schema(value_type = Option<Value>)]
    pub default_value: Option<Value>,
    #[schema(min_items = 1)]
    pub board_ids: Vec<Uuid>,
}

fn default_type() -> CustomFieldType {
    CustomFieldType::Text
}

fn default_visibility() -> CustomFieldVisibility {
    CustomFieldVisibility::Always
}

/// Changes to a definition; `field_key` cannot change, `board_ids` replaces the bindings.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TaskCustomFieldDefinitionUpdate {
    /// Refused unless equal to the current key: keys are immutable.
    #[schema(ignore)]
    pub field_key: Option<String>,
    #[schema(min_length = 1, pattern = r"\S")]
    pub label: Option<String>,
    pub field_type: Option<CustomFieldType>,
    pub ui_visibility: Option<CustomFieldVisibility>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub validation_regex: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub required: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Value>)]
    pub default_value: Option<Option<Value>>,
    pub board_ids: Option<Vec<Uuid>>,
}
