//! Boards: create, read, change settings, delete with everything under them. Creates and
//! updates take the contract's [`BoardWrite`] fields as they are (`None` leaves a field
//! alone or takes the default on create, `Some(None)` clears a nullable one).

use serde_json::Value;
use uuid::Uuid;

use super::identity::{Access, UserCaller, board_for_user};
use super::{Error, FieldError, Result, deleted, non_blank};
use crate::domain::{Page, Paged, now};
use crate::store::{BoardFilter, BoardRow, Store};
use crate::wire::boards::BoardWrite;

pub async fn list(
    store: &Store,
    caller: &UserCaller,
    gateway_id: Option<Uuid>,
    board_group_id: Option<Uuid>,
    page: Page,
) -> Result<Paged<BoardRow>> {
    let m = &caller.member;
    let filter = BoardFilter {
        organization_id: caller.organization_id(),
        gateway_id,
        board_group_id,
        granted_to_member: (!(m.all_boards_read || m.all_boards_write)).then_some(m.id),
        only_board: None,
    };
    Ok(store.list_boards(&filter, page).await?)
}

pub async fn get(store: &Store, caller: &UserCaller, id: Uuid) -> Result<BoardRow> {
    board_for_user(store, caller, id, Access::Read).await
}

async fn check_links(store: &Store, caller: &UserCaller, input: &BoardWrite) -> Result<()> {
    if let Some(Some(gateway)) = input.gateway_id
        && store.get_gateway(caller.organization_id(), gateway).await?.is_none()
    {
        return Err(Error::Invalid(vec![FieldError::body(
            "gateway_id",
            "Gateway not found in this organization",
        )]));
    }
    if let Some(Some(group)) = input.board_group_id
        && !store.board_group_exists(caller.organization_id(), group).await?
    {
        return Err(Error::Invalid(vec![FieldError::body(
            "board_group_id",
            "Board group not found in this organization",
        )]));
    }
    Ok(())
}

fn apply(row: &mut BoardRow, input: BoardWrite) -> Result<()> {
    if let Some(name) = input.name {
        row.name = non_blank("name", &name)?;
    }
    if let Some(slug) = input.slug {
        row.slug = non_blank("slug", &slug)?;
    }
    if let Some(description) = input.description {
        row.description = non_blank("description", &description)?;
    }
    if let Some(gateway) = input.gateway_id {
        row.gateway_id = gateway;
    }
    if let Some(group) = input.board_group_id {
        row.board_group_id = group;
    }
    if let Some(board_type) = input.board_type {
        if !["goal", "general"].contains(&board_type.as_str()) {
            return Err(Error::Invalid(vec![FieldError::body(
                "board_type",
                "board_type must be goal or general",
            )]));
        }
        row.board_type = board_type;
    }
    if let Some(v) = input.objective {
        row.objective = v;
    }
    if let Some(v) = input.success_metrics {
        row.success_metrics = v.map(Value::Object);
    }
    if let Some(v) = input.target_date {
        row.target_date = v;
    }
    if let Some(v) = input.goal_confirmed {
        row.goal_confirmed = v;
    }
    if let Some(v) = input.goal_source {
        row.goal_source = v;
    }
    if let Some(v) = input.require_approval_for_done {
        row.require_approval_for_done = v;
    }
    if let Some(v) = input.require_review_before_done {
        row.require_review_before_done = v;
    }
    if let Some(v) = input.comment_required_for_review {
        row.comment_required_for_review = v;
    }
    if let Some(v) = input.block_status_changes_with_pending_approval {
        row.block_status_changes_with_pending_approval = v;
    }
    if let Some(v) = input.only_lead_can_change_status {
        row.only_lead_can_change_status = v;
    }
    if let Some(v) = input.max_agents {
        if v < 0 {
            return Err(Error::Invalid(vec![FieldError::body(
                "max_agents",
                "max_agents must be 0 or more",
            )]));
        }
        row.max_agents = v;
    }
    if let Some(v) = input.stale_claim_timeout_seconds {
        if v.is_some_and(|s| !crate::domain::stale_claims::TIMEOUT_RANGE.contains(&s)) {
            return Err(Error::Invalid(vec![FieldError::body(
                "stale_claim_timeout_seconds",
                "stale_claim_timeout_seconds must be between 60 and 604800, or null",
            )]));
        }
        row.stale_claim_timeout_seconds = v;
    }
    Ok(())
}

