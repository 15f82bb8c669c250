//! An agent working its board's tasks: `PATCH /agent/boards/{id}/tasks/{id}` (worker and
//! lead rule sets; claims cannot collide) and the task's comments, with the same rules as the
//! user routes give an agent (a lead comments on tasks in review, tasks it created, or where
//! it was mentioned).

use axum::Json;
use axum::extract::State;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthAgent, PageQuery};
use crate::actions::identity::Caller;
use crate::actions::{agent_tasks, comments};
use crate::app::AppState;
use crate::wire::OkResponse;
use crate::wire::PageOf;
use crate::wire::comments::{TaskCommentCreate, TaskCommentRead};
use crate::wire::tasks::{TaskChanges, TaskCreate, TaskRead};

#[utoipa::path(post, path = "/api/v1/agent/boards/{board_id}/tasks", tag = "agent", security(("AgentToken" = []), ("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path)), request_body = TaskCreate,
    responses((status = 200, body = TaskRead),
        (status = 403, description = "Not the board lead, not the agent's board, or the assignee is a board lead"),
        (status = 404, description = "Unknown board, assignee or dependency"),
        (status = 409, description = "Assignee on another board, a dependency cycle, or blocked by dependencies")))]
pub async fn agent_lead_create_task(
    State(app): State<AppState>,
    AuthAgent(caller): AuthAgent,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<TaskCreate>,
) -> ApiResult<Json<TaskRead>> {
    Ok(Json(
        agent_tasks::create(&app.store, &app.events, &caller, board_id, body.into())
            .await?
            .into(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/agent/boards/{board_id}/tasks/{task_id}", tag = "agent", security(("AgentToken" = []), ("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), ("task_id" = Uuid, Path)),
    responses((status = 200, body = OkResponse), (status = 403, description = "Not the board lead, or not the agent's board")))]
pub async fn agent_lead_delete_task(
    State(app): State<AppState>,
    AuthAgent(caller): AuthAgent,
    ApiPath((board_id, task_id)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<Json<OkResponse>> {
    agent_tasks::delete(&app.store, &caller, board_id, task_id).await?;
    Ok(Json(OkResponse::ok()))
}

#[utoipa::path(patch, path = "/api/v1/agent/boards/{board_id}/tasks/{task_id}", tag = "agent", security(("AgentToken" = []), ("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), ("task_id" = Uuid, Path)), request_body = TaskChanges,
    responses((status = 200, body = TaskRead),
        (status = 403, description = "The agent's rule set refuses the change, or a lead assigns a lead"),
        (status = 409, description = "Claimed by another agent, or a workflow rule refused the change")))]
pub async fn agent_update_task(
    State(app): State<AppState>,
    AuthAgent(caller): AuthAgent,
    ApiPath((board_id, task_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<TaskChanges>,
) -> ApiResult<Json<TaskRead>> {
    Ok(Json(
        agent_tasks::update(&app.store, &app.events, &caller, board_id, task_id, body.into())
            .await?
            .into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/agent/boards/{board_id}/tasks/{task_id}/comments", tag = "agent",
    security(("AgentToken" = []), ("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), ("task_id" = Uuid, Path), PageQuery),
    responses((status = 200, body = PageOf<TaskCommentRead>), (status = 403, description = "Not the agent's board")))]
pub async fn agent_list_task_comments(
    State(app): State<AppState>,
    AuthAgent(caller): AuthAgent,
    ApiPath((board_id, task_id)): ApiPath<(Uuid, Uuid)>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<PageOf<TaskCommentRead>> {
    let page = q.page()?;
    let found = comments::list(&app.store, &Caller::Agent(caller), board_id, task_id, page).await?;
    Ok(PageOf::new(found, page, TaskCommentRead::from))
}

#[utoipa::path(post, path = "/api/v1/agent/boards/{board_id}/tasks/{task_id}/comments", tag = "agent",
    security(("AgentToken" = []), ("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), ("task_id" = Uuid, Path)), request_body = TaskCommentCreate,
    responses((status = 200, body = TaskCommentRead),
        (status = 403, description = "Not the agent's board, or a board lead commenting outside review, its own tasks and mentions")))]
pub async fn agent_create_task_comment(
    State(app): State<AppState>,
    AuthAgent(caller): AuthAgent,
    ApiPath((board_id, task_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<TaskCommentCreate>,
) -> ApiResult<Json<TaskCommentRead>> {
    let caller = Caller::Agent(caller);
    let row = comments::create(&app.store, &app.events, &caller, board_id, task_id, &body.message).await?;
    Ok(Json(row.into()))
}
