//! Agents as the organization's admins see them (boards leads may create on their board),
//! token issue, and heartbeats for one agent or by name.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::empty_as_none;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthCaller, AuthUser, PageQuery};
use super::streams::{EventSse, StreamStart, live_stream};
use crate::actions::activity;
use crate::actions::agents::{self, AgentInput, AgentPatch};
use crate::app::AppState;
use crate::bus::{BusEvent, Topic};
use crate::wire::agents::{AgentCreate, AgentHeartbeat, AgentHeartbeatCreate, AgentRead, AgentTokenRead, AgentUpdate};
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

#[utoipa::path(post, path = "/api/v1/agents", tag = "agents", security(("HTTPBearer" = []), ("AgentToken" = [])),
    request_body = AgentCreate, responses((status = 200, body = AgentRead), (status = 404, description = "Board not found"), (status = 403, description = "Organization admin role, or a board lead on its own board, required"), (status = 409, description = "An agent of that name exists on the board, the board has a lead already, or its workers reached max_agents")))]
pub async fn create_agent(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiJson(body): ApiJson<AgentCreate>,
) -> ApiResult<Json<AgentRead>> {
    Ok(Json(agents::create(&app, &caller, agent_input(body)).await?.into()))
}

/// The action input of an agent create body (users' and leads' routes).
pub fn agent_input(body: AgentCreate) -> AgentInput {
    AgentInput {
        name: body.name,
        board_id: body.board_id,
        heartbeat_config: body.heartbeat_config.map(Value::Object),
        identity_profile: body.identity_profile.map(Value::Object),
        identity_template: body.identity_template,
        soul_template: body.soul_template,
        is_board_lead: body.is_board_lead.unwrap_or(false),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgentUpdateQuery {
    /// Reprovision the agent on its gateway even when nothing the gateway holds changed.
    #[serde(default)]
    #[param(default = false)]
    pub force: bool,
}

#[utoipa::path(patch, path = "/api/v1/agents/{agent_id}", tag = "agents", security(("HTTPBearer" = [])),
    params(("agent_id" = Uuid, Path), AgentUpdateQuery), request_body = AgentUpdate,
    responses((status = 200, body = AgentRead), (status = 403, description = "Organization admin role required, or `status` was sent"), (status = 404, description = "Agent or board not found"), (status = 409, description = "An agent of that name exists on the board, or the board has a lead already")))]
pub async fn update_agent(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<AgentUpdateQuery>,
    ApiJson(body): ApiJson<AgentUpdate>,
) -> ApiResult<Json<AgentRead>> {
    let patch = AgentPatch {
        name: body.name,
        board_id: body.board_id,
        heartbeat_config: body.heartbeat_config.map(Value::Object),
        identity_profile: body.identity_profile.map(Value::Object),
        identity_template: body.identity_template,
        soul_template: body.soul_template,
        is_board_lead: body.is_board_lead,
        is_gateway_main: body.is_gateway_main,
        status: body.status,
    };
    Ok(Json(agents::update(&app, &caller, id, patch, q.force).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/agents/{agent_id}/heartbeat", tag = "agents", security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(("agent_id" = Uuid, Path)), request_body = AgentHeartbeat,
    responses((status = 200, body = AgentRead), (status = 403, description = "An agent may heartbeat only itself; a user must be an organization admin"), (status = 404, description = "Agent not found")))]
pub async fn heartbeat_agent(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(_body): ApiJson<AgentHeartbeat>,
) -> ApiResult<Json<AgentRead>> {
    Ok(Json(
        agents::heartbeat_agent(&app.store, &app.events, &caller, id)
            .await?
            .into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/agents/heartbeat", tag = "agents", security(("HTTPBearer" = []), ("AgentToken" = [])),
    request_body = AgentHeartbeatCreate,
    responses((status = 200, body = AgentRead), (status = 403, description = "An agent may heartbeat only itself; a user must be an organization admin"), (status = 404, description = "Board not found"), (status = 409, description = "The board's workers reached max_agents")))]
pub async fn heartbeat_or_create_agent(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiJson(body): ApiJson<AgentHeartbeatCreate>,
) -> ApiResult<Json<AgentRead>> {
    Ok(Json(
        agents::heartbeat_by_name(&app, &caller, &body.name, body.board_id)
            .await?
            .into(),
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
    agents::delete(&app, &caller, id).await?;
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
