//! The agent side: token check, heartbeat, boards and tasks as an agent sees them.

use axum::Json;
use axum::extract::State;

use super::error::ApiResult;
use super::extract::{ApiPath, ApiQuery, AuthAgent, PageQuery};
use super::tasks::TaskListQuery;
use crate::actions::{agents, tasks};
use crate::app::AppState;
use crate::domain::{computed_agent_status, now};
use crate::wire::PageOf;
use crate::wire::agents::{AgentHealthStatusResponse, AgentRead};
use crate::wire::boards::BoardRead;
use crate::wire::tasks::TaskRead;
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/agent/healthz", tag = "agent", security(("AgentToken" = []), ("HTTPBearer" = [])),
    responses((status = 200, body = AgentHealthStatusResponse), (status = 401, description = "Invalid agent token"), (status = 429, description = "Too many agent authentication attempts")))]
pub async fn agent_healthz(AuthAgent(caller): AuthAgent) -> Json<AgentHealthStatusResponse> {
    let a = caller.agent;
    Json(AgentHealthStatusResponse {
        ok: true,
        agent_id: a.id,
        board_id: a.board_id,
        gateway_id: a.gateway_id,
        status: computed_agent_status(&a.status, a.last_seen_at, now()),
        is_board_lead: a.is_board_lead,
    })
}

#[utoipa::path(post, path = "/api/v1/agent/heartbeat", tag = "agent", security(("AgentToken" = []), ("HTTPBearer" = [])),
    responses((status = 200, body = AgentRead)))]
pub async fn agent_heartbeat(State(app): State<AppState>, AuthAgent(caller): AuthAgent) -> ApiResult<Json<AgentRead>> {
    Ok(Json(agents::heartbeat(&app.store, &app.events, &caller).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/agent/boards", tag = "agent", security(("AgentToken" = []), ("HTTPBearer" = [])),
    params(PageQuery), responses((status = 200, body = PageOf<BoardRead>)))]
pub async fn agent_list_boards(
    State(app): State<AppState>,
    AuthAgent(caller): AuthAgent,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<PageOf<BoardRead>> {
    let page = q.page()?;
    let found = agents::boards_for_agent(&app.store, &caller, page).await?;
    Ok(PageOf::new(found, page, BoardRead::from))
}

#[utoipa::path(get, path = "/api/v1/agent/boards/{board_id}/tasks", tag = "agent", security(("AgentToken" = []), ("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), TaskListQuery, PageQuery), responses((status = 200, body = PageOf<TaskRead>)))]
pub async fn agent_list_tasks(
    State(app): State<AppState>,
    AuthAgent(caller): AuthAgent,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiQuery(filter): ApiQuery<TaskListQuery>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<PageOf<TaskRead>> {
    let page = q.page()?;
    let found = tasks::list_for_agent(&app.store, &caller, board_id, &filter.filter()?, page).await?;
    Ok(PageOf::new(found, page, TaskRead::from))
}
