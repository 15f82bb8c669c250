//! Agent routes that go through the gateway: a lead's nudge, soul and question for the
//! human; the gateway main agent's messages to leads.

use axum::Json;
use axum::extract::State;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{ApiJson, ApiPath, AuthAgent};
use crate::actions::agent_gateway;
use crate::app::AppState;
use crate::wire::OkResponse;
use crate::wire::agent_gateway::{
    AgentNudge, GatewayLeadBroadcastBoardResult, GatewayLeadBroadcastRequest, GatewayLeadBroadcastResponse,
    GatewayLeadMessageRequest, GatewayLeadMessageResponse, GatewayMainAskUserRequest, GatewayMainAskUserResponse,
    LeadMessageKind, SoulUpdateRequest,
};

fn kind_name(k: LeadMessageKind) -> &'static str {
    match k {
        LeadMessageKind::Question => "question",
        LeadMessageKind::Handoff => "handoff",
    }
}

#[utoipa::path(post, path = "/api/v1/agent/boards/{board_id}/agents/{agent_id}/nudge", tag = "agent",
    operation_id = "agent_nudge", security(("AgentToken" = []), ("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), ("agent_id" = Uuid, Path)), request_body = AgentNudge,
    responses((status = 200, body = OkResponse), (status = 401, description = "Invalid agent token"),
        (status = 403, description = "Only the board lead"), (status = 404, description = "Board or agent not found"),
        (status = 409, description = "The agent is not on a gateway"), (status = 422, description = "Blank message"),
        (status = 429, description = "Too many agent authentication attempts"),
        (status = 502, description = "Gateway error"), (status = 504, description = "The gateway did not answer in time")))]
