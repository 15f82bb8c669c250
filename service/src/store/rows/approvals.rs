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
