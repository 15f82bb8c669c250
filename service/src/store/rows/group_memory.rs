//! Board group memory.

use chrono::NaiveDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GroupMemoryRow {
    pub id: Uuid,
    pub board_group_id: Uuid,
    pub content: String,
    #[sqlx(json(nullable))]
    pub tags: Option<Vec<String>>,
    pub is_chat: bool,
    pub source: Option<String>,
    pub created_at: NaiveDateTime,
}
