//! Tags.

use chrono::NaiveDateTime;
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
