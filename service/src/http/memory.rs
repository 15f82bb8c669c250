//! Board memory and chat, with their live stream.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthCaller, PageQuery, empty_as_none};
use super::streams::{EventSse, StreamStart, live_stream};
use crate::actions::identity::{Access, board_for_caller};
use crate::actions::memory;
use crate::app::AppState;
use crate::bus::{BusEvent, Topic};
use crate::wire::PageOf;
use crate::wire::memory::{BoardMemoryCreate, BoardMemoryRead};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemoryQuery {
    #[serde(default, deserialize_with = "empty_as_none")]
    pub is_chat: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/boards/{board_id}/memory", tag = "board-memory", security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(("board_id" = Uuid, Path), MemoryQuery, PageQuery), responses((status = 200, body = PageOf<BoardMemoryRead>)))]
pub async fn list_memory(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiQuery(f): ApiQuery<MemoryQuery>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<PageOf<BoardMemoryRead>> {
    let page = q.page()?;
    let found = memory::list(&app.store, &caller, board_id, f.is_chat, page).await?;
    Ok(PageOf::new(found, page, BoardMemoryRead::from))
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
    #[param(schema_with = super::doc_inputs::since_schema)]
    pub since: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub is_chat: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/boards/{board_id}/memory/stream", tag = "board-memory", security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(("board_id" = Uuid, Path), MemoryStreamQuery),
    responses((status = 200, description = "Server-sent events named `memory`: `{memory}`. A subscriber that falls behind gets `resync`. The body is always `text/event-stream`; the JSON entry mirrors the reference contract.", content(("text/event-stream"), (serde_json::Value = "application/json")))))]
pub async fn stream_memory(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<MemoryStreamQuery>,
    start: StreamStart,
) -> ApiResult<EventSse> {
    let cursor = start.cursor()?;
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
