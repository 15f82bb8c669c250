//! The caller's own account: bootstrap, profile, active organization.

use axum::Json;
use axum::extract::State;

use super::error::ApiResult;
use super::extract::{ApiJson, AuthUser};
use crate::actions::identity;
use crate::actions::organizations as orgs;
use crate::app::AppState;
use crate::domain::filters::UserPatch;
use crate::wire::OkResponse;
use crate::wire::users::{UserRead, UserUpdate};

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

#[utoipa::path(delete, path = "/api/v1/users/me", tag = "users", security(("HTTPBearer" = [])),
    responses((status = 200, body = OkResponse)))]
pub async fn delete_me(State(app): State<AppState>, AuthUser(caller): AuthUser) -> ApiResult<Json<OkResponse>> {
    orgs::delete_me(&app.store, &caller).await?;
    Ok(Json(OkResponse::ok()))
}
