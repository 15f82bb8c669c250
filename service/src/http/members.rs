//! Members of the active organization and their board access.

use axum::Json;
use axum::extract::State;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthUser, PageQuery};
use crate::actions::organizations as orgs;
use crate::app::AppState;
use crate::wire::members::{OrganizationMemberAccessUpdate, OrganizationMemberRead, OrganizationMemberUpdate};
use crate::wire::{OkResponse, PageOf};

pub(super) fn member_read((m, access): orgs::MemberView) -> OrganizationMemberRead {
    OrganizationMemberRead::new(m, access)
}

#[utoipa::path(get, path = "/api/v1/organizations/me/member", tag = "organizations", security(("HTTPBearer" = [])),
    responses((status = 200, body = OrganizationMemberRead)))]
pub async fn get_my_membership(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
) -> ApiResult<Json<OrganizationMemberRead>> {
    Ok(Json(member_read(orgs::my_membership(&app.store, &caller).await?)))
}

#[utoipa::path(get, path = "/api/v1/organizations/me/members", tag = "organizations", security(("HTTPBearer" = [])),
    params(PageQuery), responses((status = 200, body = PageOf<OrganizationMemberRead>)))]
pub async fn list_members(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<PageOf<OrganizationMemberRead>> {
    let page = q.page()?;
    let found = orgs::list_members(&app.store, &caller, page).await?;
    Ok(PageOf::new(found, page, member_read))
}

#[utoipa::path(get, path = "/api/v1/organizations/me/members/{member_id}", tag = "organizations", security(("HTTPBearer" = [])),
    params(("member_id" = Uuid, Path)), responses((status = 200, body = OrganizationMemberRead)))]
pub async fn get_member(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<OrganizationMemberRead>> {
    Ok(Json(member_read(orgs::get_member(&app.store, &caller, id).await?)))
}

#[utoipa::path(patch, path = "/api/v1/organizations/me/members/{member_id}", tag = "organizations", security(("HTTPBearer" = [])),
    params(("member_id" = Uuid, Path)), request_body = OrganizationMemberUpdate, responses((status = 200, body = OrganizationMemberRead), (status = 403, description = "Organization admin role required; or an organization rule refused it (owners, yourself)"), (status = 409, description = "The organization must keep at least one owner")))]
pub async fn update_member(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<OrganizationMemberUpdate>,
) -> ApiResult<Json<OrganizationMemberRead>> {
    let view = match body.role {
        Some(role) => orgs::update_role(&app.store, &caller, id, &role).await?,
        None => {
            caller.require_admin()?;
            orgs::get_member(&app.store, &caller, id).await?
        }
    };
    Ok(Json(member_read(view)))
}

#[utoipa::path(put, path = "/api/v1/organizations/me/members/{member_id}/access", tag = "organizations", security(("HTTPBearer" = [])),
    params(("member_id" = Uuid, Path)), request_body = OrganizationMemberAccessUpdate, responses((status = 200, body = OrganizationMemberRead), (status = 403, description = "Organization admin role required")))]
pub async fn update_member_access(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<OrganizationMemberAccessUpdate>,
) -> ApiResult<Json<OrganizationMemberRead>> {
    let grants: Vec<_> = body.board_access.into_iter().map(Into::into).collect();
    let view = orgs::update_access(
        &app.store,
        &caller,
        id,
        body.all_boards_read,
        body.all_boards_write,
        &grants,
    )
    .await?;
    Ok(Json(member_read(view)))
}

#[utoipa::path(delete, path = "/api/v1/organizations/me/members/{member_id}", tag = "organizations", security(("HTTPBearer" = [])),
    params(("member_id" = Uuid, Path)), responses((status = 200, body = OkResponse), (status = 403, description = "Organization admin role required; or an organization rule refused it (owners, yourself)"), (status = 409, description = "The organization must keep at least one owner")))]
pub async fn remove_member(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<OkResponse>> {
    orgs::remove_member(&app.store, &caller, id).await?;
    Ok(Json(OkResponse::ok()))
}
