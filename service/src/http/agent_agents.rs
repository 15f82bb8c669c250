//! A board lead manages its board's workers: `POST /api/v1/agent/agents` and
//! `DELETE /api/v1/agent/boards/{board_id}/agents/{agent_id}`.

use axum::Json;
use axum::extract::State;
use uuid::Uuid;

use super::agents::agent_input;
use super::error::ApiResult;
use super::extract::{ApiJson, ApiPath, AuthAgent};
use crate::actions::agents;
use crate::app::AppState;
use crate::wire::OkResponse;
use crate::wire::agents::{AgentCreate, AgentRead};

#[utoipa::path(post, path = "/api/v1/agent/agents", tag = "agent", operation_id = "agent_lead_create_agent",
    security(("AgentToken" = []), ("HTTPBearer" = [])), request_body = AgentCreate,
    responses((status = 200, body = AgentRead), (status = 401, description = "Invalid agent token"), (status = 403, description = "Only a board lead, on its own board"), (status = 409, description = "The name is taken on the board, or its workers reached max_agents"), (status = 429, description = "Too many agent authentication attempts")))]
pub async fn agent_lead_create_agent(
    State(app): State<AppState>,
    AuthAgent(caller): AuthAgent,
    ApiJson(body): ApiJson<AgentCreate>,
) -> ApiResult<Json<AgentRead>> {
    Ok(Json(
        agents::create_by_lead(&app, &caller, agent_input(body)).await?.into(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/agent/boards/{board_id}/agents/{agent_id}", tag = "agent",
    operation_id = "agent_lead_delete_board_agent", security(("AgentToken" = []), ("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), ("agent_id" = Uuid, Path)),
    responses((status = 200, body = OkResponse), (status = 401, description = "Invalid agent token"), (status = 403, description = "Only a board lead, for a worker of its own board"), (status = 404, description = "Agent not found"), (status = 429, description = "Too many agent authentication attempts")))]
pub async fn agent_lead_delete_board_agent(
    State(app): State<AppState>,
    AuthAgent(caller): AuthAgent,
    ApiPath((board_id, agent_id)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<Json<OkResponse>> {
    agents::delete_by_lead(&app, &caller, board_id, agent_id).await?;
    Ok(Json(OkResponse::ok()))
}