pub async fn agent_nudge(
    State(app): State<AppState>,
    AuthAgent(caller): AuthAgent,
    ApiPath((board_id, agent_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<AgentNudge>,
) -> ApiResult<Json<OkResponse>> {
    agent_gateway::nudge(&app, &caller, board_id, agent_id, &body.message).await?;
    Ok(Json(OkResponse::ok()))
}

/// An agent's SOUL.md, as a JSON string: read from the gateway, or the stored template for
/// an agent without one.
#[utoipa::path(get, path = "/api/v1/agent/boards/{board_id}/agents/{agent_id}/soul", tag = "agent",
    operation_id = "agent_get_soul", security(("AgentToken" = []), ("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), ("agent_id" = Uuid, Path)),
    responses((status = 200, body = String, content_type = "application/json", description = "SOUL.md as a JSON string"), (status = 401, description = "Invalid agent token"),
        (status = 403, description = "Only the board lead or the agent itself"), (status = 404, description = "Board or agent not found"),
        (status = 429, description = "Too many agent authentication attempts"),
        (status = 502, description = "Gateway error"), (status = 504, description = "The gateway did not answer in time")))]
pub async fn agent_get_soul(
    State(app): State<AppState>,
    AuthAgent(caller): AuthAgent,
    ApiPath((board_id, agent_id)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<Json<String>> {
    Ok(Json(agent_gateway::read_soul(&app, &caller, board_id, agent_id).await?))
}

#[utoipa::path(put, path = "/api/v1/agent/boards/{board_id}/agents/{agent_id}/soul", tag = "agent",
    operation_id = "agent_put_soul", security(("AgentToken" = []), ("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), ("agent_id" = Uuid, Path)), request_body = SoulUpdateRequest,
    responses((status = 200, body = OkResponse), (status = 401, description = "Invalid agent token"),
        (status = 403, description = "Only the board lead"), (status = 404, description = "Board or agent not found"),
        (status = 422, description = "Invalid body"), (status = 429, description = "Too many agent authentication attempts"),
        (status = 502, description = "Gateway error"), (status = 504, description = "The gateway did not answer in time")))]
pub async fn agent_put_soul(
    State(app): State<AppState>,
    AuthAgent(caller): AuthAgent,
    ApiPath((board_id, agent_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<SoulUpdateRequest>,
) -> ApiResult<Json<OkResponse>> {
    agent_gateway::write_soul(&app, &caller, board_id, agent_id, &body.content).await?;
    Ok(Json(OkResponse::ok()))
}

#[utoipa::path(post, path = "/api/v1/agent/boards/{board_id}/gateway/main/ask-user", tag = "agent",
    operation_id = "agent_ask_user", security(("AgentToken" = []), ("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path)), request_body = GatewayMainAskUserRequest,
    responses((status = 200, body = GatewayMainAskUserResponse), (status = 401, description = "Invalid agent token"),
        (status = 403, description = "Only the board lead"), (status = 404, description = "Board or gateway main agent not found"),
        (status = 409, description = "The board has no gateway"), (status = 422, description = "Blank content"), (status = 429, description = "Too many agent authentication attempts"),
        (status = 502, description = "Gateway error"), (status = 504, description = "The gateway did not answer in time")))]
pub async fn agent_ask_user(
    State(app): State<AppState>,
    AuthAgent(caller): AuthAgent,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<GatewayMainAskUserRequest>,
) -> ApiResult<Json<GatewayMainAskUserResponse>> {
    let main = agent_gateway::ask_user(&app, &caller, board_id, &body.content, body.correlation_id.as_deref()).await?;
    Ok(Json(GatewayMainAskUserResponse {
        ok: true,
        board_id,
        main_agent_id: Some(main.id),
        main_agent_name: Some(main.name),
    }))
}

#[utoipa::path(post, path = "/api/v1/agent/gateway/boards/{board_id}/lead/message", tag = "agent",
    operation_id = "agent_message_lead", security(("AgentToken" = []), ("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path)), request_body = GatewayLeadMessageRequest,
    responses((status = 200, body = GatewayLeadMessageResponse), (status = 401, description = "Invalid agent token"),
        (status = 403, description = "Only the gateway main agent of the board's gateway"), (status = 404, description = "Board or board lead not found"),
        (status = 422, description = "Blank content"), (status = 429, description = "Too many agent authentication attempts"),
        (status = 502, description = "Gateway error"), (status = 504, description = "The gateway did not answer in time")))]
pub async fn agent_message_lead(
    State(app): State<AppState>,
    AuthAgent(caller): AuthAgent,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<GatewayLeadMessageRequest>,
) -> ApiResult<Json<GatewayLeadMessageResponse>> {
    let lead = agent_gateway::message_lead(
        &app,
        &caller,
        board_id,
        kind_name(body.kind),
        &body.content,
        body.correlation_id.as_deref(),
    )
    .await?;
    Ok(Json(GatewayLeadMessageResponse {
        ok: true,
        board_id,
        lead_agent_id: Some(lead.id),
        lead_agent_name: Some(lead.name),
        lead_created: false,
    }))
}

#[utoipa::path(post, path = "/api/v1/agent/gateway/leads/broadcast", tag = "agent",
    operation_id = "agent_broadcast_leads", security(("AgentToken" = []), ("HTTPBearer" = [])),
    request_body = GatewayLeadBroadcastRequest,
    responses((status = 200, body = GatewayLeadBroadcastResponse, description = "Each board's outcome; `ok` is false when any failed"),
        (status = 401, description = "Invalid agent token"), (status = 403, description = "Only a gateway main agent"),
        (status = 404, description = "Not found"), (status = 422, description = "Blank content"),
        (status = 429, description = "Too many agent authentication attempts"),
        (status = 502, description = "Gateway error"), (status = 504, description = "The gateway did not answer in time")))]
pub async fn agent_broadcast_leads(
    State(app): State<AppState>,
    AuthAgent(caller): AuthAgent,
    ApiJson(body): ApiJson<GatewayLeadBroadcastRequest>,
) -> ApiResult<Json<GatewayLeadBroadcastResponse>> {
    let results = agent_gateway::broadcast(
        &app,
        &caller,
        body.board_ids.as_deref(),
        kind_name(body.kind),
        &body.content,
        body.correlation_id.as_deref(),
    )
    .await?;
    let failed = results.iter().filter(|r| r.error.is_some()).count();
    let sent = results.len() - failed;
    Ok(Json(GatewayLeadBroadcastResponse {
        ok: failed == 0,
        sent: i64::try_from(sent).unwrap_or(i64::MAX),
        failed: i64::try_from(failed).unwrap_or(i64::MAX),
        results: results
            .into_iter()
            .map(|r| GatewayLeadBroadcastBoardResult {
                board_id: r.board_id,
                ok: r.error.is_none(),
                lead_agent_id: r.lead.as_ref().map(|l| l.id),
                lead_agent_name: r.lead.map(|l| l.name),
                error: r.error,
            })
            .collect(),
    }))
}
