//! Board webhooks.

use chrono::NaiveDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WebhookRow {
    pub id: Uuid,
    pub board_id: Uuid,
    pub agent_id: Option<Uuid>,
    pub description: String,
    pub enabled: bool,
    pub has_secret: bool,
    pub signature_header: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
