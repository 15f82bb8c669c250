//! The dashboard and the board page snapshot.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::error::{ApiError, ApiResult};
use super::extract::{ApiQuery, AuthUser};
use crate::actions::{FieldError, dashboard};
use crate::app::AppState;
use crate::wire::dashboard::DashboardMetrics;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// One of 24h, 3d, 7d, 14d, 1m, 3m, 6m, 1y.
    #[param(schema_with = super::doc_inputs::range_key_schema)]
    pub range_key: Option<String>,
    #[serde(default, deserialize_with = "super::extract::empty_as_none")]
    pub board_id: Option<Uuid>,
    /// Accepted for compatibility; board groups are not part of this filter yet.
    #[serde(default, deserialize_with = "super::extract::empty_as_none")]
    pub group_id: Option<Uuid>,
}

#[utoipa::path(get, path = "/api/v1/metrics/dashboard", tag = "metrics", security(("HTTPBearer" = [])),
    params(DashboardQuery), responses((status = 200, body = DashboardMetrics), (status = 403, description = "The caller may not read this board"), (status = 404, description = "Board not found")))]
pub async fn get_dashboard(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> ApiResult<Json<DashboardMetrics>> {
    let key = q.range_key.as_deref().unwrap_or("24h");
    match dashboard::dashboard(&app.store, &caller, key, q.board_id).await? {
        Some(m) => Ok(Json(m)),
        None => Err(ApiError::Validation(vec![FieldError {
            loc: vec!["query".into(), "range_key".into()],
            msg: format!("Input should be one of {}", dashboard::RANGE_KEYS.join(", ")),
            kind: "enum".to_owned(),
        }])),
    }
}
