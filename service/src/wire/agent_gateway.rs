//! What agents ask of the gateway through this API: nudges, souls, questions for the human,
//! and messages between the gateway main agent and board leads.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
pub struct AgentNudge {
    #[schema(min_length = 1)]
    pub message: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SoulUpdateRequest {
    pub content: String,
    #[serde(default)]
    pub source_url: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GatewayMainAskUserRequest {
    #[schema(min_length = 1)]
    pub content: String,
    #[serde(default)]
    pub correlation_id: Option<String>,
    #[serde(default)]
    pub preferred_channel: Option<String>,
    #[serde(default)]
    pub reply_tags: Vec<String>,
    #[serde(default)]
    pub reply_source: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GatewayMainAskUserResponse {
    pub ok: bool,
    pub board_id: Uuid,
    pub main_agent_id: Option<Uuid>,
    pub main_agent_name: Option<String>,
}

/// What a message from the gateway main agent to a lead is.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LeadMessageKind {
    #[default]
    Question,
    Handoff,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GatewayLeadMessageRequest {
    #[serde(default)]
    pub kind: LeadMessageKind,
    #[schema(min_length = 1)]
    pub content: String,
    #[serde(default)]
    pub correlation_id: Option<String>,
    #[serde(default)]
    pub reply_tags: Vec<String>,
    #[serde(default)]
    pub reply_source: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GatewayLeadMessageResponse {
    pub ok: bool,
    pub board_id: Uuid,
    pub lead_agent_id: Option<Uuid>,
    pub lead_agent_name: Option<String>,
    pub lead_created: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GatewayLeadBroadcastRequest {
    #[serde(default)]
    pub kind: LeadMessageKind,
    #[schema(min_length = 1)]
    pub content: String,
    #[serde(default)]
    pub board_ids: Option<Vec<Uuid>>,
    #[serde(default)]
    pub correlation_id: Option<String>,
    #[serde(default)]
    pub reply_tags: Vec<String>,
    #[serde(default)]
    pub reply_source: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GatewayLeadBroadcastBoardResult {
    pub board_id: Uuid,
    pub lead_agent_id: Option<Uuid>,
    pub lead_agent_name: Option<String>,
    pub ok: bool,
    pub error: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GatewayLeadBroadcastResponse {
    pub ok: bool,
    pub sent: i64,
    pub failed: i64,
    pub results: Vec<GatewayLeadBroadcastBoardResult>,
}
