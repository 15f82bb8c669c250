//! Gateways: CRUD (create and reach changes check the gateway live), status, sessions,
//! commands and the template sync.

use axum::Json;
use axum::extract::State;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthUser, PageQuery};
use crate::actions::gateway_sessions::{self, StatusQuery, SyncOptions};
use crate::actions::gateways::{self, GatewayInput};
use crate::app::AppState;
use crate::wire::gateway_sessions::{
    GatewayCommandsResponse, GatewaySessionHistoryResponse, GatewaySessionMessageRequest, GatewaySessionResponse,
    GatewaySessionsResponse, GatewayTemplatesSyncError, GatewayTemplatesSyncResult,
};
use crate::wire::gateways::{GatewayCreate, GatewayRead, GatewayUpdate, GatewaysStatusResponse};
use crate::wire::{OkResponse, PageOf};

#[utoipa::path(get, path = "/api/v1/gateways", tag = "gateways", security(("HTTPBearer" = [])), params(PageQuery),
    responses((status = 200, body = PageOf<GatewayRead>), (status = 403, description = "Organization admin role required")))]
pub async fn list_gateways(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<PageOf<GatewayRead>> {
    let page = q.page()?;
    let found = gateways::list(&app.store, &caller, page).await?;
    Ok(PageOf::new(found, page, GatewayRead::from))
}

#[utoipa::path(post, path = "/api/v1/gateways", tag = "gateways", security(("HTTPBearer" = [])),
    request_body = GatewayCreate, responses((status = 200, body = GatewayRead), (status = 403, description = "Organization admin role required"),
        (status = 422, description = "Invalid input, or the gateway runs a release older than GATEWAY_MIN_VERSION"),
        (status = 502, description = "The gateway could not be reached or refused (detail carries its message)"),
        (status = 504, description = "The gateway did not answer in time")))]
pub async fn create_gateway(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiJson(body): ApiJson<GatewayCreate>,
) -> ApiResult<Json<GatewayRead>> {
    let input = GatewayInput {
        name: Some(body.name),
        url: Some(body.url),
        token: Some(body.token),
        workspace_root: Some(body.workspace_root),
        disable_device_pairing: Some(body.disable_device_pairing),
        allow_insecure_tls: Some(body.allow_insecure_tls),
    };
    Ok(Json(gateways::create(&app, &caller, input).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/gateways/{gateway_id}", tag = "gateways", security(("HTTPBearer" = [])),
    params(("gateway_id" = Uuid, Path)), responses((status = 200, body = GatewayRead), (status = 403, description = "Organization admin role required")))]
pub async fn get_gateway(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<GatewayRead>> {
    Ok(Json(gateways::get(&app.store, &caller, id).await?.into()))
}

#[utoipa::path(patch, path = "/api/v1/gateways/{gateway_id}", tag = "gateways", security(("HTTPBearer" = [])),
    params(("gateway_id" = Uuid, Path)), request_body = GatewayUpdate, responses((status = 200, body = GatewayRead), (status = 403, description = "Organization admin role required"),
        (status = 404, description = "Gateway not found"),
        (status = 422, description = "Invalid input, or the gateway runs a release older than GATEWAY_MIN_VERSION"),
        (status = 502, description = "The gateway could not be reached or refused (detail carries its message)"),
        (status = 504, description = "The gateway did not answer in time")))]
