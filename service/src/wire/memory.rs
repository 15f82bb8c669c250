//! Board memory and chat.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::store::MemoryRow;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BoardMemoryRead {
    pub id: Uuid,
    pub board_id: Uuid,
    pub content: String,
    pub tags: Option<Vec<String>>,
    pub is_chat: bool,
    pub source: Option<String>,
    #[serde(serialize_with = "super::time::utc")]
    pub created_at: NaiveDateTime,
}

impl From<MemoryRow> for BoardMemoryRead {
    fn from(m: MemoryRow) -> Self {
        Self {
            id: m.id,
            board_id: m.board_id,
            content: m.content,
            tags: m.tags,
            is_chat: m.is_chat,
            source: m.source,
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BoardMemoryCreate {
    #[schema(min_length = 1, pattern = r"\S")]
    pub content: String,
    pub tags: Option<Vec<String>>,
    pub source: Option<String>,
}
