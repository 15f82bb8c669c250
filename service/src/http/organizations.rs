//! Organizations: the caller's organizations, members, board access and invites; and
//! deleting one's own account.

use axum::Json;
use axum::extract::State;

use super::error::ApiResult;
use super::extract::{ApiJson, AuthUser};
use crate::actions::identity;
use crate::actions::organizations::{self as orgs};
use crate::app::AppState;
use crate::wire::OkResponse;
use crate::wire::organizations::{
    OrganizationActiveUpdate, OrganizationCreate, OrganizationListItem, OrganizationRead,
};

#[utoipa::path(post, path = "/api/v1/organizations", tag = "organizations", security(("HTTPBearer" = [])),
    request_body = OrganizationCreate, responses((status = 200, body = OrganizationRead)))]
pub async fn create_organization(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiJson(body): ApiJson<OrganizationCreate>,
) -> ApiResult<Json<OrganizationRead>> {
    Ok(Json(orgs::create(&app.store, &caller, &body.name).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/organizations/me/list", tag = "organizations", security(("HTTPBearer" = [])),
    responses((status = 200, body = Vec<OrganizationListItem>)))]
pub async fn list_my_organizations(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
) -> ApiResult<Json<Vec<OrganizationListItem>>> {
    let active = caller.organization_id();
    let rows = orgs::list_mine(&app.store, &caller).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| OrganizationListItem {
                is_active: r.organization_id == active,
                id: r.organization_id,
                name: r.name,
                role: r.role,
            })
            .collect(),
    ))
}

#[utoipa::path(patch, path = "/api/v1/organizations/me/active", tag = "organizations", security(("HTTPBearer" = [])),
    request_body = OrganizationActiveUpdate, responses((status = 200, body = OrganizationRead), (status = 404, description = "Not a member of that organization")))]
pub async fn set_active_organization(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiJson(body): ApiJson<OrganizationActiveUpdate>,
) -> ApiResult<Json<OrganizationRead>> {
    Ok(Json(
        orgs::set_active(&app.store, &caller, body.organization_id)
            .await?
            .into(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/organizations/me", tag = "organizations", security(("HTTPBearer" = [])),
    responses((status = 200, body = OkResponse), (status = 403, description = "Only an owner may delete the organization")))]
pub async fn delete_my_organization(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
) -> ApiResult<Json<OkResponse>> {
    orgs::delete_active(&app.store, &caller).await?;
    Ok(Json(OkResponse::ok()))
}

#[utoipa::path(get, path = "/api/v1/organizations/me", tag = "organizations", security(("HTTPBearer" = [])),
    responses((status = 200, body = OrganizationRead)))]
pub async fn get_my_org(State(app): State<AppState>, AuthUser(caller): AuthUser) -> ApiResult<Json<OrganizationRead>> {
    Ok(Json(identity::my_organization(&app.store, &caller).await?.into()))
}
