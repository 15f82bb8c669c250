//! Board group memory: notes and group chat shared by the boards of a group, reached through
//! the group (users) or through one of its boards (users and agents).

use serde_json::json;
use uuid::Uuid;

use super::activity::Cursor;
use super::identity::{Access, Caller, UserCaller, board_for_caller};
use super::{Error, FieldError, Result, non_blank};
use crate::bus::{BusEvent, EventBus, Topic};
use crate::domain::group_memory::{GroupAgent, recipients};
use crate::domain::{Page, Paged, now};
use crate::store::{BoardFilter, GroupMemoryRow, Store};
use crate::wire::group_memory::BoardGroupMemoryRead;

/// A group a caller reached: its id and organization.
#[derive(Debug, Clone, Copy)]
pub struct GroupRef {
    pub id: Uuid,
    pub organization_id: Uuid,
}

/// The group of the caller's organization, if the user may use it at `access`: any board of
/// the group readable (or writable) by the member, or blanket access. An empty group is
/// readable by every member and writable by admins.
pub async fn group_for_user(store: &Store, caller: &UserCaller, group_id: Uuid, access: Access) -> Result<GroupRef> {
    let org = caller.organization_id();
    store
        .get_board_group(org, group_id)
        .await?
        .ok_or(Error::NotFound("Board group not found"))?;
    let group = GroupRef {
        id: group_id,
        organization_id: org,
    };
    let m = &caller.member;
    let blanket = match access {
        Access::Read => m.all_boards_read || m.all_boards_write,
        Access::Write => m.all_boards_write,
    };
    if blanket {
        return Ok(group);
    }
    let filter = BoardFilter {
        organization_id: org,
        board_group_id: Some(group_id),
        ..BoardFilter::default()
    };
    let all = Page {
        limit: i64::from(u32::MAX),
        offset: 0,
    };
    let boards = store.list_boards(&filter, all).await?.items;
    if boards.is_empty() {
        return match access {
            Access::Read => Ok(group),
            Access::Write => caller.require_admin().map(|()| group),
        };
    }
    for b in &boards {
        if let Some((read, write)) = store.board_grant(m.id, b.id).await? {
            let ok = match access {
                Access::Read => read || write,
                Access::Write => write,
            };
            if ok {
                return Ok(group);
            }
        }
    }
    Err(Error::Forbidden("Board group access denied"))
}

/// The group of a board the caller may use at `access`; `None` when the board has no group.
pub async fn group_of_board(
    store: &Store,
    caller: &Caller,
    board_id: Uuid,
    access: Access,
) -> Result<Option<GroupRef>> {
    let board = board_for_caller(store, caller, board_id, access).await?;
    Ok(board.board_group_id.map(|id| GroupRef {
        id,
        organization_id: board.organization_id,
    }))
}

pub async fn list(
    store: &Store,
    group: Option<GroupRef>,
    is_chat: Option<bool>,
    page: Page,
) -> Result<Paged<GroupMemoryRow>> {
    match group {
        Some(g) => Ok(store.list_group_memory(g.id, is_chat, page).await?),
        None => Ok(Paged {
            items: Vec::new(),
            total: 0,
        }),
    }
}

/// The group a board-scoped write goes to: a board without a group is refused (422).
pub fn require_group(group: Option<GroupRef>) -> Result<GroupRef> {
    group.ok_or_else(|| {
        Error::Invalid(vec![FieldError::body(
            "board_id",
            "Board is not in a board group".to_owned(),
        )])
    })
}

fn author_name(caller: &Caller) -> String {
    match caller {
        Caller::Agent(a) => a.agent.name.clone(),
        Caller::User(u) => u
            .user
            .preferred_name
            .clone()
            .or_else(|| u.user.name.clone())
            .unwrap_or_else(|| "User".to_owned()),
    }
}

/// Writes an entry (source defaults to the author's name), records whom it would notify, and
/// publishes it to the group's stream.
pub async fn create(
    store: &Store,
    bus: &EventBus,
    caller: &Caller,
    group: GroupRef,
    content: &str,
    tags: Option<Vec<String>>,
    source: Option<String>,
) -> Result<GroupMemoryRow> {
    let content = non_blank("content", content)?;
    let tags: Option<Vec<String>> = tags.map(|t| {
        t.into_iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    });
    let tag_list = tags.clone().unwrap_or_default();
    let is_chat = tag_list.iter().any(|s| s == "chat");
    let source = source
        .filter(|s| !s.trim().is_empty())
        .or_else(|| Some(author_name(caller)));
    let agents: Vec<GroupAgent> = store
        .group_agents(group.id)
        .await?
        .into_iter()
        .filter_map(|a| {
            Some(GroupAgent {
                id: a.id,
                board_id: a.board_id?,
                name: a.name,
                is_board_lead: a.is_board_lead,
            })
        })
        .collect();
    let notify = recipients(&tag_list, &content, &agents, caller.agent_id());
    let row = GroupMemoryRow {
        id: Uuid::new_v4(),
        board_group_id: group.id,
        content,
        tags,
        is_chat,
        source,
        created_at: now(),
    };
    store.insert_group_memory(&row, &notify).await?;
    bus.publish(event(group.organization_id, row.clone())).await;
    Ok(row)
}

/// The stream event of one entry: `memory` with `{memory}`.
pub fn event(organization_id: Uuid, memory: GroupMemoryRow) -> BusEvent {
    BusEvent {
        topic: Topic::GroupMemory(memory.board_group_id),
        organization_id,
        name: "memory".to_owned(),
        id: memory.id.to_string(),
        is_comment: memory.is_chat,
        data: json!({"memory": BoardGroupMemoryRead::from(memory)}),
    }
}

/// The stream events for entries written since the cursor, oldest first; none when the
/// stream starts from now or there is no group. After an event id: the last minute's entries
/// that follow it (all of the last minute when it is no longer among them).
pub async fn stream_backlog(
    store: &Store,
    group: Option<GroupRef>,
    cursor: &Cursor,
    is_chat: Option<bool>,
) -> Result<Vec<BusEvent>> {
    let (Some(g), Some(since)) = (group, cursor.replay_from()) else {
        return Ok(Vec::new());
    };
    let events: Vec<BusEvent> = store
        .group_memory_since(g.id, since, is_chat)
        .await?
        .into_iter()
        .map(|row| event(g.organization_id, row))
        .collect();
    // Resuming after an entry this replay still holds starts right after it.
    if let Cursor::AfterEvent(after) = cursor {
        let after = after.to_string();
        if let Some(i) = events.iter().position(|e| e.id == after) {
            return Ok(events.into_iter().skip(i + 1).collect());
        }
    }
    Ok(events)
}
