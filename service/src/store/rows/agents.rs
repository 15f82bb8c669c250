//! Agents.

use chrono::NaiveDateTime;
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgentRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub board_id: Option<Uuid>,
    pub gateway_id: Option<Uuid>,
    pub name: String,
    pub status: String,
    pub openclaw_session_id: Option<String>,
    #[sqlx(json(nullable))]
    pub heartbeat_config: Option<Value>,
    #[sqlx(json(nullable))]
    pub identity_profile: Option<Value>,
    pub identity_template: Option<String>,
    pub soul_template: Option<String>,
    pub last_seen_at: Option<NaiveDateTime>,
    pub is_board_lead: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Default)]
pub struct AgentFilter {
    pub organization_id: Uuid,
    pub board_id: Option<Uuid>,
    pub gateway_id: Option<Uuid>,
}