pub async fn create(store: &Store, caller: &UserCaller, input: BoardWrite) -> Result<BoardRow> {
    caller.require_admin()?;
    check_links(store, caller, &input).await?;
    let now = now();
    let mut row = BoardRow {
        id: Uuid::new_v4(),
        organization_id: caller.organization_id(),
        name: non_blank("name", input.name.as_deref().unwrap_or_default())?,
        slug: String::new(),
        description: non_blank("description", input.description.as_deref().unwrap_or_default())?,
        gateway_id: None,
        board_group_id: None,
        board_type: "goal".to_owned(),
        objective: None,
        success_metrics: None,
        target_date: None,
        goal_confirmed: false,
        goal_source: None,
        require_approval_for_done: true,
        require_review_before_done: false,
        comment_required_for_review: false,
        block_status_changes_with_pending_approval: false,
        only_lead_can_change_status: false,
        max_agents: 1,
        stale_claim_timeout_seconds: None,
        created_at: now,
        updated_at: now,
    };
    let slug = input.slug.clone();
    apply(&mut row, input)?;
    row.slug = match slug {
        Some(s) => non_blank("slug", &s)?,
        None => crate::domain::slugify(&row.name, "board"),
    };
    store.insert_board(&row).await?;
    Ok(row)
}

pub async fn update(store: &Store, caller: &UserCaller, id: Uuid, input: BoardWrite) -> Result<BoardRow> {
    let mut row = board_for_user(store, caller, id, Access::Write).await?;
    if matches!(input.gateway_id, Some(None)) && row.gateway_id.is_some() {
        return Err(Error::Invalid(vec![FieldError::body(
            "gateway_id",
            "gateway_id cannot be cleared once set",
        )]));
    }
    check_links(store, caller, &input).await?;
    apply(&mut row, input)?;
    row.updated_at = now();
    store.update_board(&row).await?;
    Ok(row)
}

/// Deletes a board: its agents are removed from the gateway first (502 when the gateway
/// fails for any reason but not knowing the agent), then everything under it.
pub async fn delete(app: &crate::app::AppState, caller: &UserCaller, id: Uuid) -> Result<()> {
    let store = &app.store;
    let board = board_for_user(store, caller, id, Access::Write).await?;
    if board.gateway_id.is_some() {
        for agent in store.board_agents(id).await? {
            super::provisioning::remove(app, &agent).await?;
        }
    }
    deleted(store.delete_board(id).await?, "Board not found")
}

/// Everything the board page shows at once: the board, its tasks and agents, its newest
/// approvals and its latest chat messages (oldest first), up to 200 of each.
pub async fn snapshot(store: &Store, caller: &super::identity::Caller, id: Uuid) -> Result<Snapshot> {
    let board = super::identity::board_for_caller(store, caller, id, Access::Read).await?;
    let rows = store.board_snapshot(id).await?;
    let page = Page { limit: 200, offset: 0 };
    let approvals = store.list_approvals(id, None, page).await?.items;
    let mut chat = store.list_memory(id, Some(true), page).await?.items;
    chat.reverse();
    Ok(Snapshot {
        board,
        rows,
        approvals,
        chat,
    })
}

pub struct Snapshot {
    pub board: BoardRow,
    pub rows: crate::store::BoardSnapshotRows,
    pub approvals: Vec<crate::store::ApprovalView>,
    pub chat: Vec<crate::store::MemoryRow>,
}
