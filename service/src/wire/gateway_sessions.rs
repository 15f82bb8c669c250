//! What the gateway itself holds, as the API shows it: sessions, their history, the command
//! list, and the result of a template sync.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct GatewaySessionsResponse {
    #[schema(value_type = Vec<Object>)]
    pub sessions: Vec<Value>,
    #[schema(value_type = Option<Object>)]
    pub main_session: Option<Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GatewaySessionResponse {
    #[schema(value_type = Object)]
    pub session: Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GatewaySessionHistoryResponse {
    #[schema(value_type = Vec<Object>)]
    pub history: Vec<Value>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GatewaySessionMessageRequest {
    #[schema(min_length = 1)]
    pub content: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GatewayCommandsResponse {
    pub protocol_version: i64,
    pub methods: Vec<String>,
    pub events: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GatewayTemplatesSyncError {
    pub agent_id: Option<Uuid>,
    pub agent_name: Option<String>,
    pub board_id: Option<Uuid>,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GatewayTemplatesSyncResult {
    pub gateway_id: Uuid,
    pub include_main: bool,
    pub reset_sessions: bool,
    pub agents_updated: i64,
    pub agents_skipped: i64,
    pub main_updated: bool,
    pub errors: Vec<GatewayTemplatesSyncError>,
}
