//! Agents: create (admins, and board leads for their board), update, delete, issue tokens,
//! heartbeats. An agent with a gateway is provisioned there after it is written, updated
//! there on a change, and removed from there before it is deleted (`provisioning`).

use serde_json::{Value, json};
use uuid::Uuid;

use super::identity::{AgentCaller, Caller, UserCaller};
use super::provisioning::{self, Run};
use super::{Error, FieldError, Result, deleted, non_blank};
use crate::app::AppState;
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
    pub is_board_lead: bool,
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

/// Creates an agent: an organization admin on any board of the organization, or a board
/// lead on its own board (within the board's `max_agents` cap on workers).
pub async fn create(app: &AppState, caller: &Caller, input: AgentInput) -> Result<AgentRow> {
    let store = &app.store;
    match caller {
        Caller::User(user) => {
            user.require_admin()?;
            let board_id = input
                .board_id
                .ok_or_else(|| Error::Invalid(vec![FieldError::body("board_id", "board_id is required")]))?;
            let board = store
                .get_board(board_id)
                .await?
                .filter(|b| b.organization_id == user.organization_id())
                .ok_or(Error::NotFound("Board not found"))?;
            insert_new(app, &board, input, false).await
        }
        Caller::Agent(agent) => create_by_lead(app, agent, input).await,
    }
}

/// A board lead creates a worker on its own board: 403 for other agents and other boards,
/// 409 once the board's non-lead agents reach `max_agents` or the name is taken.
pub async fn create_by_lead(app: &AppState, caller: &AgentCaller, input: AgentInput) -> Result<AgentRow> {
    let store = &app.store;
    let own = lead_board_id(caller)?;
    if input.board_id.is_some_and(|b| b != own) {
        return Err(Error::Forbidden("A board lead may only create agents on its own board"));
    }
    let board = super::identity::board_for_agent(store, caller, own).await?;
    insert_new(app, &board, input, true).await
}

fn lead_board_id(caller: &AgentCaller) -> Result<Uuid> {
    match (caller.agent.is_board_lead, caller.agent.board_id) {
        (true, Some(board)) => Ok(board),
        _ => Err(Error::Forbidden("Only a board lead may manage the board's agents")),
    }
}

async fn insert_new(app: &AppState, board: &BoardRow, input: AgentInput, by_lead: bool) -> Result<AgentRow> {
    let (store, bus) = (&app.store, &app.events);
    let name = non_blank("name", &input.name)?;
    if store
        .agent_name_taken(board.organization_id, Some(board.id), &name)
        .await?
    {
        return Err(name_taken(&name));
    }
    if input.is_board_lead {
        ensure_no_other_lead(store, board.id, None).await?;
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
        heartbeat_config: Some(input.heartbeat_config.unwrap_or_else(default_heartbeat_config)),
        identity_profile: input.identity_profile,
        identity_template: input.identity_template,
        soul_template: input.soul_template,
        last_seen_at: None,
        is_board_lead: input.is_board_lead,
        created_at: now,
        updated_at: now,
    };
    if by_lead && !input.is_board_lead {
        // The cap is checked with the insert, under the board's lock: racing creates by a lead
        // cannot overshoot it.
        if !store.insert_agent_within(&row, board.max_agents).await? {
            return Err(Error::Conflict(format!(
                "The board already has its maximum of {} worker agent(s) (max_agents).",
                board.max_agents
            )));
        }
    } else {
        store.insert_agent(&row).await?;
    }
    provisioning::run(app, &row, Run::Provision).await?;
    let row = store.get_agent(row.id).await?.unwrap_or(row);
    bus.publish(super::events::agent_event(row.clone())).await;
    Ok(row)
}

fn default_heartbeat_config() -> Value {
    json!({"every": "10m", "target": "last", "includeReasoning": false})
}

fn name_taken(name: &str) -> Error {
    Error::Conflict(format!("An agent named {name:?} already exists on this board."))
}

async fn ensure_no_other_lead(store: &Store, board_id: Uuid, except: Option<Uuid>) -> Result<()> {
    if store.board_lead_id(board_id, except).await?.is_some() {
        return Err(Error::Conflict("The board already has a board lead.".to_owned()));
    }
    Ok(())
}

/// An admin's edit of an agent. `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct AgentPatch {
    pub name: Option<String>,
    pub board_id: Option<Uuid>,
    pub heartbeat_config: Option<Value>,
    pub identity_profile: Option<Value>,
    pub identity_template: Option<String>,
    pub soul_template: Option<String>,
    pub is_board_lead: Option<bool>,
    /// Only `false` is accepted: gateway main agents come with gateways.
    pub is_gateway_main: Option<bool>,
    /// Refused when set: presence decides an agent's status.
    pub status: Option<String>,
}

