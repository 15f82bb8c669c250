//! Approvals, board memory and chat, webhooks (listing), with their live streams.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthCaller, PageQuery, empty_as_none};
use super::streams::{EventSse, SinceQuery, cursor, live_stream};
use super::views::{
    ApprovalCreate, ApprovalRead, ApprovalUpdate, BoardMemoryCreate, BoardMemoryRead, BoardWebhookRead, Page,
};
use crate::actions::approvals::{self, ApprovalInput};
use crate::actions::identity::{Access, board_for_caller};
use crate::actions::{memory, webhooks};
use crate::app::AppState;
use crate::bus::{BusEvent, Topic};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApprovalListQuery {
    /// pending, approved or rejected.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub status: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/boards/{board_id}/approvals", tag = "approvals", security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(("board_id" = Uuid, Path), ApprovalListQuery, PageQuery), responses((status = 200, body = Page<ApprovalRead>)))]
pub async fn list_approvals(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiQuery(f): ApiQuery<ApprovalListQuery>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Page<ApprovalRead>> {
    let page = q.page()?;
    let found = approvals::list(&app.store, &caller, board_id, f.status, page).await?;
    Ok(Page::from(found, page, ApprovalRead::from))
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
    let input = ApprovalInput {
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
    };
    Ok(Json(
        approvals::create(&app.store, &app.events, &caller, board_id, input)
            .await?
            .into(),
    ))
}

#[utoipa::path(patch, path = "/api/v1/boards/{board_id}/approvals/{approval_id}", tag = "approvals", security(("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), ("approval_id" = Uuid, Path)), request_body = ApprovalUpdate,
    responses((status = 200, body = ApprovalRead)))]
pub async fn update_approval(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath((board_id, id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<ApprovalUpdate>,
) -> ApiResult<Json<ApprovalRead>> {
    Ok(Json(
        approvals::set_status(&app.store, &app.events, &caller, board_id, id, body.status)
            .await?
            .into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/boards/{board_id}/approvals/stream", tag = "approvals", security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(("board_id" = Uuid, Path), SinceQuery),
    responses((status = 200, description = "Server-sent events named `approval`: `{approval, pending_approvals_count}`. The body is always `text/event-stream`; the JSON entry mirrors the reference contract.", content(("text/event-stream"), (serde_json::Value = "application/json")))))]
pub async fn stream_approvals(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<SinceQuery>,
    headers: HeaderMap,
) -> ApiResult<EventSse> {
    let cursor = cursor(&headers, q.since.as_deref())?;
    let board = board_for_caller(&app.store, &caller, board_id, Access::Read).await?;
    let keep = move |e: &BusEvent| e.topic == Topic::BoardApprovals(board_id);
    live_stream(&app, approvals::stream_backlog(&app.store, &board, &cursor), keep).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemoryQuery {
    #[serde(default, deserialize_with = "empty_as_none")]
    pub is_chat: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/boards/{board_id}/memory", tag = "board-memory", security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(("board_id" = Uuid, Path), MemoryQuery, PageQuery), responses((status = 200, body = Page<BoardMemoryRead>)))]
pub async fn list_memory(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiQuery(f): ApiQuery<MemoryQuery>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Page<BoardMemoryRead>> {
    let page = q.page()?;
    let found = memory::list(&app.store, &caller, board_id, f.is_chat, page).await?;
    Ok(Page::from(found, page, BoardMemoryRead::from))
}

#[utoipa::path(post, path = "/api/v1/boards/{board_id}/memory", tag = "board-memory", security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(("board_id" = Uuid, Path)), request_body = BoardMemoryCreate, responses((status = 200, body = BoardMemoryRead)))]
pub async fn create_memory(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<BoardMemoryCreate>,
) -> ApiResult<Json<BoardMemoryRead>> {
    let row = memory::create(
        &app.store,
        &app.events,
        &caller,
        board_id,
        &body.content,
        body.tags,
        body.source,
    )
    .await?;
    Ok(Json(row.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemoryStreamQuery {
    /// ISO-8601 time to replay from, or `null` for "from now".
    pub since: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub is_chat: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/boards/{board_id}/memory/stream", tag = "board-memory", security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(("board_id" = Uuid, Path), MemoryStreamQuery),
    responses((status = 200, description = "Server-sent events named `memory`: `{memory}`. The body is always `text/event-stream`; the JSON entry mirrors the reference contract.", content(("text/event-stream"), (serde_json::Value = "application/json")))))]
pub async fn stream_memory(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<MemoryStreamQuery>,
    headers: HeaderMap,
) -> ApiResult<EventSse> {
    let cursor = cursor(&headers, q.since.as_deref())?;
    let board = board_for_caller(&app.store, &caller, board_id, Access::Read).await?;
    let only_chat = q.is_chat;
    let keep =
        move |e: &BusEvent| e.topic == Topic::BoardMemory(board_id) && only_chat.is_none_or(|c| c == e.is_comment);
    live_stream(
        &app,
        memory::stream_backlog(&app.store, &board, &cursor, q.is_chat),
        keep,
    )
    .await
}

#[utoipa::path(get, path = "/api/v1/boards/{board_id}/webhooks", tag = "board-webhooks", security(("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), PageQuery), responses((status = 200, body = Page<BoardWebhookRead>)))]
pub async fn list_webhooks(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Page<BoardWebhookRead>> {
    let page = q.page()?;
    let found = webhooks::list(&app.store, &caller, board_id, page).await?;
    let base = app.config.base_url.clone();
    Ok(Page::from(found, page, |w| BoardWebhookRead::new(w, base.as_ref())))
}
