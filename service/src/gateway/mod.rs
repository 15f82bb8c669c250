//! Talking to OpenClaw gateways: the WebSocket client ([`connection`], [`client`]), this
//! service's device identity ([`device`]), the frames and their errors ([`frames`]), and
//! the workspace files an agent is given ([`workspace`]). What to do with a gateway — the
//! agent lifecycle, notifications, onboarding — is decided in `actions/`; this module only
//! speaks the protocol.

pub mod client;
pub mod connection;
pub mod device;
pub mod frames;
mod tls;
pub mod workspace;

pub use client::{GatewayClient, GatewayFacts, GatewaySettings};
pub use connection::{Connection, GatewayTarget};
pub use device::DeviceIdentity;
pub use frames::GatewayError;

/// The key a board agent has on its gateway (its id there and in its session key).
pub fn agent_key(agent_id: uuid::Uuid) -> String {
    format!("mc-{agent_id}")
}

/// The key of a gateway's main agent.
pub fn main_agent_key(gateway_id: uuid::Uuid) -> String {
    format!("mc-gateway-{gateway_id}")
}

/// An agent's main session on its gateway.
pub fn session_key(key: &str) -> String {
    format!("agent:{key}:main")
}
