//! Signing in: the first call of a user, which provisions the account.

use axum::Json;

use super::extract::AuthUser;
use crate::wire::users::UserRead;

#[utoipa::path(post, path = "/api/v1/auth/bootstrap", tag = "auth", security(("HTTPBearer" = [])),
    responses((status = 200, body = UserRead), (status = 401, description = "Not authenticated")))]
pub async fn bootstrap(AuthUser(caller): AuthUser) -> Json<UserRead> {
    Json(caller.user.into())
}
