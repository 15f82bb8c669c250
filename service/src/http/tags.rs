//! The organization's tags.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthUser, PageQuery};
use super::views::{OkResponse, Page, double_option};
use crate::actions::tags::{self, TagInput};
use crate::app::AppState;
use crate::store::TagRow;

#[derive(Debug, Serialize, ToSchema)]
pub struct TagRead {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub slug: String,
    #[schema(default = "9e9e9e")]
    pub color: String,
    pub description: Option<String>,
    /// How many tasks carry the tag.
    pub task_count: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<TagRow> for TagRead {
    fn from(t: TagRow) -> Self {
        Self {
            id: t.id,
            organization_id: t.organization_id,
            name: t.name,
            slug: t.slug,
            color: t.color,
            description: t.description,
            task_count: t.task_count,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// A new tag: the slug is derived from the name when absent; the color is 6 hex digits.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TagCreate {
    #[schema(min_length = 1)]
    pub name: String,
    pub slug: Option<String>,
    #[schema(default = "9e9e9e")]
    pub color: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TagUpdate {
    #[schema(min_length = 1)]
    pub name: Option<String>,
    pub slug: Option<String>,
    pub color: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
}

#[utoipa::path(get, path = "/api/v1/tags", tag = "tags", security(("HTTPBearer" = [])),
    params(PageQuery), responses((status = 200, body = Page<TagRead>)))]
pub async fn list_tags(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Page<TagRead>> {
    let page = q.page()?;
    let found = tags::list(&app.store, &caller, page).await?;
    Ok(Page::from(found, page, TagRead::from))
}

#[utoipa::path(post, path = "/api/v1/tags", tag = "tags", security(("HTTPBearer" = [])),
    request_body = TagCreate,
    responses((status = 200, body = TagRead), (status = 409, description = "The slug is taken in this organization")))]
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
    responses((status = 200, body = TagRead), (status = 409, description = "The slug is taken in this organization")))]
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
    params(("tag_id" = Uuid, Path)), responses((status = 200, body = OkResponse)))]
pub async fn delete_tag(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<OkResponse>> {
    tags::delete(&app.store, &caller, id).await?;
    Ok(Json(OkResponse::ok()))
}
