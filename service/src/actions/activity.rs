//! Activity feeds and the catch-up half of the live streams.

use chrono::NaiveDateTime;
use uuid::Uuid;

use super::Result;
use super::identity::{Access, Caller, UserCaller, board_for_caller, board_scope};
use crate::bus::BusEvent;
use crate::domain::{Page, Paged};
use crate::store::{ActivityRow, CommentFeedRow, Store};

/// Agents see their own events; users see the events of the boards they may read.
pub async fn list(store: &Store, caller: &Caller, page: Page) -> Result<Paged<ActivityRow>> {
    match caller {
        Caller::Agent(a) => {
            let scope = crate::store::BoardScope {
                organization_id: a.agent.organization_id,
                ..Default::default()
            };
            Ok(store.list_activity(&scope, Some(a.agent.id), page).await?)
        }
        Caller::User(u) => Ok(store.list_activity(&board_scope(u, None), None, page).await?),
    }
}

pub async fn comment_feed(
    store: &Store,
    caller: &UserCaller,
    board_id: Option<Uuid>,
    page: Page,
) -> Result<Paged<CommentFeedRow>> {
    if let Some(board) = board_id {
        super::identity::board_for_user(store, caller, board, Access::Read).await?;
    }
    Ok(store.list_comment_feed(&board_scope(caller, board_id), page).await?)
}

/// Where a stream resumes: after an event id (`Last-Event-ID`), from a time (`since`), or
/// from now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    Now,
    Since(NaiveDateTime),
    AfterEvent(Uuid),
}

impl Cursor {
    /// `Last-Event-ID` wins over `since`; `since` may be a timestamp or the literal `null`.
    pub fn parse(last_event_id: Option<&str>, since: Option<&str>) -> std::result::Result<Self, String> {
        if let Some(id) = last_event_id.map(str::trim).filter(|s| !s.is_empty()) {
            return Uuid::parse_str(id)
                .map(Cursor::AfterEvent)
                .map_err(|_| "Last-Event-ID must be an event id this service sent".to_owned());
        }
        match since
            .map(str::trim)
            .filter(|s| !s.is_empty() && *s != "null" && *s != "undefined")
        {
            None => Ok(Cursor::Now),
            Some(s) => crate::wire::parse_timestamp(s)
                .map(Cursor::Since)
                .ok_or_else(|| "since must be an ISO-8601 timestamp".to_owned()),
        }
    }
}

impl Cursor {
    /// The time a stream without activity rows replays from (approvals, memory, agents):
    /// their events carry their own ids, so resuming after one replays the last minute and
    /// relies on de-duplication by id.
    pub fn replay_from(&self) -> Option<NaiveDateTime> {
        match self {
            Cursor::Now => None,
            Cursor::Since(t) => Some(*t),
            Cursor::AfterEvent(_) => Some(crate::domain::now() - chrono::Duration::minutes(1)),
        }
    }
}

/// The time to replay from, and the event to resume after (excluded with everything before
/// it at the same instant).
async fn resolve(store: &Store, cursor: &Cursor) -> Result<Option<(NaiveDateTime, Option<Uuid>)>> {
    Ok(match cursor {
        Cursor::Now => None,
        Cursor::Since(t) => Some((*t, None)),
        Cursor::AfterEvent(id) => match store.get_activity(*id).await? {
            Some(a) => Some((a.created_at, Some(*id))),
            None => None,
        },
    })
}

/// Drops events up to and including `after` (they were already delivered).
fn skip_through(events: Vec<BusEvent>, after: Option<Uuid>) -> Vec<BusEvent> {
    match after {
        None => events,
        Some(id) => {
            let id = id.to_string();
            match events.iter().position(|e| e.id == id) {
                Some(i) => events.into_iter().skip(i + 1).collect(),
                None => events,
            }
        }
    }
}

/// Task-stream events of a board since the cursor, oldest first.
pub async fn task_stream_backlog(
    store: &Store,
    caller: &Caller,
    board_id: Uuid,
    cursor: &Cursor,
) -> Result<Vec<BusEvent>> {
    let board = board_for_caller(store, caller, board_id, Access::Read).await?;
    let Some((since, after)) = resolve(store, cursor).await? else {
        return Ok(Vec::new());
    };
    let rows = store.task_activity_since(board_id, since).await?;
    let ids: Vec<Uuid> = rows.iter().filter_map(|r| r.task_id).collect();
    let tasks = store.tasks_by_ids(board_id, &ids).await?;
    let events = super::events::task_stream_events(board.organization_id, board_id, &rows, &tasks);
    Ok(skip_through(events, after))
}

/// Comment-feed events since the cursor, oldest first.
pub async fn comment_feed_backlog(
    store: &Store,
    caller: &UserCaller,
    board_id: Option<Uuid>,
    cursor: &Cursor,
) -> Result<Vec<BusEvent>> {
    let Some((since, after)) = resolve(store, cursor).await? else {
        return Ok(Vec::new());
    };
    let rows = store.comment_feed_since(&board_scope(caller, board_id), since).await?;
    let events = rows
        .into_iter()
        .map(|r| super::events::comment_feed_event(caller.organization_id(), r))
        .collect();
    Ok(skip_through(events, after))
}

/// Checks a stream's board filter up front (404/403 before the stream opens).
pub async fn check_board(store: &Store, caller: &UserCaller, board_id: Option<Uuid>) -> Result<()> {
    if let Some(b) = board_id {
        super::identity::board_for_user(store, caller, b, Access::Read).await?;
    }
    Ok(())
}

/// The boards a user's comment stream may deliver (None = every board of the organization).
pub async fn readable_boards(store: &Store, caller: &UserCaller) -> Result<Option<std::collections::HashSet<Uuid>>> {
    let m = &caller.member;
    if m.all_boards_read || m.all_boards_write {
        return Ok(None);
    }
    let page = Page { limit: 200, offset: 0 };
    let mut out = std::collections::HashSet::new();
    let mut offset = 0;
    loop {
        let found = super::boards::list(store, caller, None, None, Page { offset, ..page }).await?;
        let n = found.items.len();
        out.extend(found.items.into_iter().map(|b| b.id));
        offset += 200;
        if n < 200 || offset >= found.total {
            break;
        }
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_prefer_last_event_id_and_accept_null_since() {
        let id = Uuid::new_v4();
        assert_eq!(
            Cursor::parse(Some(&id.to_string()), Some("2026-01-01T00:00:00Z")),
            Ok(Cursor::AfterEvent(id))
        );
        assert_eq!(Cursor::parse(None, Some("null")), Ok(Cursor::Now));
        assert_eq!(Cursor::parse(None, None), Ok(Cursor::Now));
        assert!(matches!(
            Cursor::parse(None, Some("2026-01-01T00:00:00+01:00")),
            Ok(Cursor::Since(_))
        ));
        assert!(Cursor::parse(None, Some("yesterday")).is_err());
        assert!(Cursor::parse(Some("not-an-id"), None).is_err());
    }
}
