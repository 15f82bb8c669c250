//! The skills catalog (read side): skill packs and the marketplace of the organization.

use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{ApiQuery, AuthUser, PageQuery, empty_as_none};
use super::pages::page_headers;
use crate::actions::skills;
use crate::app::AppState;
use crate::domain::filters::MarketplaceFilter;
use crate::wire::skills::{MarketplaceSkillCardRead, SkillPackRead};

#[utoipa::path(get, path = "/api/v1/skills/packs", tag = "skills", security(("HTTPBearer" = [])),
    responses((status = 200, body = Vec<SkillPackRead>), (status = 403, description = "Organization admin role required")))]
pub async fn list_packs(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
) -> ApiResult<Json<Vec<SkillPackRead>>> {
    let packs = skills::list_packs(&app.store, &caller).await?;
    Ok(Json(packs.into_iter().map(SkillPackRead::from).collect()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MarketplaceQuery {
    #[serde(default, deserialize_with = "empty_as_none")]
    pub gateway_id: Option<Uuid>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub search: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub category: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub risk: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub pack_id: Option<Uuid>,
}

/// Marketplace skills as a plain list; the total is in `X-Total-Count`.
#[utoipa::path(get, path = "/api/v1/skills/marketplace", tag = "skills", security(("HTTPBearer" = [])),
    params(MarketplaceQuery, PageQuery), responses((status = 200, body = Vec<MarketplaceSkillCardRead>), (status = 403, description = "Organization admin role required")))]
pub async fn list_marketplace(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiQuery(f): ApiQuery<MarketplaceQuery>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<impl IntoResponse> {
    let page = q.page()?;
    let filter = MarketplaceFilter {
        organization_id: caller.organization_id(),
        gateway_id: f.gateway_id,
        search: f.search,
        category: f.category,
        risk: f.risk,
    };
    let found = skills::list_marketplace(&app.store, &caller, filter, page).await?;
    let items: Vec<MarketplaceSkillCardRead> = found.items.into_iter().map(Into::into).collect();
    Ok((page_headers(found.total, page), Json(items)))
}
