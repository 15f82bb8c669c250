//! Boards.

use chrono::NaiveDateTime;
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BoardRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub gateway_id: Option<Uuid>,
    pub board_group_id: Option<Uuid>,
    pub board_type: String,
    pub objective: Option<String>,
    #[sqlx(json(nullable))]
    pub success_metrics: Option<Value>,
    pub target_date: Option<NaiveDateTime>,
    pub goal_confirmed: bool,
    pub goal_source: Option<String>,
    pub require_approval_for_done: bool,
    pub require_review_before_done: bool,
    pub comment_required_for_review: bool,
    pub block_status_changes_with_pending_approval: bool,
    pub only_lead_can_change_status: bool,
    pub max_agents: i32,
    /// In-progress tasks of an assignee silent this long go back to the inbox (off when None).
    pub stale_claim_timeout_seconds: Option<i32>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Which boards to list.
#[derive(Debug, Clone, Default)]
pub struct BoardFilter {
    pub organization_id: Uuid,
    pub gateway_id: Option<Uuid>,
    pub board_group_id: Option<Uuid>,
    /// Only boards this member has a per-board read grant on (members without blanket access).
    pub granted_to_member: Option<Uuid>,
    /// Only this board (a board-bound agent's view).
    pub only_board: Option<Uuid>,
}

/// Which boards a feed or a dashboard may show: the organization's, optionally one board,
/// optionally only those granted to a member without blanket access.
#[derive(Debug, Clone, Default)]
pub struct BoardScope {
    pub organization_id: Uuid,
    pub board_id: Option<Uuid>,
    pub granted_to_member: Option<Uuid>,
}
