//! The dashboard and the board page snapshot.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::error::{ApiError, ApiResult};
use super::extract::{ApiPath, ApiQuery, AuthCaller, AuthUser};
use super::views::{AgentRead, ApprovalRead, BoardMemoryRead, BoardSnapshot, DashboardMetrics, TaskCardRead, TaskRead};
use crate::actions::{FieldError, boards, dashboard};
use crate::app::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// One of 24h, 3d, 7d, 14d, 1m, 3m, 6m, 1y.
    #[param(default = "24h")]
    pub range_key: Option<String>,
    #[serde(default, deserialize_with = "super::extract::empty_as_none")]
    pub board_id: Option<Uuid>,
    /// Accepted for compatibility; board groups are not part of this filter yet.
    #[serde(default, deserialize_with = "super::extract::empty_as_none")]
    pub group_id: Option<Uuid>,
}

#[utoipa::path(get, path = "/api/v1/metrics/dashboard", tag = "metrics", security(("HTTPBearer" = [])),
    params(DashboardQuery), responses((status = 200, body = DashboardMetrics)))]
pub async fn get_dashboard(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> ApiResult<Json<DashboardMetrics>> {
    let key = q.range_key.as_deref().unwrap_or("24h");
    match dashboard::dashboard(&app.store, &caller, key, q.board_id).await? {
        Some(m) => Ok(Json(m)),
        None => Err(ApiError::Validation(vec![FieldError {
            loc: vec!["query".into(), "range_key".into()],
            msg: format!("Input should be one of {}", dashboard::RANGE_KEYS.join(", ")),
            kind: "enum".to_owned(),
        }])),
    }
}

#[utoipa::path(get, path = "/api/v1/boards/{board_id}/snapshot", tag = "boards", security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(("board_id" = Uuid, Path)), responses((status = 200, body = BoardSnapshot)))]
pub async fn get_board_snapshot(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath(board_id): ApiPath<Uuid>,
) -> ApiResult<Json<BoardSnapshot>> {
    let boards::Snapshot {
        board,
        rows,
        approvals,
        chat,
    } = boards::snapshot(&app.store, &caller, board_id).await?;
    let names: std::collections::HashMap<Uuid, String> = rows.agents.iter().map(|a| (a.id, a.name.clone())).collect();
    let tasks = rows
        .tasks
        .into_iter()
        .map(|t| {
            let assignee = t.task.assigned_agent_id.and_then(|a| names.get(&a).cloned());
            let (approvals_count, approvals_pending_count) =
                rows.approval_counts.get(&t.task.id).copied().unwrap_or((0, 0));
            TaskCardRead {
                task: TaskRead::from(t),
                assignee,
                approvals_count,
                approvals_pending_count,
            }
        })
        .collect();
    Ok(Json(BoardSnapshot {
        board: board.into(),
        tasks,
        agents: rows.agents.into_iter().map(AgentRead::from).collect(),
        approvals: approvals.into_iter().map(ApprovalRead::from).collect(),
        chat_messages: chat.into_iter().map(BoardMemoryRead::from).collect(),
        pending_approvals_count: rows.pending_approvals,
    }))
}
