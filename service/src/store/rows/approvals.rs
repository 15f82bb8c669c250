//! Approvals.

use chrono::NaiveDateTime;
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApprovalRow {
    pub id: Uuid,
    pub board_id: Uuid,
    pub task_id: Option<Uuid>,
    pub agent_id: Option<Uuid>,
    pub action_type: String,
    #[sqlx(json(nullable))]
    pub payload: Option<Value>,
    pub confidence: f64,
    #[sqlx(json(nullable))]
    pub rubric_scores: Option<Value>,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub resolved_at: Option<NaiveDateTime>,
}

/// An approval with its linked tasks (ordered) and their titles.
#[derive(Debug, Clone)]
pub struct ApprovalView {
    pub approval: ApprovalRow,
    pub task_ids: Vec<Uuid>,
    pub task_titles: Vec<String>,
}

/// A pending approval already linked to a task that a write would link to another pending one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct PendingApprovalConflict {
    pub task_id: Uuid,
    pub approval_id: Uuid,
}

/// The outcome of an approval write: the approval as stored now, or the pending approvals in
/// its way (a task has at most one pending approval).
#[derive(Debug, Clone)]
pub enum ApprovalWrite {
    Written(Box<ApprovalView>),
    PendingConflicts(Vec<PendingApprovalConflict>),
}
