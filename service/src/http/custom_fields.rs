//! The organization's task custom field definitions.

use axum::Json;
use axum::extract::State;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{ApiJson, ApiPath, AuthUser};
use crate::actions::custom_fields::{self, CustomFieldInput};
use crate::app::AppState;
use crate::wire::OkResponse;
use crate::wire::custom_fields::{
    TaskCustomFieldDefinitionCreate, TaskCustomFieldDefinitionRead, TaskCustomFieldDefinitionUpdate,
};

#[utoipa::path(get, path = "/api/v1/organizations/me/custom-fields", tag = "custom-fields",
    security(("HTTPBearer" = [])), responses((status = 200, body = Vec<TaskCustomFieldDefinitionRead>)))]
pub async fn list_custom_fields(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
) -> ApiResult<Json<Vec<TaskCustomFieldDefinitionRead>>> {
    let found = custom_fields::list(&app.store, &caller).await?;
    Ok(Json(found.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/organizations/me/custom-fields", tag = "custom-fields",
    security(("HTTPBearer" = [])), request_body = TaskCustomFieldDefinitionCreate,
    responses((status = 200, body = TaskCustomFieldDefinitionRead), (status = 403, description = "Organization admin role required"),
        (status = 409, description = "The field key exists in this organization")))]
pub async fn create_custom_field(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiJson(body): ApiJson<TaskCustomFieldDefinitionCreate>,
) -> ApiResult<Json<TaskCustomFieldDefinitionRead>> {
    let input = CustomFieldInput {
        field_key: Some(body.field_key),
        label: body.label,
        field_type: Some(body.field_type.into()),
        ui_visibility: Some(body.ui_visibility.into()),
        validation_regex: Some(body.validation_regex),
        description: Some(body.description),
        required: Some(body.required),
        default_value: Some(body.default_value),
        board_ids: Some(body.board_ids),
    };
    Ok(Json(custom_fields::create(&app.store, &caller, input).await?.into()))
}

#[utoipa::path(patch, path = "/api/v1/organizations/me/custom-fields/{task_custom_field_definition_id}",
    tag = "custom-fields", security(("HTTPBearer" = [])),
    params(("task_custom_field_definition_id" = Uuid, Path)), request_body = TaskCustomFieldDefinitionUpdate,
    responses((status = 200, body = TaskCustomFieldDefinitionRead), (status = 403, description = "Organization admin role required")))]
pub async fn update_custom_field(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<TaskCustomFieldDefinitionUpdate>,
) -> ApiResult<Json<TaskCustomFieldDefinitionRead>> {
    let input = CustomFieldInput {
        field_key: body.field_key,
        label: body.label,
        field_type: body.field_type.map(Into::into),
        ui_visibility: body.ui_visibility.map(Into::into),
        validation_regex: body.validation_regex,
        description: body.description,
        required: body.required,
        default_value: body.default_value,
        board_ids: body.board_ids,
    };
    Ok(Json(
        custom_fields::update(&app.store, &caller, id, input).await?.into(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/organizations/me/custom-fields/{task_custom_field_definition_id}",
    tag = "custom-fields", security(("HTTPBearer" = [])),
    params(("task_custom_field_definition_id" = Uuid, Path)),
    responses((status = 200, body = OkResponse), (status = 403, description = "Organization admin role required"), (status = 409, description = "Tasks have values for the field")))]
pub async fn delete_custom_field(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<OkResponse>> {
    custom_fields::delete(&app.store, &caller, id).await?;
    Ok(Json(OkResponse::ok()))
}
