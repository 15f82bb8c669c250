//! The gateway seam: the one place the agent use cases tell a gateway about an agent's
//! lifecycle. Actions call [`GatewaySeam::provision_agent`] after creating an agent,
//! [`GatewaySeam::reprovision_agent`] after an update (always with `force`, and whenever
//! the agent has a gateway), and [`GatewaySeam::remove_agent`] before deleting one.
//!
//! For now every call does nothing: an agent on a board without a gateway has nothing to
//! provision, and boards with a gateway are not contacted either until the gateway issue
//! fills this module in (token minting, workspace files, the wake-up message, removal). Its
//! answers are already `Result`s so that a gateway failure can refuse the action then.

use crate::store::AgentRow;

/// Why a gateway refused or could not be reached (no call fails yet).
#[derive(Debug, thiserror::Error)]
#[error("gateway error: {0}")]
pub struct GatewayError(pub String);

/// What an action needs to know about a gateway step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The agent has no gateway; nothing to do.
    NoGateway,
    /// The agent has a gateway, but gateways are not contacted yet.
    Deferred,
}

/// The agent lifecycle as a gateway sees it.
#[derive(Debug, Clone, Copy, Default)]
pub struct GatewaySeam;

impl GatewaySeam {
    fn outcome(agent: &AgentRow) -> Outcome {
        if agent.gateway_id.is_some() {
            Outcome::Deferred
        } else {
            Outcome::NoGateway
        }
    }

    /// A new agent: to be provisioned on its board's gateway.
    pub async fn provision_agent(&self, agent: &AgentRow) -> Result<Outcome, GatewayError> {
        Ok(Self::outcome(agent))
    }

    /// An updated agent (`force`: reprovision even when nothing the gateway holds changed).
    pub async fn reprovision_agent(&self, agent: &AgentRow, force: bool) -> Result<Outcome, GatewayError> {
        let _ = force;
        Ok(Self::outcome(agent))
    }

    /// An agent about to be deleted: to be removed from its gateway first.
    pub async fn remove_agent(&self, agent: &AgentRow) -> Result<Outcome, GatewayError> {
        Ok(Self::outcome(agent))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_seam_does_nothing_yet() {
        let now = crate::domain::now();
        let mut agent = AgentRow {
            id: uuid::Uuid::new_v4(),
            organization_id: uuid::Uuid::new_v4(),
            board_id: None,
            gateway_id: None,
            name: "a".into(),
            status: "provisioning".into(),
            openclaw_session_id: None,
            heartbeat_config: None,
            identity_profile: None,
            identity_template: None,
            soul_template: None,
            last_seen_at: None,
            is_board_lead: false,
            created_at: now,
            updated_at: now,
        };
        assert_eq!(GatewaySeam.provision_agent(&agent).await.unwrap(), Outcome::NoGateway);
        agent.gateway_id = Some(uuid::Uuid::new_v4());
        assert_eq!(
            GatewaySeam.reprovision_agent(&agent, true).await.unwrap(),
            Outcome::Deferred
        );
        assert_eq!(GatewaySeam.remove_agent(&agent).await.unwrap(), Outcome::Deferred);
    }
}
