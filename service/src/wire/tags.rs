//! The organization's tags.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::double_option;
use crate::store::TagRow;

#[derive(Debug, Serialize, ToSchema)]
pub struct TagRead {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub slug: String,
    #[schema(default = "9e9e9e")]
    pub color: String,
    pub description: Option<String>,
    /// How many tasks carry the tag.
    pub task_count: i64,
    #[serde(serialize_with = "super::time::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::time::utc")]
    pub updated_at: NaiveDateTime,
}

impl From<TagRow> for TagRead {
    fn from(t: TagRow) -> Self {
        Self {
            id: t.id,
            organization_id: t.organization_id,
            name: t.name,
            slug: t.slug,
            color: t.color,
            description: t.description,
            task_count: t.task_count,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// A new tag: the slug is derived from the name when absent; the color is 6 hex digits.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TagCreate {
    #[schema(min_length = 1, pattern = r"\S")]
    pub name: String,
    pub slug: Option<String>,
    #[schema(default = "9e9e9e", pattern = r"^\s*#*[0-9a-fA-F]{6}\s*$")]
    pub color: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TagUpdate {
    #[schema(min_length = 1, pattern = r"\S")]
    pub name: Option<String>,
    pub slug: Option<String>,
    #[schema(pattern = r"^\s*#*[0-9a-fA-F]{6}\s*$")]
    pub color: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
}
