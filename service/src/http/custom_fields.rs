//! The organization's task custom field definitions.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{ApiJson, ApiPath, AuthUser};
use super::views::{OkResponse, double_option};
use crate::actions::custom_fields::{self, CustomFieldInput};
use crate::app::AppState;
use crate::domain::custom_fields::{FieldType, Visibility};
use crate::store::CustomFieldView;

/// The type of a custom field's values.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CustomFieldType {
    Text,
    TextLong,
    Integer,
    Decimal,
    Boolean,
    Date,
    DateTime,
    Url,
    Json,
}

impl From<CustomFieldType> for FieldType {
    fn from(t: CustomFieldType) -> Self {
        match t {
            CustomFieldType::Text => Self::Text,
            CustomFieldType::TextLong => Self::TextLong,
            CustomFieldType::Integer => Self::Integer,
            CustomFieldType::Decimal => Self::Decimal,
            CustomFieldType::Boolean => Self::Boolean,
            CustomFieldType::Date => Self::Date,
            CustomFieldType::DateTime => Self::DateTime,
            CustomFieldType::Url => Self::Url,
            CustomFieldType::Json => Self::Json,
        }
    }
}

/// Where the UI shows a custom field.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CustomFieldVisibility {
    Always,
    IfSet,
    Hidden,
}

impl From<CustomFieldVisibility> for Visibility {
    fn from(v: CustomFieldVisibility) -> Self {
        match v {
            CustomFieldVisibility::Always => Self::Always,
            CustomFieldVisibility::IfSet => Self::IfSet,
            CustomFieldVisibility::Hidden => Self::Hidden,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskCustomFieldDefinitionRead {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub field_key: String,
    pub label: String,
    #[schema(value_type = CustomFieldType)]
    pub field_type: String,
    #[schema(value_type = CustomFieldVisibility)]
    pub ui_visibility: String,
    pub validation_regex: Option<String>,
    pub description: Option<String>,
    pub required: bool,
    #[schema(value_type = Option<Value>)]
    pub default_value: Option<Value>,
    pub board_ids: Vec<Uuid>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<CustomFieldView> for TaskCustomFieldDefinitionRead {
    fn from(v: CustomFieldView) -> Self {
        let d = v.definition;
        Self {
            id: d.id,
            organization_id: d.organization_id,
            field_key: d.field_key,
            label: d.label,
            field_type: d.field_type,
            ui_visibility: d.ui_visibility,
            validation_regex: d.validation_regex,
            description: d.description,
            required: d.required,
            default_value: d.default_value,
            board_ids: v.board_ids,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

/// A new definition, bound to at least one board of the organization. `label` defaults to
/// the key; `validation_regex` only for string types.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TaskCustomFieldDefinitionCreate {
    #[schema(min_length = 1)]
    pub field_key: String,
    #[schema(min_length = 1)]
    pub label: Option<String>,
    #[serde(default = "default_type")]
    #[schema(default = "text")]
    pub field_type: CustomFieldType,
    #[serde(default = "default_visibility")]
    #[schema(default = "always")]
    pub ui_visibility: CustomFieldVisibility,
    pub validation_regex: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[schema(value_type = Option<Value>)]
    pub default_value: Option<Value>,
    #[schema(min_items = 1)]
    pub board_ids: Vec<Uuid>,
}

fn default_type() -> CustomFieldType {
    CustomFieldType::Text
}

fn default_visibility() -> CustomFieldVisibility {
    CustomFieldVisibility::Always
}

/// Changes to a definition; `field_key` cannot change, `board_ids` replaces the bindings.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TaskCustomFieldDefinitionUpdate {
    /// Refused unless equal to the current key: keys are immutable.
    #[schema(ignore)]
    pub field_key: Option<String>,
    #[schema(min_length = 1)]
    pub label: Option<String>,
    pub field_type: Option<CustomFieldType>,
    pub ui_visibility: Option<CustomFieldVisibility>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub validation_regex: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub required: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Value>)]
    pub default_value: Option<Option<Value>>,
    pub board_ids: Option<Vec<Uuid>>,
}

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
    responses((status = 200, body = TaskCustomFieldDefinitionRead),
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
    responses((status = 200, body = TaskCustomFieldDefinitionRead)))]
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
    responses((status = 200, body = OkResponse), (status = 409, description = "Tasks have values for the field")))]
pub async fn delete_custom_field(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<OkResponse>> {
    custom_fields::delete(&app.store, &caller, id).await?;
    Ok(Json(OkResponse::ok()))
}
