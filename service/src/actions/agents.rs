//! Agents as data: create, read, delete, issue tokens, heartbeats. Provisioning through a
//! gateway belongs to a later issue; an agent on a board without a gateway has none.

use serde_json::{Value, json};
use uuid::Uuid;

use super::identity::{AgentCaller, UserCaller};
use super::{Error, FieldError, Result, deleted, non_blank};
use crate::auth::agent_token;
use crate::bus::EventBus;
use crate::domain::{Page, Paged, now};
use crate::store::{AgentFilter, AgentRow, BoardFilter, BoardRow, Store};

#[derive(Debug, Clone, Default)]
pub struct AgentInput {
    pub name: String,
    pub board_id: Option<Uuid>,
    pub heartbeat_config: Option<Value>,
    pub identity_profile: Option<Value>,
    pub identity_template: Option<String>,
    pub soul_template: Option<String>,
}

pub async fn list(
    store: &Store,
    caller: &UserCaller,
    board_id: Option<Uuid>,
    gateway_id: Option<Uuid>,
    page: Page,
) -> Result<Paged<AgentRow>> {
    caller.require_admin()?;
    let filter = AgentFilter {
        organization_id: caller.organization_id(),
        board_id,
        gateway_id,
    };
    Ok(store.list_agents(&filter, page).await?)
}

pub async fn get(store: &Store, caller: &UserCaller, id: Uuid) -> Result<AgentRow> {
    caller.require_admin()?;
    store
        .get_agent(id)
        .await?
        .filter(|a| a.organization_id == caller.organization_id())
        .ok_or(Error::NotFound("Agent not found"))
}

pub async fn create(store: &Store, bus: &EventBus, caller: &UserCaller, input: AgentInput) -> Result<AgentRow> {
    caller.require_admin()?;
    let name = non_blank("name", &input.name)?;
    let board_id = input
        .board_id
        .ok_or_else(|| Error::Invalid(vec![FieldError::body("board_id", "board_id is required")]))?;
    let board = store
        .get_board(board_id)
        .await?
        .filter(|b| b.organization_id == caller.organization_id())
        .ok_or(Error::NotFound("Board not found"))?;
    if store
        .agent_name_taken(board.organization_id, Some(board.id), &name)
        .await?
    {
        return Err(Error::Conflict(format!(
            "An agent named {name:?} already exists on this board."
        )));
    }
    let now = now();
    let row = AgentRow {
        id: Uuid::new_v4(),
        organization_id: board.organization_id,
        board_id: Some(board.id),
        gateway_id: board.gateway_id,
        name,
        status: "provisioning".to_owned(),
        openclaw_session_id: None,
        heartbeat_config: Some(
            input
                .heartbeat_config
                .unwrap_or_else(|| json!({"every": "10m", "target": "last", "includeReasoning": false})),
        ),
        identity_profile: input.identity_profile,
        identity_template: input.identity_template,
        soul_template: input.soul_template,
        last_seen_at: None,
        is_board_lead: false,
        created_at: now,
        updated_at: now,
    };
    store.insert_agent(&row).await?;
    bus.publish(super::events::agent_event(row.clone())).await;
    Ok(row)
}

pub async fn delete(store: &Store, caller: &UserCaller, id: Uuid) -> Result<()> {
    get(store, caller, id).await?;
    deleted(store.delete_agent(id, now()).await?, "Agent not found")
}

/// Issues a new token for the agent (replacing any previous one) and returns it; only its
/// keyed hash is kept.
pub async fn issue_token(store: &Store, caller: &UserCaller, id: Uuid, hash_key: &[u8]) -> Result<String> {
    get(store, caller, id).await?;
    let token = agent_token::generate();
    if !store
        .set_agent_token_hash(id, &agent_token::hash(hash_key, &token), now())
        .await?
    {
        return Err(Error::NotFound("Agent not found"));
    }
    Ok(token)
}

pub async fn heartbeat(store: &Store, bus: &EventBus, caller: &AgentCaller) -> Result<AgentRow> {
    let agent = store.record_heartbeat(caller.agent.id, now()).await?;
    bus.publish(super::events::agent_event(agent.clone())).await;
    Ok(agent)
}

/// The boards an agent sees: its own, or every board of its organization for an agent bound
/// to no board.
pub async fn boards_for_agent(store: &Store, caller: &AgentCaller, page: Page) -> Result<Paged<BoardRow>> {
    let filter = BoardFilter {
        organization_id: caller.agent.organization_id,
        only_board: caller.agent.board_id,
        ..BoardFilter::default()
    };
    Ok(store.list_boards(&filter, page).await?)
}

/// The stream events for the organization's agents (of one board, if given) changed since
/// the cursor, oldest first; none when the stream starts from now.
pub async fn stream_backlog(
    store: &Store,
    organization_id: Uuid,
    board_id: Option<Uuid>,
    cursor: &super::activity::Cursor,
) -> Result<Vec<crate::bus::BusEvent>> {
    let Some(since) = cursor.replay_from() else {
        return Ok(Vec::new());
    };
    Ok(store
        .agents_since(organization_id, board_id, since)
        .await?
        .into_iter()
        .map(super::events::agent_event)
        .collect())
}
