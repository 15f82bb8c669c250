//! The organization's tags.

use axum::Json;
use axum::extract::State;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthUser, PageQuery};
use crate::actions::tags::{self, TagInput};
use crate::app::AppState;
use crate::wire::tags::{TagCreate, TagRead, TagUpdate};
use crate::wire::{OkResponse, PageOf};

#[utoipa::path(get, path = "/api/v1/tags", tag = "tags", security(("HTTPBearer" = [])),
    params(PageQuery), responses((status = 200, body = PageOf<TagRead>)))]
pub async fn list_tags(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<PageOf<TagRead>> {
    let page = q.page()?;
    let found = tags::list(&app.store, &caller, page).await?;
    Ok(PageOf::new(found, page, TagRead::from))
}

#[utoipa::path(post, path = "/api/v1/tags", tag = "tags", security(("HTTPBearer" = [])),
    request_body = TagCreate,
    responses((status = 200, body = TagRead), (status = 403, description = "Organization admin role required"), (status = 409, description = "The slug is taken in this organization")))]
pub async fn create_tag(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiJson(body): ApiJson<TagCreate>,
) -> ApiResult<Json<TagRead>> {
    let input = TagInput {
        name: Some(body.name),
        slug: body.slug,
        color: body.color,
        description: Some(body.description),
    };
    Ok(Json(tags::create(&app.store, &caller, input).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/tags/{tag_id}", tag = "tags", security(("HTTPBearer" = [])),
    params(("tag_id" = Uuid, Path)), responses((status = 200, body = TagRead)))]
pub async fn get_tag(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<TagRead>> {
    Ok(Json(tags::get(&app.store, &caller, id).await?.into()))
}

#[utoipa::path(patch, path = "/api/v1/tags/{tag_id}", tag = "tags", security(("HTTPBearer" = [])),
    params(("tag_id" = Uuid, Path)), request_body = TagUpdate,
    responses((status = 200, body = TagRead), (status = 403, description = "Organization admin role required"), (status = 409, description = "The slug is taken in this organization")))]
pub async fn update_tag(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<TagUpdate>,
) -> ApiResult<Json<TagRead>> {
    let input = TagInput {
        name: body.name,
        slug: body.slug,
        color: body.color,
        description: body.description,
    };
    Ok(Json(tags::update(&app.store, &caller, id, input).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/tags/{tag_id}", tag = "tags", security(("HTTPBearer" = [])),
    params(("tag_id" = Uuid, Path)), responses((status = 200, body = OkResponse), (status = 403, description = "Organization admin role required")))]
pub async fn delete_tag(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<OkResponse>> {
    tags::delete(&app.store, &caller, id).await?;
    Ok(Json(OkResponse::ok()))
}
