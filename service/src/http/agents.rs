//! Agents as the organization's admins see them, plus token issue.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::empty_as_none;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthUser, PageQuery};
use super::streams::{EventSse, StreamStart, live_stream};
use crate::actions::activity;
use crate::actions::agents::{self, AgentInput};
use crate::app::AppState;
use crate::bus::{BusEvent, Topic};
use crate::wire::agents::{AgentCreate, AgentRead, AgentTokenRead};
use crate::wire::{OkResponse, PageOf};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgentListQuery {
    #[serde(default, deserialize_with = "empty_as_none")]
    pub board_id: Option<Uuid>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub gateway_id: Option<Uuid>,
}

#[utoipa::path(get, path = "/api/v1/agents", tag = "agents", security(("HTTPBearer" = [])),
    params(AgentListQuery, PageQuery), responses((status = 200, body = PageOf<AgentRead>), (status = 403, description = "Organization admin role required")))]
pub async fn list_agents(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiQuery(filter): ApiQuery<AgentListQuery>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<PageOf<AgentRead>> {
    let page = q.page()?;
    let found = agents::list(&app.store, &caller, filter.board_id, filter.gateway_id, page).await?;
    Ok(PageOf::new(found, page, AgentRead::from))
}

#[utoipa::path(post, path = "/api/v1/agents", tag = "agents", security(("HTTPBearer" = [])),
    request_body = AgentCreate, responses((status = 200, body = AgentRead), (status = 404, description = "Board not found"), (status = 403, description = "Organization admin role required"), (status = 409, description = "An agent of that name exists on the board")))]
pub async fn create_agent(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiJson(body): ApiJson<AgentCreate>,
) -> ApiResult<Json<AgentRead>> {
    let input = AgentInput {
        name: body.name,
        board_id: body.board_id,
        heartbeat_config: body.heartbeat_config.map(Value::Object),
        identity_profile: body.identity_profile.map(Value::Object),
        identity_template: body.identity_template,
        soul_template: body.soul_template,
    };
    Ok(Json(
        agents::create(&app.store, &app.events, &caller, input).await?.into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/agents/{agent_id}", tag = "agents", security(("HTTPBearer" = [])),
    params(("agent_id" = Uuid, Path)), responses((status = 200, body = AgentRead), (status = 403, description = "Organization admin role required")))]
pub async fn get_agent(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<AgentRead>> {
    Ok(Json(agents::get(&app.store, &caller, id).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/agents/{agent_id}", tag = "agents", security(("HTTPBearer" = [])),
    params(("agent_id" = Uuid, Path)), responses((status = 200, body = OkResponse), (status = 403, description = "Organization admin role required")))]
pub async fn delete_agent(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<OkResponse>> {
    agents::delete(&app.store, &caller, id).await?;
    Ok(Json(OkResponse::ok()))
}

/// Issues (or rotates) the agent's token and returns it once. An addition to the reference
/// contract, for agents that no gateway provisions.
#[utoipa::path(post, path = "/api/v1/agents/{agent_id}/token", tag = "agents", security(("HTTPBearer" = [])),
    params(("agent_id" = Uuid, Path)), responses((status = 200, body = AgentTokenRead), (status = 403, description = "Organization admin role required")))]
pub async fn issue_agent_token(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<AgentTokenRead>> {
    let token = agents::issue_token(&app.store, &caller, id, &app.agent_token_key).await?;
    Ok(Json(AgentTokenRead { agent_id: id, token }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgentStreamQuery {
    #[serde(default, deserialize_with = "empty_as_none")]
    pub board_id: Option<Uuid>,
    /// ISO-8601 time to replay from, or `null` for "from now".
    #[param(schema_with = super::doc_inputs::since_schema)]
    pub since: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/agents/stream", tag = "agents", security(("HTTPBearer" = [])),
    params(AgentStreamQuery),
    responses((status = 200, description = "Server-sent events named `agent`: `{agent}`. A subscriber that falls behind gets `resync`. The body is always `text/event-stream`; the JSON entry mirrors the reference contract.", content(("text/event-stream"), (serde_json::Value = "application/json"))), (status = 403, description = "Organization admin role required"), (status = 404, description = "Board not found")))]
pub async fn stream_agents(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiQuery(q): ApiQuery<AgentStreamQuery>,
    start: StreamStart,
) -> ApiResult<EventSse> {
    caller.require_admin()?;
    let cursor = start.cursor()?;
    activity::check_board(&app.store, &caller, q.board_id).await?;
    let organization = caller.organization_id();
    let only = q.board_id;
    let keep = move |e: &BusEvent| match e.topic {
        Topic::Agents(board) => e.organization_id == organization && only.is_none_or(|b| board == Some(b)),
        _ => false,
    };
    live_stream(
        &app,
        crate::actions::agents::stream_backlog(&app.store, organization, q.board_id, &cursor),
        keep,
    )
    .await
}