pub async fn update_gateway(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<GatewayUpdate>,
) -> ApiResult<Json<GatewayRead>> {
    let input = GatewayInput {
        name: body.name,
        url: body.url,
        token: body.token,
        workspace_root: body.workspace_root,
        disable_device_pairing: body.disable_device_pairing,
        allow_insecure_tls: body.allow_insecure_tls,
    };
    Ok(Json(gateways::update(&app, &caller, id, input).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/gateways/{gateway_id}", tag = "gateways", security(("HTTPBearer" = [])),
    params(("gateway_id" = Uuid, Path)), responses((status = 200, body = OkResponse), (status = 403, description = "Organization admin role required"), (status = 409, description = "Boards still use the gateway")))]
pub async fn delete_gateway(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<OkResponse>> {
    gateways::delete(&app.store, &caller, id).await?;
    Ok(Json(OkResponse::ok()))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GatewayStatusQuery {
    #[serde(default, deserialize_with = "super::extract::empty_as_none")]
    pub board_id: Option<Uuid>,
    #[serde(default, deserialize_with = "super::extract::empty_as_none")]
    pub gateway_url: Option<String>,
    #[serde(default, deserialize_with = "super::extract::empty_as_none")]
    pub gateway_token: Option<String>,
    #[serde(default, deserialize_with = "super::extract::empty_as_none")]
    pub gateway_disable_device_pairing: Option<bool>,
    #[serde(default, deserialize_with = "super::extract::empty_as_none")]
    pub gateway_allow_insecure_tls: Option<bool>,
}

/// Connects to a gateway (the board's, or one given by URL and token) and reports whether it
/// answers, with its sessions. An unreachable gateway is a 200 with `connected: false` and
/// the reason, as clients expect.
#[utoipa::path(get, path = "/api/v1/gateways/status", tag = "gateways", security(("HTTPBearer" = [])),
    params(GatewayStatusQuery), responses((status = 200, body = GatewaysStatusResponse), (status = 404, description = "Board or gateway not found"), (status = 403, description = "Organization admin role required"),
        (status = 422, description = "Neither board_id nor a valid gateway_url given")))]
pub async fn gateway_status(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiQuery(q): ApiQuery<GatewayStatusQuery>,
) -> ApiResult<Json<GatewaysStatusResponse>> {
    let query = StatusQuery {
        board_id: q.board_id,
        gateway_url: q.gateway_url,
        gateway_token: q.gateway_token,
        disable_device_pairing: q.gateway_disable_device_pairing,
        allow_insecure_tls: q.gateway_allow_insecure_tls,
    };
    let st = gateway_sessions::status(&app, &caller, query).await?;
    Ok(Json(GatewaysStatusResponse {
        connected: st.connected,
        gateway_url: st.gateway_url,
        sessions_count: st.sessions.as_ref().map(|s| i64::try_from(s.len()).unwrap_or(i64::MAX)),
        sessions: st.sessions,
        main_session: st.main_session,
        main_session_error: st.main_session_error,
        error: st.error,
    }))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardQuery {
    /// The board whose gateway is meant (optional when the organization has one gateway).
    #[serde(default, deserialize_with = "super::extract::empty_as_none")]
    pub board_id: Option<Uuid>,
}

#[utoipa::path(get, path = "/api/v1/gateways/sessions", tag = "gateways", security(("HTTPBearer" = [])),
    params(BoardQuery), responses((status = 200, body = GatewaySessionsResponse), (status = 403, description = "Organization admin role required"),
        (status = 404, description = "Board or gateway not found"), (status = 409, description = "The board has no gateway"), (status = 422, description = "board_id is needed (several gateways)"),
        (status = 502, description = "Gateway error"), (status = 504, description = "The gateway did not answer in time")))]
pub async fn list_sessions(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiQuery(q): ApiQuery<BoardQuery>,
) -> ApiResult<Json<GatewaySessionsResponse>> {
    let (sessions, main_session) = gateway_sessions::sessions(&app, &caller, q.board_id).await?;
    Ok(Json(GatewaySessionsResponse { sessions, main_session }))
}

#[utoipa::path(get, path = "/api/v1/gateways/sessions/{session_id}", tag = "gateways", security(("HTTPBearer" = [])),
    params(("session_id" = String, Path, description = "Session key or session id"), BoardQuery),
    responses((status = 200, body = GatewaySessionResponse), (status = 403, description = "Organization admin role required"),
        (status = 404, description = "Board, gateway or session not found"), (status = 409, description = "The board has no gateway"), (status = 422, description = "board_id is needed (several gateways)"),
        (status = 502, description = "Gateway error"), (status = 504, description = "The gateway did not answer in time")))]
pub async fn get_session(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(session_id): ApiPath<String>,
    ApiQuery(q): ApiQuery<BoardQuery>,
) -> ApiResult<Json<GatewaySessionResponse>> {
    let session = gateway_sessions::session(&app, &caller, &session_id, q.board_id).await?;
    Ok(Json(GatewaySessionResponse { session }))
}

#[utoipa::path(get, path = "/api/v1/gateways/sessions/{session_id}/history", tag = "gateways", security(("HTTPBearer" = [])),
    params(("session_id" = String, Path, description = "Session key"), BoardQuery),
    responses((status = 200, body = GatewaySessionHistoryResponse), (status = 403, description = "Organization admin role required"),
        (status = 404, description = "Board or gateway not found"), (status = 409, description = "The board has no gateway"), (status = 422, description = "board_id is needed (several gateways)"),
        (status = 502, description = "Gateway error"), (status = 504, description = "The gateway did not answer in time")))]
