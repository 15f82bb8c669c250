//! Gateways and their runtime status.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::double_option;
use crate::store::GatewayRow;

#[derive(Debug, Serialize, ToSchema)]
pub struct GatewayRead {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub url: String,
    pub token: Option<String>,
    pub workspace_root: String,
    pub disable_device_pairing: bool,
    pub allow_insecure_tls: bool,
    #[serde(serialize_with = "super::time::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::time::utc")]
    pub updated_at: NaiveDateTime,
}

impl From<GatewayRow> for GatewayRead {
    fn from(g: GatewayRow) -> Self {
        Self {
            id: g.id,
            organization_id: g.organization_id,
            name: g.name,
            url: g.url,
            token: g.token,
            workspace_root: g.workspace_root,
            disable_device_pairing: g.disable_device_pairing,
            allow_insecure_tls: g.allow_insecure_tls,
            created_at: g.created_at,
            updated_at: g.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GatewayCreate {
    #[schema(pattern = r"\S")]
    pub name: String,
    #[schema(
        pattern = r"^\s*([hH][tT][tT][pP][sS]?|[wW][sS][sS]?)://([A-Za-z][A-Za-z0-9-]*(\.[A-Za-z][A-Za-z0-9-]*)*|((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]))(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4}))?([/?#]\S*)?\s*$"
    )]
    pub url: String,
    #[schema(pattern = r"\S")]
    pub workspace_root: String,
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub disable_device_pairing: bool,
    #[serde(default)]
    pub allow_insecure_tls: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GatewayUpdate {
    #[schema(pattern = r"\S")]
    pub name: Option<String>,
    #[schema(
        pattern = r"^\s*([hH][tT][tT][pP][sS]?|[wW][sS][sS]?)://([A-Za-z][A-Za-z0-9-]*(\.[A-Za-z][A-Za-z0-9-]*)*|((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]))(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4}))?([/?#]\S*)?\s*$"
    )]
    pub url: Option<String>,
    #[schema(pattern = r"\S")]
    pub workspace_root: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub token: Option<Option<String>>,
    pub disable_device_pairing: Option<bool>,
    pub allow_insecure_tls: Option<bool>,
}

// ------------------------------------------------------------------ boards

#[derive(Debug, Serialize, ToSchema)]
pub struct GatewaysStatusResponse {
    pub connected: bool,
    pub gateway_url: String,
    pub sessions_count: Option<i64>,
    #[schema(value_type = Option<Vec<Object>>)]
    pub sessions: Option<Vec<Value>>,
    #[schema(value_type = Option<Object>)]
    pub main_session: Option<Value>,
    pub main_session_error: Option<String>,
    pub error: Option<String>,
}
