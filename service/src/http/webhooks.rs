//! Board webhooks (listing).

use axum::extract::State;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{ApiPath, ApiQuery, AuthUser, PageQuery};
use crate::actions::identity::Caller;
use crate::actions::webhooks;
use crate::app::AppState;
use crate::wire::PageOf;
use crate::wire::webhooks::BoardWebhookRead;

#[utoipa::path(get, path = "/api/v1/boards/{board_id}/webhooks", tag = "board-webhooks", security(("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), PageQuery), responses((status = 200, body = PageOf<BoardWebhookRead>)))]
pub async fn list_webhooks(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<PageOf<BoardWebhookRead>> {
    let page = q.page()?;
    let found = webhooks::list(&app.store, &Caller::User(caller), board_id, page).await?;
    let base = app.config.base_url.clone();
    Ok(PageOf::new(found, page, |w| BoardWebhookRead::new(w, base.as_ref())))
}
