//! What agents do through the gateway: a lead nudges a board agent, reads or rewrites an
//! agent's SOUL.md, and asks the human a question through the gateway main agent; the main
//! agent messages one lead or broadcasts to several.

use serde_json::{Value, json};
use uuid::Uuid;

use super::identity::{AgentCaller, board_for_agent};
use super::notify::{self, SendError};
use super::provisioning::{gateway_error, gateway_of, identity_on_gateway, target_of};
use super::{Error, Result, non_blank};
use crate::app::AppState;
use crate::store::{AgentRow, BoardRow};

fn send_error(e: SendError) -> Error {
    match e {
        SendError::NoGateway => Error::Conflict("The agent is not on a gateway.".into()),
        SendError::Gateway(g) => gateway_error(g),
        SendError::Store(why) => Error::Store(crate::store::StoreError::Corrupt(why)),
    }
}

/// The caller must be the lead of `board_id`.
async fn as_lead(app: &AppState, caller: &AgentCaller, board_id: Uuid) -> Result<BoardRow> {
    let board = board_for_agent(&app.store, caller, board_id).await?;
    if !caller.agent.is_board_lead || caller.agent.board_id != Some(board_id) {
        return Err(Error::Forbidden("Only the board lead may do this"));
    }
    Ok(board)
}

/// An agent of the board.
async fn board_agent(app: &AppState, board_id: Uuid, agent_id: Uuid) -> Result<AgentRow> {
    app.store
        .get_agent(agent_id)
        .await?
        .filter(|a| a.board_id == Some(board_id))
        .ok_or(Error::NotFound("Agent not found"))
}

pub async fn nudge(app: &AppState, caller: &AgentCaller, board_id: Uuid, agent_id: Uuid, message: &str) -> Result<()> {
    let message = non_blank("message", message)?;
    as_lead(app, caller, board_id).await?;
    let target = board_agent(app, board_id, agent_id).await?;
    let text = format!("Nudge from your board lead {}: {message}", caller.agent.name);
    notify::send(app, &target, &text, &Uuid::new_v4().to_string(), false)
        .await
        .map_err(send_error)
}

