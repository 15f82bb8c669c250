//! A board's webhooks (read side).

use uuid::Uuid;

use super::Result;
use super::identity::{Access, Caller, board_for_caller};
use crate::domain::{Page, Paged};
use crate::store::{Store, WebhookRow};

/// The board's webhooks, for anyone who may read the board.
pub async fn list(store: &Store, caller: &Caller, board_id: Uuid, page: Page) -> Result<Paged<WebhookRow>> {
    board_for_caller(store, caller, board_id, Access::Read).await?;
    Ok(store.list_webhooks(board_id, page).await?)
}