/// Updates an agent (organization admin). `force` asks the gateway seam to reprovision it.
pub async fn update(app: &AppState, caller: &UserCaller, id: Uuid, patch: AgentPatch, force: bool) -> Result<AgentRow> {
    let (store, bus) = (&app.store, &app.events);
    let mut agent = get(store, caller, id).await?;
    // Whether the change touches what the gateway holds (files, heartbeat, session label).
    let gateway_held = patch.name.is_some()
        || patch.board_id.is_some()
        || patch.heartbeat_config.is_some()
        || patch.identity_profile.is_some()
        || patch.identity_template.is_some()
        || patch.soul_template.is_some()
        || patch.is_board_lead.is_some();
    if patch.status.is_some() {
        return Err(Error::Forbidden(
            "An agent's status is set by its heartbeats, not by users",
        ));
    }
    if patch.is_gateway_main == Some(true) {
        return Err(Error::Invalid(vec![FieldError::body(
            "is_gateway_main",
            "gateway main agents are created with their gateway",
        )]));
    }
    if let Some(board_id) = patch.board_id.filter(|b| agent.board_id != Some(*b)) {
        let board = store
            .get_board(board_id)
            .await?
            .filter(|b| b.organization_id == caller.organization_id())
            .ok_or(Error::NotFound("Board not found"))?;
        agent.board_id = Some(board.id);
        agent.gateway_id = board.gateway_id;
    }
    let name = match &patch.name {
        Some(n) => non_blank("name", n)?,
        None => agent.name.clone(),
    };
    let renamed_or_moved = !name.eq_ignore_ascii_case(&agent.name) || patch.board_id.is_some();
    if renamed_or_moved
        && store
            .find_agent_by_name(agent.organization_id, agent.board_id, &name)
            .await?
            .is_some_and(|other| other.id != agent.id)
    {
        return Err(name_taken(&name));
    }
    agent.name = name;
    agent.is_board_lead = patch.is_board_lead.unwrap_or(agent.is_board_lead);
    if agent.is_board_lead
        && let Some(board) = agent.board_id
    {
        ensure_no_other_lead(store, board, Some(agent.id)).await?;
    }
    if let Some(v) = patch.heartbeat_config {
        agent.heartbeat_config = Some(v);
    }
    if let Some(v) = patch.identity_profile {
        agent.identity_profile = Some(v);
    }
    if let Some(v) = patch.identity_template {
        agent.identity_template = Some(v);
    }
    if let Some(v) = patch.soul_template {
        agent.soul_template = Some(v);
    }
    agent.updated_at = now();
    if !store.update_agent(&agent).await? {
        return Err(Error::NotFound("Agent not found"));
    }
    if agent.gateway_id.is_some() && (force || gateway_held) {
        provisioning::run(app, &agent, Run::Update).await?;
    }
    let agent = store.get_agent(agent.id).await?.unwrap_or(agent);
    bus.publish(super::events::agent_event(agent.clone())).await;
    Ok(agent)
}

pub async fn delete(app: &AppState, caller: &UserCaller, id: Uuid) -> Result<()> {
    let agent = get(&app.store, caller, id).await?;
    remove(app, &agent).await
}

async fn remove(app: &AppState, agent: &AgentRow) -> Result<()> {
    provisioning::remove(app, agent).await?;
    deleted(app.store.delete_agent(agent.id, now()).await?, "Agent not found")
}

/// A board lead deletes a worker of its own board (with the same cascade as an admin's
/// delete): 403 for another board or a lead target, 404 for an unknown agent.
pub async fn delete_by_lead(app: &AppState, caller: &AgentCaller, board_id: Uuid, id: Uuid) -> Result<()> {
    let store = &app.store;
    let own = lead_board_id(caller)?;
    if own != board_id {
        return Err(Error::Forbidden("Agent may only access its own board"));
    }
    let target = store
        .get_agent(id)
        .await?
        .filter(|a| a.organization_id == caller.agent.organization_id)
        .ok_or(Error::NotFound("Agent not found"))?;
    if target.board_id != Some(own) {
        return Err(Error::Forbidden("A board lead may only delete agents of its own board"));
    }
    if target.is_board_lead {
        return Err(Error::Forbidden("A board lead may not delete a board lead"));
    }
    remove(app, &target).await
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
    record(store, bus, caller.agent.id).await
}

async fn record(store: &Store, bus: &EventBus, id: Uuid) -> Result<AgentRow> {
    let agent = store.record_heartbeat(id, now()).await?;
    bus.publish(super::events::agent_event(agent.clone())).await;
    Ok(agent)
}

/// A heartbeat for one agent: an agent only for itself, a user as organization admin.
pub async fn heartbeat_agent(store: &Store, bus: &EventBus, caller: &Caller, id: Uuid) -> Result<AgentRow> {
    match caller {
        Caller::Agent(a) if a.agent.id != id => {
            return Err(Error::Forbidden("An agent may only send its own heartbeat"));
        }
        Caller::Agent(_) => {}
        Caller::User(u) => {
            get(store, u, id).await?;
        }
    }
    record(store, bus, id).await
}

/// A heartbeat by name. An agent names itself (403 otherwise, and for another board). A user
/// (organization admin) names an agent on `board_id`; one that does not exist yet is created
/// there first.
pub async fn heartbeat_by_name(
    app: &AppState,
    caller: &Caller,
    name: &str,
    board_id: Option<Uuid>,
) -> Result<AgentRow> {
    let (store, bus) = (&app.store, &app.events);
    let name = non_blank("name", name)?;
    let user = match caller {
        Caller::Agent(a) => {
            if !a.agent.name.eq_ignore_ascii_case(&name) || board_id.is_some_and(|b| a.agent.board_id != Some(b)) {
                return Err(Error::Forbidden("An agent may only send its own heartbeat"));
            }
            return record(store, bus, a.agent.id).await;
        }
        Caller::User(u) => u,
    };
    user.require_admin()?;
    let board_id =
        board_id.ok_or_else(|| Error::Invalid(vec![FieldError::body("board_id", "board_id is required")]))?;
    let board = store
        .get_board(board_id)
        .await?
        .filter(|b| b.organization_id == user.organization_id())
        .ok_or(Error::NotFound("Board not found"))?;
    let agent = match store
        .find_agent_by_name(board.organization_id, Some(board.id), &name)
        .await?
    {
        Some(found) => found,
        None => {
            let input = AgentInput {
                name,
                board_id: Some(board.id),
                ..AgentInput::default()
            };
            insert_new(app, &board, input, false).await?
        }
    };
    record(store, bus, agent.id).await
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
