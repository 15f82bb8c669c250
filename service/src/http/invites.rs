//! Invitations to the active organization, and accepting one.

use axum::Json;
use axum::extract::State;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthUser, PageQuery};
use super::members::member_read;
use crate::actions::organizations::{self as orgs, InviteInput};
use crate::actions::{Error, FieldError};
use crate::app::AppState;
use crate::wire::PageOf;
use crate::wire::invites::{OrganizationInviteAccept, OrganizationInviteCreate, OrganizationInviteRead};
use crate::wire::members::OrganizationMemberRead;

#[utoipa::path(get, path = "/api/v1/organizations/me/invites", tag = "organizations", security(("HTTPBearer" = [])),
    params(PageQuery), responses((status = 200, body = PageOf<OrganizationInviteRead>), (status = 403, description = "Organization admin role required")))]
pub async fn list_invites(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<PageOf<OrganizationInviteRead>> {
    let page = q.page()?;
    let found = orgs::list_invites(&app.store, &caller, page).await?;
    Ok(PageOf::new(found, page, OrganizationInviteRead::from))
}

#[utoipa::path(post, path = "/api/v1/organizations/me/invites", tag = "organizations", security(("HTTPBearer" = [])),
    request_body = OrganizationInviteCreate, responses((status = 200, body = OrganizationInviteRead), (status = 403, description = "Organization admin role required")))]
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
    params(("invite_id" = Uuid, Path)), responses((status = 200, body = OrganizationInviteRead), (status = 403, description = "Organization admin role required")))]
pub async fn revoke_invite(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<OrganizationInviteRead>> {
    Ok(Json(orgs::revoke_invite(&app.store, &caller, id).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/organizations/invites/accept", tag = "organizations", security(("HTTPBearer" = [])),
    request_body = OrganizationInviteAccept, responses((status = 200, body = OrganizationMemberRead), (status = 404, description = "No such invite"), (status = 403, description = "The invite was sent to another email address"), (status = 409, description = "The invite was already accepted")))]
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
