//! Organizations: the caller's organizations, members, board access and invites; and
//! deleting one's own account.

use axum::Json;
use axum::extract::State;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthUser, PageQuery};
use super::views::{
    OkResponse, OrganizationActiveUpdate, OrganizationCreate, OrganizationInviteAccept, OrganizationInviteCreate,
    OrganizationInviteRead, OrganizationListItem, OrganizationMemberAccessUpdate, OrganizationMemberRead,
    OrganizationMemberUpdate, OrganizationRead, Page,
};
use crate::actions::organizations::{self as orgs, InviteInput};
use crate::actions::{Error, FieldError};
use crate::app::AppState;

fn member_read((m, access): orgs::MemberView) -> OrganizationMemberRead {
    OrganizationMemberRead::new(m, access)
}

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
    request_body = OrganizationActiveUpdate, responses((status = 200, body = OrganizationRead)))]
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
    responses((status = 200, body = OkResponse)))]
pub async fn delete_my_organization(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
) -> ApiResult<Json<OkResponse>> {
    orgs::delete_active(&app.store, &caller).await?;
    Ok(Json(OkResponse::ok()))
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
    params(PageQuery), responses((status = 200, body = Page<OrganizationMemberRead>)))]
pub async fn list_members(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Page<OrganizationMemberRead>> {
    let page = q.page()?;
    let found = orgs::list_members(&app.store, &caller, page).await?;
    Ok(Page::from(found, page, member_read))
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
    params(("member_id" = Uuid, Path)), request_body = OrganizationMemberUpdate, responses((status = 200, body = OrganizationMemberRead)))]
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
    params(("member_id" = Uuid, Path)), request_body = OrganizationMemberAccessUpdate, responses((status = 200, body = OrganizationMemberRead)))]
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
    params(("member_id" = Uuid, Path)), responses((status = 200, body = OkResponse)))]
pub async fn remove_member(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<OkResponse>> {
    orgs::remove_member(&app.store, &caller, id).await?;
    Ok(Json(OkResponse::ok()))
}

#[utoipa::path(get, path = "/api/v1/organizations/me/invites", tag = "organizations", security(("HTTPBearer" = [])),
    params(PageQuery), responses((status = 200, body = Page<OrganizationInviteRead>)))]
pub async fn list_invites(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Page<OrganizationInviteRead>> {
    let page = q.page()?;
    let found = orgs::list_invites(&app.store, &caller, page).await?;
    Ok(Page::from(found, page, OrganizationInviteRead::from))
}

#[utoipa::path(post, path = "/api/v1/organizations/me/invites", tag = "organizations", security(("HTTPBearer" = [])),
    request_body = OrganizationInviteCreate, responses((status = 200, body = OrganizationInviteRead)))]
pub async fn create_invite(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiJson(body): ApiJson<OrganizationInviteCreate>,
) -> ApiResult<Json<OrganizationInviteRead>> {
    let input = InviteInput {
        invited_email: body.invited_email,
        role: body.role,
        all_boards_read: body.all_boards_read,
        all_boards_write: body.all_boards_write,
        grants: body.board_access.into_iter().map(Into::into).collect(),
    };
    Ok(Json(orgs::create_invite(&app.store, &caller, input).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/organizations/me/invites/{invite_id}", tag = "organizations", security(("HTTPBearer" = [])),
    params(("invite_id" = Uuid, Path)), responses((status = 200, body = OrganizationInviteRead)))]
pub async fn revoke_invite(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<OrganizationInviteRead>> {
    Ok(Json(orgs::revoke_invite(&app.store, &caller, id).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/organizations/invites/accept", tag = "organizations", security(("HTTPBearer" = [])),
    request_body = OrganizationInviteAccept, responses((status = 200, body = OrganizationMemberRead)))]
pub async fn accept_invite(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiJson(body): ApiJson<OrganizationInviteAccept>,
) -> ApiResult<Json<OrganizationMemberRead>> {
    if body.token.trim().is_empty() {
        return Err(Error::Invalid(vec![FieldError::body("token", "token must not be blank")]).into());
    }
    Ok(Json(member_read(
        orgs::accept_invite(&app.store, &caller, &body.token).await?,
    )))
}

#[utoipa::path(delete, path = "/api/v1/users/me", tag = "users", security(("HTTPBearer" = [])),
    responses((status = 200, body = OkResponse)))]
pub async fn delete_me(State(app): State<AppState>, AuthUser(caller): AuthUser) -> ApiResult<Json<OkResponse>> {
    orgs::delete_me(&app.store, &caller).await?;
    Ok(Json(OkResponse::ok()))
}
