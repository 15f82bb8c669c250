//! Board group memory, through the group (users) or through one of its boards (users and
//! agents), with live streams.

use axum::Json;
use axum::extract::State;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthCaller, AuthUser, PageQuery};
use super::memory::{MemoryQuery, MemoryStreamQuery};
use super::streams::{EventSse, StreamStart, live_stream};
use crate::actions::group_memory::{self as gm, GroupRef};
use crate::actions::identity::{Access, Caller};
use crate::app::AppState;
use crate::bus::{BusEvent, Topic};
use crate::wire::PageOf;
use crate::wire::group_memory::{BoardGroupMemoryCreate, BoardGroupMemoryRead};

#[utoipa::path(get, path = "/api/v1/board-groups/{group_id}/memory", tag = "board-group-memory", security(("HTTPBearer" = [])),
    params(("group_id" = Uuid, Path), MemoryQuery, PageQuery), responses((status = 200, body = PageOf<BoardGroupMemoryRead>), (status = 403), (status = 404)))]
pub async fn list_board_group_memory(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(group_id): ApiPath<Uuid>,
    ApiQuery(f): ApiQuery<MemoryQuery>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<PageOf<BoardGroupMemoryRead>> {
    let page = q.page()?;
    let group = gm::group_for_user(&app.store, &caller, group_id, Access::Read).await?;
    let found = gm::list(&app.store, Some(group), f.is_chat, page).await?;
    Ok(PageOf::new(found, page, BoardGroupMemoryRead::from))
}

#[utoipa::path(post, path = "/api/v1/board-groups/{group_id}/memory", tag = "board-group-memory", security(("HTTPBearer" = [])),
    params(("group_id" = Uuid, Path)), request_body = BoardGroupMemoryCreate,
    responses((status = 200, body = BoardGroupMemoryRead), (status = 403), (status = 404)))]
pub async fn create_board_group_memory(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(group_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<BoardGroupMemoryCreate>,
) -> ApiResult<Json<BoardGroupMemoryRead>> {
    let group = gm::group_for_user(&app.store, &caller, group_id, Access::Write).await?;
    create(&app, &Caller::User(caller), group, body).await
}

#[utoipa::path(get, path = "/api/v1/board-groups/{group_id}/memory/stream", tag = "board-group-memory", security(("HTTPBearer" = [])),
    params(("group_id" = Uuid, Path), MemoryStreamQuery),
    responses((status = 200, description = "Server-sent events named `memory`: `{memory}` (a group memory entry). A subscriber that falls behind gets `resync`. The body is always `text/event-stream`; the JSON entry mirrors the reference contract.", content(("text/event-stream"), (serde_json::Value = "application/json"))), (status = 403), (status = 404)))]
pub async fn stream_board_group_memory(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(group_id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<MemoryStreamQuery>,
    start: StreamStart,
) -> ApiResult<EventSse> {
    let cursor = start.cursor()?;
    let group = gm::group_for_user(&app.store, &caller, group_id, Access::Read).await?;
    stream(&app, Some(group), &cursor, q.is_chat).await
}

#[utoipa::path(get, path = "/api/v1/boards/{board_id}/group-memory", tag = "board-group-memory", security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(("board_id" = Uuid, Path), MemoryQuery, PageQuery),
    responses((status = 200, body = PageOf<BoardGroupMemoryRead>), (status = 403), (status = 404)))]
pub async fn list_board_group_memory_for_board(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiQuery(f): ApiQuery<MemoryQuery>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<PageOf<BoardGroupMemoryRead>> {
    let page = q.page()?;
    let group = gm::group_of_board(&app.store, &caller, board_id, Access::Read).await?;
    let found = gm::list(&app.store, group, f.is_chat, page).await?;
    Ok(PageOf::new(found, page, BoardGroupMemoryRead::from))
}

#[utoipa::path(post, path = "/api/v1/boards/{board_id}/group-memory", tag = "board-group-memory", security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(("board_id" = Uuid, Path)), request_body = BoardGroupMemoryCreate,
    responses((status = 200, body = BoardGroupMemoryRead), (status = 403), (status = 404)))]
pub async fn create_board_group_memory_for_board(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<BoardGroupMemoryCreate>,
) -> ApiResult<Json<BoardGroupMemoryRead>> {
    let group = gm::group_of_board(&app.store, &caller, board_id, Access::Write).await?;
    create(&app, &caller, gm::require_group(group)?, body).await
}

#[utoipa::path(get, path = "/api/v1/boards/{board_id}/group-memory/stream", tag = "board-group-memory", security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(("board_id" = Uuid, Path), MemoryStreamQuery),
    responses((status = 200, description = "Server-sent events named `memory`: `{memory}` (an entry of the board's group; nothing when the board has no group). A subscriber that falls behind gets `resync`. The body is always `text/event-stream`; the JSON entry mirrors the reference contract.", content(("text/event-stream"), (serde_json::Value = "application/json"))), (status = 403), (status = 404)))]
pub async fn stream_board_group_memory_for_board(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<MemoryStreamQuery>,
    start: StreamStart,
) -> ApiResult<EventSse> {
    let cursor = start.cursor()?;
    let group = gm::group_of_board(&app.store, &caller, board_id, Access::Read).await?;
    stream(&app, group, &cursor, q.is_chat).await
}

async fn create(
    app: &AppState,
    caller: &Caller,
    group: GroupRef,
    body: BoardGroupMemoryCreate,
) -> ApiResult<Json<BoardGroupMemoryRead>> {
    let row = gm::create(
        &app.store,
        &app.events,
        caller,
        group,
        &body.content,
        body.tags,
        body.source,
    )
    .await?;
    Ok(Json(row.into()))
}

async fn stream(
    app: &AppState,
    group: Option<GroupRef>,
    cursor: &crate::actions::activity::Cursor,
    is_chat: Option<bool>,
) -> ApiResult<EventSse> {
    let topic = group.map(|g| Topic::GroupMemory(g.id));
    let keep = move |e: &BusEvent| topic == Some(e.topic) && is_chat.is_none_or(|c| c == e.is_comment);
    live_stream(app, gm::stream_backlog(&app.store, group, cursor, is_chat), keep).await
}
