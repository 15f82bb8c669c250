//! Board groups, their snapshots and heartbeat settings, and a board's group snapshot.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthEither, AuthUser, PageQuery};
use crate::actions::board_groups::{self, BoardSnapshot, GroupInput, GroupSnapshot, SnapshotOptions};
use crate::app::AppState;
use crate::wire::board_groups::{
    BoardGroupBoardSnapshot, BoardGroupCreate, BoardGroupHeartbeatApply, BoardGroupHeartbeatApplyResult,
    BoardGroupRead, BoardGroupSnapshot, BoardGroupUpdate,
};
use crate::wire::{OkResponse, PageOf};

impl From<BoardSnapshot> for BoardGroupBoardSnapshot {
    fn from(s: BoardSnapshot) -> Self {
        Self {
            board: s.board.into(),
            task_counts: s.task_counts,
            tasks: s.tasks.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<GroupSnapshot> for BoardGroupSnapshot {
    fn from(s: GroupSnapshot) -> Self {
        Self {
            group: s.group.map(Into::into),
            boards: s.boards.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GroupSnapshotQuery {
    #[param(default = false)]
    pub include_done: Option<bool>,
    #[param(default = 5, minimum = 0, maximum = 100)]
    pub per_board_task_limit: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardGroupSnapshotQuery {
    /// Include the board itself among its group's boards.
    #[param(default = false)]
    pub include_self: Option<bool>,
    #[param(default = false)]
    pub include_done: Option<bool>,
    #[param(default = 5, minimum = 0, maximum = 100)]
    pub per_board_task_limit: Option<i64>,
}

const DEFAULT_PER_BOARD_TASKS: i64 = 5;

#[utoipa::path(get, path = "/api/v1/board-groups", tag = "board-groups", security(("HTTPBearer" = [])),
    params(PageQuery), responses((status = 200, body = PageOf<BoardGroupRead>)))]
pub async fn list_board_groups(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<PageOf<BoardGroupRead>> {
    let page = q.page()?;
    let found = board_groups::list(&app.store, &caller, page).await?;
    Ok(PageOf::new(found, page, BoardGroupRead::from))
}

#[utoipa::path(post, path = "/api/v1/board-groups", tag = "board-groups", security(("HTTPBearer" = [])),
    request_body = BoardGroupCreate, responses((status = 200, body = BoardGroupRead), (status = 403, description = "Organization admin role required")))]
pub async fn create_board_group(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiJson(body): ApiJson<BoardGroupCreate>,
) -> ApiResult<Json<BoardGroupRead>> {
    let input = GroupInput {
        name: Some(body.name),
        slug: Some(body.slug),
        description: Some(body.description),
    };
    Ok(Json(board_groups::create(&app.store, &caller, input).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/board-groups/{group_id}", tag = "board-groups", security(("HTTPBearer" = [])),
    params(("group_id" = Uuid, Path)), responses((status = 200, body = BoardGroupRead)))]
pub async fn get_board_group(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<BoardGroupRead>> {
    Ok(Json(board_groups::get(&app.store, &caller, id).await?.into()))
}

#[utoipa::path(patch, path = "/api/v1/board-groups/{group_id}", tag = "board-groups", security(("HTTPBearer" = [])),
    params(("group_id" = Uuid, Path)), request_body = BoardGroupUpdate, responses((status = 200, body = BoardGroupRead), (status = 403, description = "Organization admin role required")))]
pub async fn update_board_group(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<BoardGroupUpdate>,
) -> ApiResult<Json<BoardGroupRead>> {
    let input = GroupInput {
        name: body.name,
        slug: body.slug,
        description: body.description,
    };
    Ok(Json(board_groups::update(&app.store, &caller, id, input).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/board-groups/{group_id}", tag = "board-groups", security(("HTTPBearer" = [])),
    params(("group_id" = Uuid, Path)), responses((status = 200, body = OkResponse), (status = 403, description = "Organization admin role required")))]
pub async fn delete_board_group(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<OkResponse>> {
    board_groups::delete(&app.store, &caller, id).await?;
    Ok(Json(OkResponse::ok()))
}

#[utoipa::path(get, path = "/api/v1/board-groups/{group_id}/snapshot", tag = "board-groups",
    security(("HTTPBearer" = [])), params(("group_id" = Uuid, Path), GroupSnapshotQuery),
    responses((status = 200, body = BoardGroupSnapshot)))]
pub async fn get_board_group_snapshot(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<GroupSnapshotQuery>,
) -> ApiResult<Json<BoardGroupSnapshot>> {
    let options = SnapshotOptions::new(
        q.include_done.unwrap_or(false),
        q.per_board_task_limit.unwrap_or(DEFAULT_PER_BOARD_TASKS),
    )?;
    Ok(Json(
        board_groups::snapshot(&app.store, &caller, id, options).await?.into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/board-groups/{group_id}/heartbeat", tag = "board-groups",
    security(("HTTPBearer" = []), ("AgentToken" = [])), params(("group_id" = Uuid, Path)),
    request_body = BoardGroupHeartbeatApply, responses((status = 200, body = BoardGroupHeartbeatApplyResult), (status = 403, description = "Not an organization admin, or the agent is not the group's lead")))]
pub async fn apply_board_group_heartbeat(
    State(app): State<AppState>,
    AuthEither(caller): AuthEither,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<BoardGroupHeartbeatApply>,
) -> ApiResult<Json<BoardGroupHeartbeatApplyResult>> {
    let done = board_groups::apply_heartbeat(&app.store, &caller, id, &body.every, body.include_board_leads).await?;
    Ok(Json(BoardGroupHeartbeatApplyResult {
        board_group_id: done.board_group_id,
        requested: done.requested,
        updated_agent_ids: done.updated_agent_ids,
        failed_agent_ids: done.failed_agent_ids,
    }))
}

#[utoipa::path(get, path = "/api/v1/boards/{board_id}/group-snapshot", tag = "boards",
    security(("HTTPBearer" = []), ("AgentToken" = [])), params(("board_id" = Uuid, Path), BoardGroupSnapshotQuery),
    responses((status = 200, body = BoardGroupSnapshot)))]
pub async fn get_board_group_snapshot_for_board(
    State(app): State<AppState>,
    AuthEither(caller): AuthEither,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<BoardGroupSnapshotQuery>,
) -> ApiResult<Json<BoardGroupSnapshot>> {
    let options = SnapshotOptions::new(
        q.include_done.unwrap_or(false),
        q.per_board_task_limit.unwrap_or(DEFAULT_PER_BOARD_TASKS),
    )?;
    let snapshot =
        board_groups::board_snapshot(&app.store, &caller, board_id, q.include_self.unwrap_or(false), options).await?;
    Ok(Json(snapshot.into()))
}
