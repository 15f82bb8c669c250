//! Gateways end to end against the protocol-faithful double (`system_tests::gateway_double`):
//! the compatibility check and the main agent, the agent lifecycle and its workspace files,
//! notifications, the agent side, onboarding, sessions, and what a misbehaving gateway does
//! to each (a clear 4xx/502/504, never a hang). Real releases: `real_gateway`.

mod agent_side;
mod faults;
mod lifecycle;
mod notifications;
mod onboarding;
mod sessions;

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::gateway_double::GatewayDouble;
use system_tests::{Backend, Deployment, Launch, id};

/// A service with a gateway on a double and a board on that gateway.
pub struct Fleet {
    pub svc: Deployment,
    pub double: GatewayDouble,
    pub gateway: Value,
    pub board: String,
}

/// Short deadlines so misbehaving gateways are found out quickly.
pub fn launch() -> Launch {
    Launch::new()
        .env("GATEWAY_CALL_TIMEOUT_SECONDS", "3")
        .env("GATEWAY_CONNECT_TIMEOUT_SECONDS", "2")
        .env("GATEWAY_RETRY_SECONDS", "5")
        .env("JOBS_POLL_SECONDS", "0.2")
}

impl Fleet {
    pub async fn start(backend: Backend, double: GatewayDouble) -> Self {
        Self::start_with(backend, double, launch()).await
    }

    pub async fn start_with(backend: Backend, double: GatewayDouble, launch: Launch) -> Self {
        let svc = backend.start_with(launch).await;
        let gateway = svc
            .ok(Method::POST, "/api/v1/gateways", Some(double.create_body("Edge")))
            .await;
        let board = svc
            .ok(
                Method::POST,
                "/api/v1/boards",
                Some(json!({"name": "Launch", "slug": "launch", "description": "Ship it", "gateway_id": gateway["id"], "max_agents": 5})),
            )
            .await;
        Self {
            svc,
            double,
            board: id(&board),
            gateway,
        }
    }

    pub fn gateway_id(&self) -> String {
        id(&self.gateway)
    }

    /// The main agent's key on the gateway.
    pub fn main_key(&self) -> String {
        format!("mc-gateway-{}", self.gateway_id())
    }

    /// Creates an agent on the board (provisioned on the double) and returns it with the
    /// token it was given in its workspace files.
    pub async fn agent(&self, name: &str, lead: bool) -> (Value, String) {
        let agent = self
            .svc
            .ok(
                Method::POST,
                "/api/v1/agents",
                Some(json!({"name": name, "board_id": self.board, "is_board_lead": lead})),
            )
            .await;
        let token = self.token_of(&format!("mc-{}", id(&agent)));
        (agent, token)
    }

    /// The token written into an agent's AGENTS.md on the double.
    pub fn token_of(&self, key: &str) -> String {
        let text = self
            .double
            .file(key, "AGENTS.md")
            .unwrap_or_else(|| panic!("{key} has no AGENTS.md on the gateway"));
        token_in(&text).unwrap_or_else(|| panic!("no token in AGENTS.md of {key}:\n{text}"))
    }
}

/// The agent token a workspace file carries (after `X-Agent-Token: `).
pub fn token_in(text: &str) -> Option<String> {
    let at = text.find("X-Agent-Token: ")? + "X-Agent-Token: ".len();
    let token: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (token.len() >= 40).then_some(token)
}

/// The texts of a session's user messages on the double.
pub fn said(double: &GatewayDouble, session: &str) -> Vec<String> {
    double
        .history(session)
        .iter()
        .filter(|m| m["role"] == "user")
        .filter_map(|m| m.pointer("/content/0/text").and_then(Value::as_str).map(str::to_owned))
        .collect()
}
