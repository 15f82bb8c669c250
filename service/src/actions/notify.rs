//! Messages to agents through their gateway: the delivery job of the notifications a write
//! hands over (`domain::notifications`), and the direct sends of nudges and leads' messages.

use serde_json::{Value, json};
use uuid::Uuid;

use super::provisioning::{agent_session, gateway_of, target_of};
use crate::app::AppState;
use crate::domain::jobs::RunError;
use crate::domain::notifications::delivered_event;
use crate::domain::now;
use crate::gateway::GatewayError;
use crate::store::{AgentRow, Delivery};

/// Why a message could not be sent to an agent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("the agent has no gateway")]
    NoGateway,
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    #[error("storage failed: {0}")]
    Store(String),
}

/// Sends `text` into the agent's main session (`chat.send`, with `key` for idempotency:
/// sending twice with one key delivers once). `deliver` also pushes it to the agent's channel.
pub async fn send(app: &AppState, agent: &AgentRow, text: &str, key: &str, deliver: bool) -> Result<(), SendError> {
    let gateway = gateway_of(&app.store, agent)
        .await
        .map_err(|e| SendError::Store(e.to_string()))?
        .ok_or(SendError::NoGateway)?;
    app.gateways
        .call(
            &target_of(&gateway),
            "chat.send",
            json!({"sessionKey": agent_session(agent), "message": text, "deliver": deliver, "idempotencyKey": key}),
        )
        .await?;
    Ok(())
}

/// The delivery job of one notification: sends it and records the outcome (the
/// `*_notified` row, or the `*_notify_failed` row with the reason) under the job's id.
pub async fn deliver(app: &AppState, job_id: Uuid, payload: &Value) -> Result<(), RunError> {
    let text_of = |k: &str| payload.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    let uuid_of = |k: &str| {
        payload
            .get(k)
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<Uuid>().ok())
    };
    let agent_id = uuid_of("agent_id").ok_or_else(|| RunError::Permanent("payload has no agent_id".into()))?;
    let (board_id, task_id) = (uuid_of("board_id"), uuid_of("task_id"));
    let (failed_event, label) = (text_of("event_type"), text_of("label"));
    let Some(agent) = app
        .store
        .get_agent(agent_id)
        .await
        .map_err(|e| RunError::Transient(e.to_string()))?
    else {
        return Ok(());
    };
    let mut text = text_of("text");
    if let Some(t) = task_id {
        text.push_str(&format!("\nTask: {t}"));
    }
    if let Some(b) = board_id {
        text.push_str(&format!("\nBoard: {b}"));
    }
    let deliver_to_channel = failed_event == crate::domain::board_chat::CONTROL_EVENT;
    let (event, message) = match send(app, &agent, &text, &job_id.to_string(), deliver_to_channel).await {
        Ok(()) => (delivered_event(&failed_event), format!("{label} sent.")),
        Err(SendError::Store(e)) => return Err(RunError::Transient(e)),
        Err(e) => (failed_event, format!("{label} failed: {e}.")),
    };
    app.store
        .record_delivery(
            &Delivery {
                job_id,
                event_type: &event,
                message: &message,
                agent_id,
                task_id,
                board_id,
            },
            now(),
        )
        .await
        .map_err(|e| RunError::Transient(e.to_string()))?;
    Ok(())
}
