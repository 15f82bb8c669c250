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

/// A webhook with its secret, for ingest and for updates (never rendered; its `Debug` hides
/// the secret, so it cannot reach a log).
#[derive(Clone, sqlx::FromRow)]
pub struct WebhookRecord {
    pub id: Uuid,
    pub board_id: Uuid,
    pub agent_id: Option<Uuid>,
    pub description: String,
    pub enabled: bool,
    pub secret: Option<String>,
    pub signature_header: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl std::fmt::Debug for WebhookRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookRecord")
            .field("id", &self.id)
            .field("board_id", &self.board_id)
            .field("agent_id", &self.agent_id)
            .field("description", &self.description)
            .field("enabled", &self.enabled)
            .field("secret", &self.secret.as_ref().map(|_| "[hidden]"))
            .field("signature_header", &self.signature_header)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

impl WebhookRecord {
    /// The read model: the secret reduced to whether there is one.
    pub fn to_row(&self) -> WebhookRow {
        WebhookRow {
            id: self.id,
            board_id: self.board_id,
            agent_id: self.agent_id,
            description: self.description.clone(),
            enabled: self.enabled,
            has_secret: self.secret.is_some(),
            signature_header: self.signature_header.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// One received payload.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WebhookPayloadRow {
    pub id: Uuid,
    pub board_id: Uuid,
    pub webhook_id: Uuid,
    #[sqlx(json(nullable))]
    pub payload: Option<serde_json::Value>,
    #[sqlx(json(nullable))]
    pub headers: Option<std::collections::BTreeMap<String, String>>,
    pub source_ip: Option<String>,
    pub content_type: Option<String>,
    pub received_at: NaiveDateTime,
}

/// What an ingest wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestOutcome {
    /// The payload, its memory note and its delivery job were written.
    Stored,
    /// The sender's delivery key was seen within the replay window: nothing was written;
    /// this is the payload stored the first time.
    Replayed(Uuid),
}
