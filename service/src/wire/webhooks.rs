//! Board webhooks (listing).

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::store::WebhookRow;

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardWebhookRead {
    pub id: Uuid,
    pub board_id: Uuid,
    pub agent_id: Option<Uuid>,
    pub description: String,
    pub enabled: bool,
    pub has_secret: bool,
    pub signature_header: Option<String>,
    pub endpoint_path: String,
    pub endpoint_url: Option<String>,
    #[serde(serialize_with = "super::time::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::time::utc")]
    pub updated_at: NaiveDateTime,
}

impl BoardWebhookRead {
    pub fn new(w: WebhookRow, base_url: Option<&url::Url>) -> Self {
        let endpoint_path = format!("/api/v1/boards/{}/webhooks/{}", w.board_id, w.id);
        Self {
            endpoint_url: base_url.map(|b| format!("{}{endpoint_path}", b.as_str().trim_end_matches('/'))),
            endpoint_path,
            id: w.id,
            board_id: w.board_id,
            agent_id: w.agent_id,
            description: w.description,
            enabled: w.enabled,
            has_secret: w.has_secret,
            signature_header: w.signature_header,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}
