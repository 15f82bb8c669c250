//! Gateways.

use chrono::NaiveDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GatewayRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub url: String,
    pub token: Option<String>,
    pub workspace_root: String,
    pub disable_device_pairing: bool,
    pub allow_insecure_tls: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
