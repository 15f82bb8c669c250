//! Board group memory.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::store::GroupMemoryRow;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BoardGroupMemoryRead {
    pub id: Uuid,
    pub board_group_id: Uuid,
    pub content: String,
    pub tags: Option<Vec<String>>,
    pub is_chat: bool,
    pub source: Option<String>,
    #[serde(serialize_with = "super::time::utc")]
    pub created_at: NaiveDateTime,
}

impl From<GroupMemoryRow> for BoardGroupMemoryRead {
    fn from(m: GroupMemoryRow) -> Self {
        Self {
            id: m.id,
            board_group_id: m.board_group_id,
            content: m.content,
            tags: m.tags,
            is_chat: m.is_chat,
            source: m.source,
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BoardGroupMemoryCreate {
    #[schema(min_length = 1, pattern = r"\S")]
    pub content: String,
    pub tags: Option<Vec<String>>,
    pub source: Option<String>,
}
