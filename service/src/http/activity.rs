//! Task comments and the activity feeds.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthCaller, AuthUser, PageQuery};
use super::views::{ActivityEventRead, ActivityTaskCommentFeedItemRead, Page, TaskCommentCreate, TaskCommentRead};
use crate::actions::{activity, comments};
use crate::app::AppState;

#[utoipa::path(get, path = "/api/v1/boards/{board_id}/tasks/{task_id}/comments", tag = "tasks",
    security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(("board_id" = Uuid, Path), ("task_id" = Uuid, Path), PageQuery), responses((status = 200, body = Page<TaskCommentRead>)))]
pub async fn list_task_comments(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath((board_id, task_id)): ApiPath<(Uuid, Uuid)>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<TaskCommentRead>>> {
    let page = q.page()?;
    let found = comments::list(&app.store, &caller, board_id, task_id, page).await?;
    Ok(Json(Page::from(found, page, TaskCommentRead::from)))
}

#[utoipa::path(post, path = "/api/v1/boards/{board_id}/tasks/{task_id}/comments", tag = "tasks",
    security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(("board_id" = Uuid, Path), ("task_id" = Uuid, Path)), request_body = TaskCommentCreate,
    responses((status = 200, body = TaskCommentRead)))]
pub async fn create_task_comment(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath((board_id, task_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<TaskCommentCreate>,
) -> ApiResult<Json<TaskCommentRead>> {
    let row = comments::create(&app.store, &app.events, &caller, board_id, task_id, &body.message).await?;
    Ok(Json(row.into()))
}

#[utoipa::path(get, path = "/api/v1/activity", tag = "activity", security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(PageQuery), responses((status = 200, body = Page<ActivityEventRead>)))]
pub async fn list_activity(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<ActivityEventRead>>> {
    let page = q.page()?;
    let found = activity::list(&app.store, &caller, page).await?;
    Ok(Json(Page::from(found, page, ActivityEventRead::from)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    pub board_id: Option<Uuid>,
}

#[utoipa::path(get, path = "/api/v1/activity/task-comments", tag = "activity", security(("HTTPBearer" = [])),
    params(FeedQuery, PageQuery), responses((status = 200, body = Page<ActivityTaskCommentFeedItemRead>)))]
pub async fn list_task_comment_feed(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiQuery(f): ApiQuery<FeedQuery>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<ActivityTaskCommentFeedItemRead>>> {
    let page = q.page()?;
    let found = activity::comment_feed(&app.store, &caller, f.board_id, page).await?;
    Ok(Json(Page::from(found, page, ActivityTaskCommentFeedItemRead::from)))
}
