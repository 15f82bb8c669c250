//! The caller's own account: bootstrap, profile, active organization.

use axum::Json;
use axum::extract::State;

use super::error::ApiResult;
use super::extract::{ApiJson, AuthUser};
use super::views::{OrganizationRead, UserRead, UserUpdate};
use crate::actions::identity;
use crate::app::AppState;
use crate::store::UserPatch;

#[utoipa::path(post, path = "/api/v1/auth/bootstrap", tag = "auth", security(("HTTPBearer" = [])),
    responses((status = 200, body = UserRead), (status = 401, description = "Not authenticated")))]
pub async fn bootstrap(AuthUser(caller): AuthUser) -> Json<UserRead> {
    Json(caller.user.into())
}

#[utoipa::path(get, path = "/api/v1/users/me", tag = "users", security(("HTTPBearer" = [])),
    responses((status = 200, body = UserRead)))]
pub async fn get_me(AuthUser(caller): AuthUser) -> Json<UserRead> {
    Json(caller.user.into())
}

#[utoipa::path(patch, path = "/api/v1/users/me", tag = "users", security(("HTTPBearer" = [])),
    request_body = UserUpdate, responses((status = 200, body = UserRead)))]
pub async fn update_me(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiJson(body): ApiJson<UserUpdate>,
) -> ApiResult<Json<UserRead>> {
    let patch = UserPatch {
        name: body.name,
        preferred_name: body.preferred_name,
        pronouns: body.pronouns,
        timezone: body.timezone,
        notes: body.notes,
        context: body.context,
    };
    Ok(Json(
        identity::update_profile(&app.store, &caller, &patch).await?.into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/organizations/me", tag = "organizations", security(("HTTPBearer" = [])),
    responses((status = 200, body = OrganizationRead)))]
pub async fn get_my_org(State(app): State<AppState>, AuthUser(caller): AuthUser) -> ApiResult<Json<OrganizationRead>> {
    Ok(Json(identity::my_organization(&app.store, &caller).await?.into()))
}