pub async fn session_history(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(session_id): ApiPath<String>,
    ApiQuery(q): ApiQuery<BoardQuery>,
) -> ApiResult<Json<GatewaySessionHistoryResponse>> {
    let history = gateway_sessions::history(&app, &caller, &session_id, q.board_id).await?;
    Ok(Json(GatewaySessionHistoryResponse { history }))
}

#[utoipa::path(post, path = "/api/v1/gateways/sessions/{session_id}/message", tag = "gateways", security(("HTTPBearer" = [])),
    params(("session_id" = String, Path, description = "Session key"), BoardQuery), request_body = GatewaySessionMessageRequest,
    responses((status = 200, body = OkResponse), (status = 403, description = "Organization admin role required"),
        (status = 404, description = "Board or gateway not found"), (status = 409, description = "The board has no gateway"), (status = 422, description = "Blank content, or board_id is needed (several gateways)"),
        (status = 502, description = "Gateway error"), (status = 504, description = "The gateway did not answer in time")))]
pub async fn send_session_message(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(session_id): ApiPath<String>,
    ApiQuery(q): ApiQuery<BoardQuery>,
    ApiJson(body): ApiJson<GatewaySessionMessageRequest>,
) -> ApiResult<Json<OkResponse>> {
    gateway_sessions::send_message(&app, &caller, &session_id, &body.content, q.board_id).await?;
    Ok(Json(OkResponse::ok()))
}

#[utoipa::path(get, path = "/api/v1/gateways/commands", tag = "gateways", security(("HTTPBearer" = [])),
    responses((status = 200, body = GatewayCommandsResponse), (status = 403, description = "Organization admin role required")))]
pub async fn gateway_commands(AuthUser(caller): AuthUser) -> ApiResult<Json<GatewayCommandsResponse>> {
    caller.require_admin()?;
    let (protocol_version, methods, events) = gateway_sessions::commands();
    Ok(Json(GatewayCommandsResponse {
        protocol_version,
        methods,
        events,
    }))
}

fn yes() -> bool {
    true
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TemplatesSyncQuery {
    /// Also rewrite the gateway main agent's files.
    #[serde(default = "yes")]
    #[param(default = true)]
    pub include_main: bool,
    /// Only board leads.
    #[serde(default)]
    pub lead_only: bool,
    /// Reset each agent's session first.
    #[serde(default)]
    pub reset_sessions: bool,
    /// Accepted; every sync issues fresh tokens (only their hashes are kept).
    #[serde(default)]
    pub rotate_tokens: bool,
    /// Accepted; BOOTSTRAP.md is always rewritten.
    #[serde(default)]
    pub force_bootstrap: bool,
    /// Also replace MEMORY.md and USER.md, which are otherwise kept.
    #[serde(default)]
    pub overwrite: bool,
    /// Only the agents of this board.
    #[serde(default, deserialize_with = "super::extract::empty_as_none")]
    pub board_id: Option<Uuid>,
}

#[utoipa::path(post, path = "/api/v1/gateways/{gateway_id}/templates/sync", tag = "gateways", security(("HTTPBearer" = [])),
    params(("gateway_id" = Uuid, Path), TemplatesSyncQuery),
    responses((status = 200, body = GatewayTemplatesSyncResult, description = "Per-agent failures are listed in `errors`"),
        (status = 403, description = "Organization admin role required"), (status = 404, description = "Gateway or board not found"),
        (status = 422, description = "The board does not use this gateway, or the gateway release is unsupported"),
        (status = 502, description = "Gateway error"), (status = 504, description = "The gateway did not answer in time")))]
pub async fn sync_templates(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(gateway_id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<TemplatesSyncQuery>,
) -> ApiResult<Json<GatewayTemplatesSyncResult>> {
    let options = SyncOptions {
        include_main: q.include_main,
        lead_only: q.lead_only,
        reset_sessions: q.reset_sessions,
        rotate_tokens: q.rotate_tokens,
        force_bootstrap: q.force_bootstrap,
        overwrite: q.overwrite,
        board_id: q.board_id,
    };
    let report = gateway_sessions::sync_templates(&app, &caller, gateway_id, &options).await?;
    Ok(Json(GatewayTemplatesSyncResult {
        gateway_id,
        include_main: options.include_main,
        reset_sessions: options.reset_sessions,
        agents_updated: report.agents_updated,
        agents_skipped: report.agents_skipped,
        main_updated: report.main_updated,
        errors: report
            .errors
            .into_iter()
            .map(|e| GatewayTemplatesSyncError {
                agent_id: e.agent_id,
                agent_name: e.agent_name,
                board_id: e.board_id,
                message: e.message,
            })
            .collect(),
    }))
}
