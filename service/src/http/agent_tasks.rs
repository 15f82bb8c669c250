//! An agent working its board's tasks: `PATCH /agent/boards/{id}/tasks/{id}` (worker and
//! lead rule sets; claims cannot collide).

use axum::Json;
use axum::extract::State;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{ApiJson, ApiPath, AuthAgent};
use crate::actions::agent_tasks;
use crate::app::AppState;
use crate::wire::tasks::{TaskChanges, TaskRead};

#[utoipa::path(patch, path = "/api/v1/agent/boards/{board_id}/tasks/{task_id}", tag = "agent", security(("AgentToken" = []), ("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), ("task_id" = Uuid, Path)), request_body = TaskChanges,
    responses((status = 200, body = TaskRead),
        (status = 403, description = "The agent's rule set refuses the change"),
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
