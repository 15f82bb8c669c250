//! Boards.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthUser, PageQuery};
use super::views::{BoardCreate, BoardRead, BoardWrite, OkResponse, Page};
use crate::actions::boards;
use crate::app::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardListQuery {
    #[serde(default, deserialize_with = "super::extract::empty_as_none")]
    pub gateway_id: Option<Uuid>,
    #[serde(default, deserialize_with = "super::extract::empty_as_none")]
    pub board_group_id: Option<Uuid>,
}

#[utoipa::path(get, path = "/api/v1/boards", tag = "boards", security(("HTTPBearer" = [])),
    params(BoardListQuery, PageQuery), responses((status = 200, body = Page<BoardRead>)))]
pub async fn list_boards(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiQuery(filter): ApiQuery<BoardListQuery>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Page<BoardRead>> {
    let page = q.page()?;
    let found = boards::list(&app.store, &caller, filter.gateway_id, filter.board_group_id, page).await?;
    Ok(Page::from(found, page, BoardRead::from))
}

#[utoipa::path(post, path = "/api/v1/boards", tag = "boards", security(("HTTPBearer" = [])),
    request_body = BoardCreate, responses((status = 200, body = BoardRead)))]
pub async fn create_board(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiJson(body): ApiJson<BoardCreate>,
) -> ApiResult<Json<BoardRead>> {
    Ok(Json(boards::create(&app.store, &caller, body.into()).await?.into()))
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
    Ok(Json(boards::update(&app.store, &caller, id, body.into()).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/boards/{board_id}", tag = "boards", security(("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path)), responses((status = 200, body = OkResponse)))]
pub async fn delete_board(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<OkResponse>> {
    boards::delete(&app.store, &caller, id).await?;
    Ok(Json(OkResponse::ok()))
}