/// An agent's SOUL.md: from the gateway when the agent has one, else the stored template.
/// The lead of the board, or the agent itself, may read it.
pub async fn read_soul(app: &AppState, caller: &AgentCaller, board_id: Uuid, agent_id: Uuid) -> Result<String> {
    board_for_agent(&app.store, caller, board_id).await?;
    let own = caller.agent.id == agent_id;
    let lead_here = caller.agent.is_board_lead && caller.agent.board_id == Some(board_id);
    if !(own || lead_here) {
        return Err(Error::Forbidden(
            "Only the board lead or the agent itself may read its soul",
        ));
    }
    let target = board_agent(app, board_id, agent_id).await?;
    let Some(gateway) = gateway_of(&app.store, &target).await? else {
        return Ok(target.soul_template.unwrap_or_default());
    };
    let (_, key) = identity_on_gateway(&target);
    let file = app
        .gateways
        .call(
            &target_of(&gateway),
            "agents.files.get",
            json!({"agentId": key, "name": "SOUL.md"}),
        )
        .await
        .map_err(gateway_error)?;
    Ok(file
        .pointer("/file/content")
        .or_else(|| file.get("content"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned())
}

/// The lead writes an agent's SOUL.md on the gateway and keeps it as its soul template.
pub async fn write_soul(
    app: &AppState,
    caller: &AgentCaller,
    board_id: Uuid,
    agent_id: Uuid,
    content: &str,
) -> Result<()> {
    as_lead(app, caller, board_id).await?;
    let mut target = board_agent(app, board_id, agent_id).await?;
    if let Some(gateway) = gateway_of(&app.store, &target).await? {
        let (_, key) = identity_on_gateway(&target);
        app.gateways
            .call(
                &target_of(&gateway),
                "agents.files.set",
                json!({"agentId": key, "name": "SOUL.md", "content": content}),
            )
            .await
            .map_err(gateway_error)?;
    }
    target.soul_template = Some(content.to_owned());
    target.updated_at = crate::domain::now();
    app.store.update_agent(&target).await?;
    Ok(())
}

/// The main agent of a gateway (bound to no board).
pub async fn main_agent_of(app: &AppState, gateway_id: Uuid) -> Result<Option<AgentRow>> {
    Ok(app
        .store
        .gateway_agents(gateway_id)
        .await?
        .into_iter()
        .find(|a| a.board_id.is_none()))
}

/// The lead asks the human: the question goes to the gateway main agent, which reaches the
/// human through its channels.
pub async fn ask_user(
    app: &AppState,
    caller: &AgentCaller,
    board_id: Uuid,
    content: &str,
    correlation: Option<&str>,
) -> Result<AgentRow> {
    let content = non_blank("content", content)?;
    let board = as_lead(app, caller, board_id).await?;
    let gateway_id = board
        .gateway_id
        .ok_or_else(|| Error::Conflict("The board has no gateway.".into()))?;
    let main = main_agent_of(app, gateway_id)
        .await?
        .ok_or(Error::NotFound("Gateway main agent not found"))?;
    let mut text = format!(
        "Question for the human from {} (lead of board {:?}, id {board_id}):\n{content}",
        caller.agent.name, board.name
    );
    if let Some(c) = correlation {
        text.push_str(&format!("\nCorrelation id: {c}"));
    }
    notify::send(app, &main, &text, &Uuid::new_v4().to_string(), false)
        .await
        .map_err(send_error)?;
    Ok(main)
}

/// The caller must be a gateway main agent.
fn as_main(caller: &AgentCaller) -> Result<Uuid> {
    match (caller.agent.board_id, caller.agent.gateway_id) {
        (None, Some(gateway)) => Ok(gateway),
        _ => Err(Error::Forbidden("Only a gateway main agent may do this")),
    }
}

fn lead_text(caller: &AgentCaller, kind: &str, content: &str, correlation: Option<&str>) -> String {
    let mut text = format!(
        "Message ({kind}) from the gateway main agent {}:\n{content}",
        caller.agent.name
    );
    if let Some(c) = correlation {
        text.push_str(&format!("\nCorrelation id: {c}"));
    }
    text
}

/// The main agent messages the lead of one board on its gateway.
pub async fn message_lead(
    app: &AppState,
    caller: &AgentCaller,
    board_id: Uuid,
    kind: &str,
    content: &str,
    correlation: Option<&str>,
) -> Result<AgentRow> {
    let content = non_blank("content", content)?;
    let gateway = as_main(caller)?;
    let board = board_for_agent(&app.store, caller, board_id).await?;
    if board.gateway_id != Some(gateway) {
        return Err(Error::Forbidden("The board is not on this agent's gateway"));
    }
    let lead_id = app
        .store
        .board_lead_id(board_id, None)
        .await?
        .ok_or(Error::NotFound("Board lead not found"))?;
    let lead = board_agent(app, board_id, lead_id).await?;
    notify::send(
        app,
        &lead,
        &lead_text(caller, kind, &content, correlation),
        &Uuid::new_v4().to_string(),
        false,
    )
    .await
    .map_err(send_error)?;
    Ok(lead)
}

/// One board's outcome of a broadcast.
pub struct BroadcastResult {
    pub board_id: Uuid,
    pub lead: Option<AgentRow>,
    pub error: Option<String>,
}

/// The main agent messages the leads of the given boards (all boards on its gateway by
/// default); each board's outcome is reported.
pub async fn broadcast(
    app: &AppState,
    caller: &AgentCaller,
    board_ids: Option<&[Uuid]>,
    kind: &str,
    content: &str,
    correlation: Option<&str>,
) -> Result<Vec<BroadcastResult>> {
    let content = non_blank("content", content)?;
    let gateway = as_main(caller)?;
    let filter = crate::store::BoardFilter {
        organization_id: caller.agent.organization_id,
        gateway_id: Some(gateway),
        ..crate::store::BoardFilter::default()
    };
    let boards = app
        .store
        .list_boards(&filter, crate::domain::Page { limit: 1000, offset: 0 })
        .await?
        .items;
    let wanted: Vec<&BoardRow> = match board_ids {
        Some(ids) => boards.iter().filter(|b| ids.contains(&b.id)).collect(),
        None => boards.iter().collect(),
    };
    let text = lead_text(caller, kind, &content, correlation);
    let mut out = Vec::with_capacity(wanted.len());
    for board in wanted {
        let lead = match app.store.board_lead_id(board.id, None).await? {
            Some(id) => app.store.get_agent(id).await?,
            None => None,
        };
        let error = match &lead {
            None => Some("The board has no lead.".to_owned()),
            Some(l) => notify::send(app, l, &text, &Uuid::new_v4().to_string(), false)
                .await
                .err()
                .map(|e| e.to_string()),
        };
        out.push(BroadcastResult {
            board_id: board.id,
            lead,
            error,
        });
    }
    Ok(out)
}
