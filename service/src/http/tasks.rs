//! Tasks on a board, as users see them.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::error::{ApiError, ApiResult};
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthUser, PageQuery};
use super::views::{OkResponse, Page, TaskCreate, TaskRead, TaskWrite};
use crate::actions::{FieldError, tasks};
use crate::app::AppState;
use crate::store::TaskFilter;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskListQuery {
    /// Comma-separated statuses: inbox, in_progress, review, done.
    pub status: Option<String>,
    pub assigned_agent_id: Option<Uuid>,
    pub unassigned: Option<bool>,
}

impl TaskListQuery {
    pub fn filter(&self) -> Result<TaskFilter, ApiError> {
        let statuses = tasks::parse_status_filter(self.status.as_deref()).map_err(|bad| {
            ApiError::Validation(vec![FieldError {
                loc: vec!["query".into(), "status".into()],
                msg: format!("Unknown status {bad:?}: expected inbox, in_progress, review or done"),
                kind: "value_error".to_owned(),
            }])
        })?;
        Ok(TaskFilter {
            statuses,
            assigned_agent_id: self.assigned_agent_id,
            unassigned: self.unassigned,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/boards/{board_id}/tasks", tag = "tasks", security(("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), TaskListQuery, PageQuery), responses((status = 200, body = Page<TaskRead>)))]
pub async fn list_tasks(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiQuery(filter): ApiQuery<TaskListQuery>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<TaskRead>>> {
    let page = q.page()?;
    let found = tasks::list_for_user(&app.store, &caller, board_id, &filter.filter()?, page).await?;
    Ok(Json(Page::from(found, page, TaskRead::from)))
}

#[utoipa::path(post, path = "/api/v1/boards/{board_id}/tasks", tag = "tasks", security(("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path)), request_body = TaskCreate,
    responses((status = 200, body = TaskRead), (status = 409, description = "Blocked by dependencies or a cycle")))]
pub async fn create_task(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<TaskCreate>,
) -> ApiResult<Json<TaskRead>> {
    Ok(Json(
        tasks::create(&app.store, &app.events, &caller, board_id, body.into())
            .await?
            .into(),
    ))
}

#[utoipa::path(patch, path = "/api/v1/boards/{board_id}/tasks/{task_id}", tag = "tasks", security(("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), ("task_id" = Uuid, Path)), request_body = TaskWrite,
    responses((status = 200, body = TaskRead), (status = 409, description = "A workflow rule refused the change")))]
pub async fn update_task(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath((board_id, task_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<TaskWrite>,
) -> ApiResult<Json<TaskRead>> {
    Ok(Json(
        tasks::update(&app.store, &app.events, &caller, board_id, task_id, body.into())
            .await?
            .into(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/boards/{board_id}/tasks/{task_id}", tag = "tasks", security(("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), ("task_id" = Uuid, Path)), responses((status = 200, body = OkResponse)))]
pub async fn delete_task(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath((board_id, task_id)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<Json<OkResponse>> {
    tasks::delete(&app.store, &caller, board_id, task_id).await?;
    Ok(Json(OkResponse::ok()))
}
