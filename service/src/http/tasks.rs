//! Tasks on a board, as users see them.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::error::{ApiError, ApiResult};
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthUser, PageQuery};
use super::extract::{AuthCaller, empty_as_none};
use super::streams::{EventSse, SinceQuery, StreamStart, live_stream};
use crate::actions::agent_tasks;
use crate::actions::identity::Caller;
use crate::actions::tasks::{self, TaskInput};
use crate::actions::{FieldError, activity};
use crate::app::AppState;
use crate::bus::{BusEvent, Topic};
use crate::domain::filters::TaskFilter;
use crate::wire::tasks::{TaskChanges, TaskCreate, TaskRead};
use crate::wire::{OkResponse, PageOf};

impl From<TaskChanges> for TaskInput {
    fn from(t: TaskChanges) -> Self {
        Self {
            title: t.title,
            description: t.description,
            status: t.status,
            priority: t.priority,
            due_at: t.due_at,
            assigned_agent_id: t.assigned_agent_id,
            depends_on_task_ids: t.depends_on_task_ids,
            tag_ids: t.tag_ids,
            custom_field_values: t.custom_field_values,
            comment: t.comment,
        }
    }
}

impl From<TaskCreate> for TaskInput {
    fn from(t: TaskCreate) -> Self {
        let mut input = Self::from(t.fields);
        input.title = Some(t.title);
        input
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskListQuery {
    /// Comma-separated statuses: inbox, in_progress, review, done.
    #[param(pattern = r"^\s*(?:inbox|in_progress|review|done)?\s*(?:,\s*(?:inbox|in_progress|review|done)?\s*)*$")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub assigned_agent_id: Option<Uuid>,
    #[serde(default, deserialize_with = "empty_as_none")]
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

#[utoipa::path(get, path = "/api/v1/boards/{board_id}/tasks", tag = "tasks", security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(("board_id" = Uuid, Path), TaskListQuery, PageQuery), responses((status = 200, body = PageOf<TaskRead>)))]
pub async fn list_tasks(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiQuery(filter): ApiQuery<TaskListQuery>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<PageOf<TaskRead>> {
    let page = q.page()?;
    let filter = filter.filter()?;
    let found = match &caller {
        Caller::User(user) => tasks::list_for_user(&app.store, user, board_id, &filter, page).await?,
        Caller::Agent(agent) => tasks::list_for_agent(&app.store, agent, board_id, &filter, page).await?,
    };
    Ok(PageOf::new(found, page, TaskRead::from))
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

#[utoipa::path(patch, path = "/api/v1/boards/{board_id}/tasks/{task_id}", tag = "tasks", security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(("board_id" = Uuid, Path), ("task_id" = Uuid, Path)), request_body = TaskChanges,
    responses((status = 200, body = TaskRead), (status = 409, description = "A workflow rule refused the change")))]
pub async fn update_task(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath((board_id, task_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<TaskChanges>,
) -> ApiResult<Json<TaskRead>> {
    let found = match &caller {
        Caller::User(user) => tasks::update(&app.store, &app.events, user, board_id, task_id, body.into()).await?,
        // An agent follows the same rule sets as on its own route.
        Caller::Agent(agent) => {
            agent_tasks::update(&app.store, &app.events, agent, board_id, task_id, body.into()).await?
        }
    };
    Ok(Json(found.into()))
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

#[utoipa::path(get, path = "/api/v1/boards/{board_id}/tasks/stream", tag = "tasks", security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(("board_id" = Uuid, Path), SinceQuery),
    responses((status = 200, description = "Server-sent events named `task`: `{type, activity, task}` or `{type, activity, comment}`. A subscriber that falls behind gets `resync`. The body is always `text/event-stream`; the JSON entry mirrors the reference contract.", content(("text/event-stream"), (serde_json::Value = "application/json")))))]
pub async fn stream_tasks(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath(board_id): ApiPath<Uuid>,
    start: StreamStart,
) -> ApiResult<EventSse> {
    let cursor = start.cursor()?;
    let keep = move |e: &BusEvent| e.topic == Topic::BoardTasks(board_id);
    live_stream(
        &app,
        activity::task_stream_backlog(&app.store, &caller, board_id, &cursor),
        keep,
    )
    .await
}
