//! Boards.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::AuthCaller;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthUser, PageQuery};
use crate::actions::boards;
use crate::app::AppState;
use crate::wire::agents::AgentRead;
use crate::wire::approvals::ApprovalRead;
use crate::wire::boards::{BoardCreate, BoardRead, BoardWrite};
use crate::wire::boards::{BoardSnapshot, TaskCardRead};
use crate::wire::memory::BoardMemoryRead;
use crate::wire::tasks::TaskRead;
use crate::wire::{OkResponse, PageOf};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardListQuery {
    #[serde(default, deserialize_with = "super::extract::empty_as_none")]
    pub gateway_id: Option<Uuid>,
    #[serde(default, deserialize_with = "super::extract::empty_as_none")]
    pub board_group_id: Option<Uuid>,
}

#[utoipa::path(get, path = "/api/v1/boards", tag = "boards", security(("HTTPBearer" = [])),
    params(BoardListQuery, PageQuery), responses((status = 200, body = PageOf<BoardRead>)))]
pub async fn list_boards(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiQuery(filter): ApiQuery<BoardListQuery>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<PageOf<BoardRead>> {
    let page = q.page()?;
    let found = boards::list(&app.store, &caller, filter.gateway_id, filter.board_group_id, page).await?;
    Ok(PageOf::new(found, page, BoardRead::from))
}

#[utoipa::path(post, path = "/api/v1/boards", tag = "boards", security(("HTTPBearer" = [])),
    request_body = BoardCreate, responses((status = 200, body = BoardRead), (status = 403, description = "Organization admin role required")))]
pub async fn create_board(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiJson(body): ApiJson<BoardCreate>,
) -> ApiResult<Json<BoardRead>> {
    Ok(Json(
        boards::create(&app.store, &caller, body.into_write()).await?.into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/boards/{board_id}", tag = "boards", security(("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path)), responses((status = 200, body = BoardRead)))]
pub async fn get_board(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<BoardRead>> {
    Ok(Json(boards::get(&app.store, &caller, id).await?.into()))
}

#[utoipa::path(patch, path = "/api/v1/boards/{board_id}", tag = "boards", security(("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path)), request_body = BoardWrite, responses((status = 200, body = BoardRead)))]
pub async fn update_board(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<BoardWrite>,
) -> ApiResult<Json<BoardRead>> {
    Ok(Json(boards::update(&app.store, &caller, id, body).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/boards/{board_id}", tag = "boards", security(("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path)), responses((status = 200, body = OkResponse)))]
pub async fn delete_board(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<OkResponse>> {
    boards::delete(&app, &caller, id).await?;
    Ok(Json(OkResponse::ok()))
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
