//! Board memory: notes and board chat (entries tagged `chat`). A chat entry records whom it
//! would notify (`domain::board_chat`) in the same transaction as the entry.

use uuid::Uuid;

use super::activity::Cursor;
use super::identity::{Access, Caller, board_for_caller};
use super::{Result, non_blank};
use crate::bus::{BusEvent, EventBus};
use crate::domain::board_chat::{self, BoardAgent};
use crate::domain::{Page, Paged, now};
use crate::store::{BoardRow, MemoryRow, Store};

pub async fn list(
    store: &Store,
    caller: &Caller,
    board_id: Uuid,
    is_chat: Option<bool>,
    page: Page,
) -> Result<Paged<MemoryRow>> {
    board_for_caller(store, caller, board_id, Access::Read).await?;
    Ok(store.list_memory(board_id, is_chat, page).await?)
}

pub async fn create(
    store: &Store,
    bus: &EventBus,
    caller: &Caller,
    board_id: Uuid,
    content: &str,
    tags: Option<Vec<String>>,
    source: Option<String>,
) -> Result<MemoryRow> {
    let board = board_for_caller(store, caller, board_id, Access::Write).await?;
    let content = non_blank("content", content)?;
    let tags: Option<Vec<String>> = tags.map(|t| {
        t.into_iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    });
    let tag_list = tags.clone().unwrap_or_default();
    let is_chat = board_chat::is_chat(&tag_list);
    // The author's name unless the caller names a source.
    let source = source.filter(|s| !s.trim().is_empty()).or_else(|| match caller {
        Caller::Agent(a) => Some(a.agent.name.clone()),
        Caller::User(u) => Some(
            u.user
                .preferred_name
                .clone()
                .or_else(|| u.user.name.clone())
                .unwrap_or_else(|| "User".to_owned()),
        ),
    });
    let row = MemoryRow {
        id: Uuid::new_v4(),
        board_id,
        content,
        tags,
        is_chat,
        source,
        created_at: now(),
    };
    // Board chat: whom it would notify (none of it is delivered until a gateway is wired).
    let notify = if is_chat {
        let agents: Vec<BoardAgent> = store
            .board_chat_agents(board_id)
            .await?
            .into_iter()
            .map(|(id, name, is_board_lead)| BoardAgent {
                id,
                name,
                is_board_lead,
            })
            .collect();
        board_chat::recipients(&tag_list, &row.content, &agents, caller.agent_id())
    } else {
        Vec::new()
    };
    store.insert_memory_notifying(&row, &notify).await?;
    bus.publish(super::events::memory_event(board.organization_id, row.clone()))
        .await;
    Ok(row)
}

/// The stream events for the board's memory written since the cursor (chat only, notes only
/// or both), oldest first; none when the stream starts from now.
pub async fn stream_backlog(
    store: &Store,
    board: &BoardRow,
    cursor: &Cursor,
    is_chat: Option<bool>,
) -> Result<Vec<BusEvent>> {
    let Some(since) = cursor.replay_from() else {
        return Ok(Vec::new());
    };
    Ok(store
        .memory_since(board.id, since, is_chat)
        .await?
        .into_iter()
        .map(|row| super::events::memory_event(board.organization_id, row))
        .collect())
}
