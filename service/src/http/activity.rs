//! Task comments and the activity feeds.

use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::empty_as_none;
use super::extract::{ApiQuery, AuthCaller, AuthUser, PageQuery};
use super::streams::{EventSse, StreamStart, live_stream};
use crate::actions::activity;
use crate::app::AppState;
use crate::bus::{BusEvent, Topic};
use crate::wire::PageOf;
use crate::wire::activity::{ActivityEventRead, ActivityTaskCommentFeedItemRead};

#[utoipa::path(get, path = "/api/v1/activity", tag = "activity", security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(PageQuery), responses((status = 200, body = PageOf<ActivityEventRead>)))]
pub async fn list_activity(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<PageOf<ActivityEventRead>> {
    let page = q.page()?;
    let found = activity::list(&app.store, &caller, page).await?;
    Ok(PageOf::new(found, page, ActivityEventRead::from))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    #[serde(default, deserialize_with = "empty_as_none")]
    pub board_id: Option<Uuid>,
}

#[utoipa::path(get, path = "/api/v1/activity/task-comments", tag = "activity", security(("HTTPBearer" = [])),
    params(FeedQuery, PageQuery), responses((status = 200, body = PageOf<ActivityTaskCommentFeedItemRead>), (status = 403, description = "The caller may not read this board"), (status = 404, description = "Board not found")))]
pub async fn list_task_comment_feed(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiQuery(f): ApiQuery<FeedQuery>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<PageOf<ActivityTaskCommentFeedItemRead>> {
    let page = q.page()?;
    let found = activity::comment_feed(&app.store, &caller, f.board_id, page).await?;
    Ok(PageOf::new(found, page, ActivityTaskCommentFeedItemRead::from))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommentStreamQuery {
    #[serde(default, deserialize_with = "empty_as_none")]
    pub board_id: Option<Uuid>,
    /// ISO-8601 time to replay from, or `null` for "from now".
    #[param(schema_with = super::doc_inputs::since_schema)]
    pub since: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/activity/task-comments/stream", tag = "activity", security(("HTTPBearer" = [])),
    params(CommentStreamQuery),
    responses((status = 200, description = "Server-sent events named `comment`: `{comment}`. A subscriber that falls behind gets `resync`. The body is always `text/event-stream`; the JSON entry mirrors the reference contract.", content(("text/event-stream"), (serde_json::Value = "application/json"))), (status = 403, description = "The caller may not read this board"), (status = 404, description = "Board not found")))]
pub async fn stream_task_comments(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiQuery(q): ApiQuery<CommentStreamQuery>,
    start: StreamStart,
) -> ApiResult<EventSse> {
    let cursor = start.cursor()?;
    activity::check_board(&app.store, &caller, q.board_id).await?;
    let readable = activity::readable_boards(&app.store, &caller).await?;
    let organization = caller.organization_id();
    let only = q.board_id;
    let keep = move |e: &BusEvent| match e.topic {
        Topic::CommentFeed(board) => {
            e.organization_id == organization
                && only.is_none_or(|b| b == board)
                && readable.as_ref().is_none_or(|r| r.contains(&board))
        }
        _ => false,
    };
    live_stream(
        &app,
        activity::comment_feed_backlog(&app.store, &caller, q.board_id, &cursor),
        keep,
    )
    .await
}
