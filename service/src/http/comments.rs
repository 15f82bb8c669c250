//! Comments on a task.

use axum::Json;
use axum::extract::State;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthCaller, PageQuery};
use crate::actions::comments;
use crate::app::AppState;
use crate::wire::PageOf;
use crate::wire::comments::{TaskCommentCreate, TaskCommentRead};

#[utoipa::path(get, path = "/api/v1/boards/{board_id}/tasks/{task_id}/comments", tag = "tasks",
    security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(("board_id" = Uuid, Path), ("task_id" = Uuid, Path), PageQuery), responses((status = 200, body = PageOf<TaskCommentRead>)))]
pub async fn list_task_comments(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath((board_id, task_id)): ApiPath<(Uuid, Uuid)>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<PageOf<TaskCommentRead>> {
    let page = q.page()?;
    let found = comments::list(&app.store, &caller, board_id, task_id, page).await?;
    Ok(PageOf::new(found, page, TaskCommentRead::from))
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
