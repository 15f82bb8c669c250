//! The organization dashboard's metrics.

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardKpis {
    pub active_agents: i64,
    pub tasks_in_progress: i64,
    pub inbox_tasks: i64,
    pub in_progress_tasks: i64,
    pub review_tasks: i64,
    pub done_tasks: i64,
    pub error_rate_pct: f64,
    pub median_cycle_time_hours_7d: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardSeriesPoint {
    #[serde(serialize_with = "super::time::utc")]
    pub period: NaiveDateTime,
    pub value: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardRangeSeries {
    pub range: String,
    pub bucket: String,
    pub points: Vec<DashboardSeriesPoint>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardSeriesSet {
    pub primary: DashboardRangeSeries,
    pub comparison: DashboardRangeSeries,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardWipPoint {
    #[serde(serialize_with = "super::time::utc")]
    pub period: NaiveDateTime,
    pub inbox: i64,
    pub in_progress: i64,
    pub review: i64,
    pub done: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardWipRangeSeries {
    pub range: String,
    pub bucket: String,
    pub points: Vec<DashboardWipPoint>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardWipSeriesSet {
    pub primary: DashboardWipRangeSeries,
    pub comparison: DashboardWipRangeSeries,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardPendingApproval {
    pub approval_id: Uuid,
    pub board_id: Uuid,
    pub board_name: String,
    pub action_type: String,
    pub confidence: f64,
    #[serde(serialize_with = "super::time::utc")]
    pub created_at: NaiveDateTime,
    pub task_title: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardPendingApprovals {
    pub total: i64,
    pub items: Vec<DashboardPendingApproval>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardMetrics {
    pub range: String,
    #[serde(serialize_with = "super::time::utc")]
    pub generated_at: NaiveDateTime,
    pub kpis: DashboardKpis,
    pub throughput: DashboardSeriesSet,
    pub cycle_time: DashboardSeriesSet,
    pub error_rate: DashboardSeriesSet,
    pub wip: DashboardWipSeriesSet,
    pub pending_approvals: DashboardPendingApprovals,
}
