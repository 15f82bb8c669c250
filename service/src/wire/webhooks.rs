//! Board webhooks: their settings, the ingest answer and the received payloads.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::store::{WebhookPayloadRow, WebhookRow};

use super::double_option;

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

#[derive(Debug, Deserialize, ToSchema)]
pub struct BoardWebhookCreate {
    /// The instruction given to the agents with every payload.
    #[schema(min_length = 1, pattern = r"\S")]
    pub description: String,
    #[serde(default = "enabled_default")]
    #[schema(default = true)]
    pub enabled: bool,
    /// The agent told of each payload (it must be on the board); the board lead when unset.
    pub agent_id: Option<Uuid>,
    /// The HMAC-SHA256 key senders sign bodies with; never returned.
    pub secret: Option<String>,
    /// The header carrying the signature, instead of `X-Hub-Signature-256` (a header name;
    /// blank means none).
    #[schema(pattern = r"^\s*[!#$%&'*+.^_`|~0-9A-Za-z-]*\s*$")]
    pub signature_header: Option<String>,
}

const fn enabled_default() -> bool {
    true
}

/// A partial update: absent fields stay, `null` clears a nullable one.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BoardWebhookUpdate {
    #[schema(min_length = 1, pattern = r"\S")]
    pub description: Option<String>,
    pub enabled: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub agent_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub secret: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, pattern = r"^\s*[!#$%&'*+.^_`|~0-9A-Za-z-]*\s*$")]
    pub signature_header: Option<Option<String>>,
}

/// The answer to an accepted delivery (202).
#[derive(Debug, Serialize, ToSchema)]
pub struct BoardWebhookIngestResponse {
    #[schema(default = true)]
    pub ok: bool,
    pub board_id: Uuid,
    pub webhook_id: Uuid,
    pub payload_id: Uuid,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardWebhookPayloadRead {
    pub id: Uuid,
    pub board_id: Uuid,
    pub webhook_id: Uuid,
    /// Parsed JSON, or the raw text when the body was not JSON.
    pub payload: Option<serde_json::Value>,
    pub headers: Option<std::collections::BTreeMap<String, String>>,
    pub source_ip: Option<String>,
    pub content_type: Option<String>,
    #[serde(serialize_with = "super::time::utc")]
    pub received_at: NaiveDateTime,
}

impl From<WebhookPayloadRow> for BoardWebhookPayloadRead {
    fn from(p: WebhookPayloadRow) -> Self {
        Self {
            id: p.id,
            board_id: p.board_id,
            webhook_id: p.webhook_id,
            payload: p.payload,
            headers: p.headers,
            source_ip: p.source_ip,
            content_type: p.content_type,
            received_at: p.received_at,
        }
    }
}
