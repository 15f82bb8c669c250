//! Approvals on a board, with their live stream.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthCaller, AuthUser, PageQuery, empty_as_none};
use super::streams::{EventSse, SinceQuery, StreamStart, live_stream};
use crate::actions::approvals::{self, ApprovalInput};
use crate::actions::identity::{Access, Caller, board_for_caller};
use crate::app::AppState;
use crate::bus::{BusEvent, Topic};
use crate::wire::PageOf;
use crate::wire::approvals::{ApprovalCreate, ApprovalRead, ApprovalUpdate};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApprovalListQuery {
    /// pending, approved or rejected.
    #[serde(default, deserialize_with = "empty_as_none")]
    #[param(schema_with = crate::wire::schema::approval_status)]
    pub status: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/boards/{board_id}/approvals", tag = "approvals", security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(("board_id" = Uuid, Path), ApprovalListQuery, PageQuery), responses((status = 200, body = PageOf<ApprovalRead>)))]
pub async fn list_approvals(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiQuery(f): ApiQuery<ApprovalListQuery>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<PageOf<ApprovalRead>> {
    let page = q.page()?;
    let found = approvals::list(&app.store, &caller, board_id, f.status, page).await?;
    Ok(PageOf::new(found, page, ApprovalRead::from))
}

#[utoipa::path(post, path = "/api/v1/boards/{board_id}/approvals", tag = "approvals", security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(("board_id" = Uuid, Path)), request_body = ApprovalCreate,
    responses((status = 200, body = ApprovalRead), (status = 409, description = "A linked task already has a pending approval")))]
pub async fn create_approval(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ApprovalCreate>,
) -> ApiResult<Json<ApprovalRead>> {
    Ok(Json(
        approvals::create(&app.store, &app.events, &caller, board_id, approval_input(body))
            .await?
            .into(),
    ))
}

/// The action input of an approval create body (users' and agents' routes).
pub fn approval_input(body: ApprovalCreate) -> ApprovalInput {
    ApprovalInput {
        action_type: body.action_type,
        confidence: body.confidence,
        payload: body.payload,
        rubric_scores: body
            .rubric_scores
            .map(|m| serde_json::to_value(m).unwrap_or(Value::Null)),
        status: body.status,
        task_id: body.task_id,
        task_ids: body.task_ids,
        lead_reasoning: body.lead_reasoning,
    }
}

#[utoipa::path(patch, path = "/api/v1/boards/{board_id}/approvals/{approval_id}", tag = "approvals", security(("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), ("approval_id" = Uuid, Path)), request_body = ApprovalUpdate,
    responses((status = 200, body = ApprovalRead)))]
pub async fn update_approval(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath((board_id, id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<ApprovalUpdate>,
) -> ApiResult<Json<ApprovalRead>> {
    Ok(Json(
        approvals::set_status(
            &app.store,
            &app.events,
            &Caller::User(caller),
            board_id,
            id,
            body.status,
        )
        .await?
        .into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/boards/{board_id}/approvals/stream", tag = "approvals", security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(("board_id" = Uuid, Path), SinceQuery),
    responses((status = 200, description = "Server-sent events named `approval`: `{approval, pending_approvals_count}`. A subscriber that falls behind gets `resync`. The body is always `text/event-stream`; the JSON entry mirrors the reference contract.", content(("text/event-stream"), (serde_json::Value = "application/json")))))]
pub async fn stream_approvals(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath(board_id): ApiPath<Uuid>,
    start: StreamStart,
) -> ApiResult<EventSse> {
    let cursor = start.cursor()?;
    let board = board_for_caller(&app.store, &caller, board_id, Access::Read).await?;
    let keep = move |e: &BusEvent| e.topic == Topic::BoardApprovals(board_id);
    live_stream(&app, approvals::stream_backlog(&app.store, &board, &cursor), keep).await
}
