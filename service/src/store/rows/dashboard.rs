//! Board snapshot and dashboard read models.

use chrono::NaiveDateTime;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct BoardSnapshotRows {
    pub tasks: Vec<super::TaskRecord>,
    pub agents: Vec<super::AgentRow>,
    pub pending_approvals: i64,
    /// Per task: (approvals linked, of which pending).
    pub approval_counts: std::collections::HashMap<Uuid, (i64, i64)>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DashboardTaskRow {
    pub id: Uuid,
    pub status: String,
    pub in_progress_at: Option<NaiveDateTime>,
    pub previous_in_progress_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingApprovalRow {
    pub id: Uuid,
    pub board_id: Uuid,
    pub board_name: String,
    pub action_type: String,
    pub confidence: f64,
    pub created_at: NaiveDateTime,
    pub task_title: Option<String>,
}

#[derive(Debug, Clone)]
pub struct DashboardRows {
    pub tasks: Vec<DashboardTaskRow>,
    pub activity: Vec<super::ActivityRow>,
    pub active_agents: i64,
    pub pending: Vec<PendingApprovalRow>,
}
