//! What an agent reads of a board beyond its tasks: the board itself, the board's agents and
//! the organization's tag catalog. Approvals and memory go through `approvals` and `memory`
//! with a `Caller::Agent`; every read here applies the agent's board scope
//! (`identity::board_for_agent`).

use uuid::Uuid;

use super::Result;
use super::identity::{AgentCaller, board_for_agent};
use crate::domain::{Page, Paged};
use crate::store::{AgentFilter, AgentRow, BoardRow, Store};

/// `GET /agent/boards/{board_id}`: the board, if the agent may use it.
pub async fn board(store: &Store, caller: &AgentCaller, board_id: Uuid) -> Result<BoardRow> {
    board_for_agent(store, caller, board_id).await
}

/// `GET /agent/agents`: a board-bound agent sees its board's agents (naming another board is
/// refused); an agent bound to no board sees its organization's, or one board's of it.
pub async fn agents(
    store: &Store,
    caller: &AgentCaller,
    board_id: Option<Uuid>,
    page: Page,
) -> Result<Paged<AgentRow>> {
    let board_id = match board_id {
        Some(b) => Some(board_for_agent(store, caller, b).await?.id),
        None => caller.agent.board_id,
    };
    let filter = AgentFilter {
        organization_id: caller.agent.organization_id,
        board_id,
        gateway_id: None,
    };
    Ok(store.list_agents(&filter, page).await?)
}
