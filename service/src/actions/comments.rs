//! Task comments: `task.comment` activity rows, listed oldest first, published to the
//! board's task stream and the organization's comment feed.

use uuid::Uuid;

use super::identity::{Access, Caller, board_for_caller};
use super::{Error, Result, non_blank};
use crate::bus::EventBus;
use crate::domain::{Page, Paged, now};
use crate::store::{ActivityRow, Store};

pub async fn list(
    store: &Store,
    caller: &Caller,
    board_id: Uuid,
    task_id: Uuid,
    page: Page,
) -> Result<Paged<ActivityRow>> {
    board_for_caller(store, caller, board_id, Access::Read).await?;
    if store.get_task(board_id, task_id).await?.is_none() {
        return Err(Error::NotFound("Task not found"));
    }
    Ok(store.list_comments(board_id, task_id, page).await?)
}

/// Whether `name` is @mentioned in `text` (case-insensitive; full name or first word).
pub fn mentions(text: &str, name: &str) -> bool {
    let name = name.to_lowercase();
    let first = name.split_whitespace().next().unwrap_or_default().to_owned();
    text.split('@').skip(1).any(|rest| {
        let token: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
            .collect::<String>()
            .to_lowercase();
        !token.is_empty() && (token == name || token == first || token == "lead")
    })
}

pub async fn create(
    store: &Store,
    bus: &EventBus,
    caller: &Caller,
    board_id: Uuid,
    task_id: Uuid,
    message: &str,
) -> Result<ActivityRow> {
    let board = board_for_caller(store, caller, board_id, Access::Write).await?;
    let message = non_blank("message", message)?;
    let task = store
        .get_task(board_id, task_id)
        .await?
        .ok_or(Error::NotFound("Task not found"))?;
    if let Caller::Agent(a) = caller
        && a.agent.is_board_lead
    {
        // A lead comments on tasks in review, tasks it created, or where it was mentioned.
        let created_by_lead = task.task.auto_reason.as_deref() == Some(&format!("lead_agent:{}", a.agent.id));
        let in_review = task.task.status == "review";
        let mentioned = !in_review
            && !created_by_lead
            && store
                .list_comments(board_id, task_id, Page { limit: 200, offset: 0 })
                .await?
                .items
                .iter()
                .any(|c| c.message.as_deref().is_some_and(|m| mentions(m, &a.agent.name)));
        if !(in_review || created_by_lead || mentioned) {
            return Err(Error::Forbidden("Board leads may only comment on tasks in review"));
        }
    }
    let row = store
        .insert_comment(board_id, task_id, caller.agent_id(), &message, now())
        .await
        .map_err(|e| match e {
            crate::store::StoreError::NotFound => Error::NotFound("Task not found"),
            other => other.into(),
        })?;
    if let Some(event) = super::events::task_stream_event(board.organization_id, board_id, &row, None) {
        bus.publish(event).await;
    }
    if let Some(item) = store.comment_feed_item(row.id).await? {
        bus.publish(super::events::comment_feed_event(board.organization_id, item))
            .await;
    }
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::mentions;

    #[test]
    fn mentions_match_full_or_first_name_case_insensitively() {
        assert!(mentions("hey @Scout please look", "scout"));
        assert!(mentions("ping @ada", "Ada Lovelace"));
        assert!(mentions("@lead review this", "whoever"));
        assert!(!mentions("email me at x@example.com", "scout"));
        assert!(!mentions("no mention here", "scout"));
    }
}
