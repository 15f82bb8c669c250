//! Gateways (stored as data for now).

use axum::Json;
use axum::extract::State;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthUser, PageQuery};
use crate::actions::gateways::{self, GatewayInput};
use crate::app::AppState;
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
    request_body = GatewayCreate, responses((status = 200, body = GatewayRead), (status = 403, description = "Organization admin role required")))]
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
    Ok(Json(gateways::create(&app.store, &caller, input).await?.into()))
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
    params(("gateway_id" = Uuid, Path)), request_body = GatewayUpdate, responses((status = 200, body = GatewayRead), (status = 403, description = "Organization admin role required")))]
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
    Ok(Json(gateways::update(&app.store, &caller, id, input).await?.into()))
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

/// Reports whether a gateway (a board's, or one given by URL) is connected. This service
/// does not open gateway connections yet, so the answer is always "not connected", with the
/// reason — a 200, as clients expect, never an error.
#[utoipa::path(get, path = "/api/v1/gateways/status", tag = "gateways", security(("HTTPBearer" = [])),
    params(GatewayStatusQuery), responses((status = 200, body = GatewaysStatusResponse), (status = 404, description = "Board or gateway not found"), (status = 403, description = "Organization admin role required")))]
pub async fn gateway_status(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiQuery(q): ApiQuery<GatewayStatusQuery>,
) -> ApiResult<Json<GatewaysStatusResponse>> {
    let (url, error) = gateways::status_target(&app.store, &caller, q.board_id, q.gateway_url).await?;
    Ok(Json(GatewaysStatusResponse {
        connected: false,
        gateway_url: url,
        sessions_count: None,
        sessions: None,
        main_session: None,
        main_session_error: None,
        error: Some(error),
    }))
}
