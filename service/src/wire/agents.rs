//! Agents, their tokens, and the agent's own health answer.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::{computed_agent_status, now};
use crate::store::AgentRow;

#[derive(Debug, Serialize, ToSchema)]
pub struct AgentRead {
    pub id: Uuid,
    pub board_id: Option<Uuid>,
    /// `null` for an agent whose board has no gateway (agents no gateway manages).
    pub gateway_id: Option<Uuid>,
    pub name: String,
    pub status: String,
    pub openclaw_session_id: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub heartbeat_config: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub identity_profile: Option<Value>,
    pub identity_template: Option<String>,
    pub soul_template: Option<String>,
    #[serde(serialize_with = "super::time::utc_opt")]
    pub last_seen_at: Option<NaiveDateTime>,
    pub is_board_lead: bool,
    pub is_gateway_main: bool,
    #[serde(serialize_with = "super::time::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::time::utc")]
    pub updated_at: NaiveDateTime,
}

impl From<AgentRow> for AgentRead {
    fn from(a: AgentRow) -> Self {
        Self {
            status: computed_agent_status(&a.status, a.last_seen_at, now()),
            is_gateway_main: a.board_id.is_none() && a.gateway_id.is_some(),
            id: a.id,
            board_id: a.board_id,
            gateway_id: a.gateway_id,
            name: a.name,
            openclaw_session_id: a.openclaw_session_id,
            heartbeat_config: a.heartbeat_config,
            identity_profile: a.identity_profile,
            identity_template: a.identity_template,
            soul_template: a.soul_template,
            last_seen_at: a.last_seen_at,
            is_board_lead: a.is_board_lead,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AgentCreate {
    #[schema(min_length = 1, pattern = r"\S")]
    pub name: String,
    /// Required for users: every agent belongs to a board. A board lead may leave it out (its own board).
    #[schema(value_type = Uuid, required = true)]
    pub board_id: Option<Uuid>,
    /// Accepted for compatibility; a new agent is always `provisioning`.
    pub status: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub heartbeat_config: Option<serde_json::Map<String, Value>>,
    #[schema(value_type = Option<Object>)]
    pub identity_profile: Option<serde_json::Map<String, Value>>,
    pub identity_template: Option<String>,
    pub soul_template: Option<String>,
    /// An addition to the reference contract: make the new agent its board's lead (at most
    /// one per board, 409 otherwise).
    pub is_board_lead: Option<bool>,
}

/// An admin's edit of an agent; absent or `null` fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AgentUpdate {
    #[schema(min_length = 1)]
    pub name: Option<String>,
    pub board_id: Option<Uuid>,
    /// Refused (403) when not `null`: presence decides an agent's status.
    pub status: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub heartbeat_config: Option<serde_json::Map<String, Value>>,
    #[schema(value_type = Option<Object>)]
    pub identity_profile: Option<serde_json::Map<String, Value>>,
    pub identity_template: Option<String>,
    pub soul_template: Option<String>,
    /// Only `false` is accepted until gateways arrive (422 for `true`).
    pub is_gateway_main: Option<bool>,
    /// An addition to the reference contract: make the agent its board's lead, or not (at most
    /// one per board, 409 otherwise).
    pub is_board_lead: Option<bool>,
}

/// A heartbeat for one agent. `status` is accepted for compatibility; presence decides it.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AgentHeartbeat {
    pub status: Option<String>,
}

/// A heartbeat by name, creating the agent on `board_id` when it does not exist (users).
#[derive(Debug, Deserialize, ToSchema)]
pub struct AgentHeartbeatCreate {
    #[schema(min_length = 1, pattern = r"\S")]
    pub name: String,
    pub board_id: Option<Uuid>,
    /// Accepted for compatibility; presence decides it.
    pub status: Option<String>,
}

/// The agent token, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgentTokenRead {
    pub agent_id: Uuid,
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgentHealthStatusResponse {
    pub ok: bool,
    pub agent_id: Uuid,
    pub board_id: Option<Uuid>,
    pub gateway_id: Option<Uuid>,
    pub status: String,
    pub is_board_lead: bool,
}

// ------------------------------------------------------------------ tasks
