//! Live streams (server-sent events), push-based: a stream first replays what happened since
//! its cursor (`Last-Event-ID`, or the reference's `since`), then relays the event bus,
//! de-duplicating by event id. Keep-alive comments every 15 s; a subscriber that falls too
//! far behind gets a `resync` event; on shutdown every stream ends with a `retry:` hint.

use std::collections::{HashSet, VecDeque};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, KeepAliveStream, Sse};
use serde::Deserialize;
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use utoipa::IntoParams;
use uuid::Uuid;

use super::error::{ApiError, ApiResult};
use super::extract::{ApiPath, ApiQuery, AuthCaller, AuthUser};
use crate::actions::FieldError;
use crate::actions::activity::{self, Cursor};
use crate::app::AppState;
use crate::bus::{BusEvent, Topic};

pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How long clients should wait before reconnecting after the server ended a stream.
pub const RETRY_AFTER_SHUTDOWN: Duration = Duration::from_secs(2);
/// How many recent event ids a stream remembers to drop duplicates.
const DEDUPE_WINDOW: usize = 2000;

struct Dedupe {
    order: VecDeque<String>,
    seen: HashSet<String>,
}

impl Dedupe {
    fn new() -> Self {
        Self {
            order: VecDeque::new(),
            seen: HashSet::new(),
        }
    }

    /// True the first time an id is seen.
    fn insert(&mut self, id: &str) -> bool {
        if !self.seen.insert(id.to_owned()) {
            return false;
        }
        self.order.push_back(id.to_owned());
        if self.order.len() > DEDUPE_WINDOW
            && let Some(old) = self.order.pop_front()
        {
            self.seen.remove(&old);
        }
        true
    }
}

fn to_sse(e: &BusEvent) -> Event {
    Event::default().event(&e.name).id(&e.id).data(e.data.to_string())
}

/// Builds the SSE response: `backlog` first, then live events from `live` that pass `keep`,
/// until `shutdown` resolves.
/// Subscribes to the event bus, then loads `backlog` (so nothing falls between the replay and
/// the live events), and streams both, keeping the events `keep` accepts, until the client
/// goes away or shutdown begins.
pub async fn live_stream(
    app: &AppState,
    backlog: impl std::future::Future<Output = crate::actions::Result<Vec<BusEvent>>>,
    keep: impl Fn(&BusEvent) -> bool + Send + 'static,
) -> ApiResult<EventSse> {
    let live = app.events.subscribe();
    let backlog = backlog.await?;
    let app = app.clone();
    Ok(event_stream(
        async move { app.shutdown.draining().await },
        backlog,
        live,
        keep,
    ))
}

/// The response of every live stream: events relayed from a task through a channel.
pub type EventSse =
    Sse<KeepAliveStream<futures::stream::Map<ReceiverStream<Event>, fn(Event) -> Result<Event, Infallible>>>>;

pub fn event_stream(
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    backlog: Vec<BusEvent>,
    mut live: broadcast::Receiver<Arc<BusEvent>>,
    keep: impl Fn(&BusEvent) -> bool + Send + 'static,
) -> EventSse {
    let (tx, rx) = mpsc::channel::<Event>(256);
    tokio::spawn(async move {
        let mut seen = Dedupe::new();
        for e in &backlog {
            if seen.insert(&e.id) && tx.send(to_sse(e)).await.is_err() {
                return;
            }
        }
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => {
                    let _ = tx.send(Event::default().retry(RETRY_AFTER_SHUTDOWN).comment("server shutting down")).await;
                    break;
                }
                () = tx.closed() => break,
                msg = live.recv() => match msg {
                    Ok(e) => {
                        if keep(&e) && seen.insert(&e.id) && tx.send(to_sse(&e)).await.is_err() {
                            break;
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        let data = serde_json::json!({"reason": "lagged", "missed": missed});
                        if tx.send(Event::default().event("resync").data(data.to_string())).await.is_err() {
                            break;
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                },
            }
        }
    });
    let events = futures::StreamExt::map(ReceiverStream::new(rx), Ok as fn(Event) -> Result<Event, Infallible>);
    Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive"))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SinceQuery {
    /// ISO-8601 time to replay from, or `null` for "from now".
    pub since: Option<String>,
}

pub fn cursor(headers: &HeaderMap, since: Option<&str>) -> Result<Cursor, ApiError> {
    let last = headers.get("last-event-id").and_then(|v| v.to_str().ok());
    Cursor::parse(last, since).map_err(|msg| {
        ApiError::Validation(vec![FieldError {
            loc: vec!["query".into(), "since".into()],
            msg,
            kind: "value_error".to_owned(),
        }])
    })
}

#[utoipa::path(get, path = "/api/v1/boards/{board_id}/tasks/stream", tag = "tasks", security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(("board_id" = Uuid, Path), SinceQuery),
    responses((status = 200, description = "Server-sent events named `task`: `{type, activity, task}` or `{type, activity, comment}`. The body is always `text/event-stream`; the JSON entry mirrors the reference contract.", content(("text/event-stream"), (serde_json::Value = "application/json")))))]
pub async fn stream_tasks(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<SinceQuery>,
    headers: HeaderMap,
) -> ApiResult<EventSse> {
    let cursor = cursor(&headers, q.since.as_deref())?;
    let keep = move |e: &BusEvent| e.topic == Topic::BoardTasks(board_id);
    live_stream(
        &app,
        activity::task_stream_backlog(&app.store, &caller, board_id, &cursor),
        keep,
    )
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommentStreamQuery {
    #[serde(default, deserialize_with = "super::extract::empty_as_none")]
    pub board_id: Option<Uuid>,
    /// ISO-8601 time to replay from, or `null` for "from now".
    pub since: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/activity/task-comments/stream", tag = "activity", security(("HTTPBearer" = [])),
    params(CommentStreamQuery),
    responses((status = 200, description = "Server-sent events named `comment`: `{comment}`. The body is always `text/event-stream`; the JSON entry mirrors the reference contract.", content(("text/event-stream"), (serde_json::Value = "application/json")))))]
pub async fn stream_task_comments(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiQuery(q): ApiQuery<CommentStreamQuery>,
    headers: HeaderMap,
) -> ApiResult<EventSse> {
    let cursor = cursor(&headers, q.since.as_deref())?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::EventBus;
    use uuid::Uuid;

    fn event(board: Uuid, n: usize) -> BusEvent {
        BusEvent {
            topic: Topic::BoardTasks(board),
            organization_id: Uuid::nil(),
            name: "task".into(),
            id: format!("e{n}"),
            is_comment: false,
            data: serde_json::json!({"n": n}),
        }
    }

    async fn body_of(sse: EventSse) -> String {
        use axum::response::IntoResponse;
        let body = sse.into_response().into_body();
        let bytes = http_body_util::BodyExt::collect(body).await.unwrap().to_bytes();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_is_told_to_resync_and_backlog_is_deduplicated() {
        let board = Uuid::new_v4();
        let bus = EventBus::memory_with_capacity(4);
        let live = bus.subscribe();
        for n in 0..10 {
            bus.publish(event(board, n)).await;
        }
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let sse = event_stream(
            async move {
                let _ = stop_rx.await;
            },
            vec![event(board, 8)],
            live,
            move |e| e.topic == Topic::BoardTasks(board),
        );
        let reader = tokio::spawn(body_of(sse));
        tokio::time::sleep(Duration::from_millis(100)).await;
        let _ = stop_tx.send(());
        let text = reader.await.unwrap();
        assert!(text.contains("event: resync"), "{text}");
        assert_eq!(
            text.matches("id: e8").count(),
            1,
            "the backlog event is not repeated: {text}"
        );
        assert!(text.contains("id: e9"), "{text}");
        assert!(
            text.contains("retry: 2000"),
            "the stream ends with a retry hint: {text}"
        );
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgentStreamQuery {
    #[serde(default, deserialize_with = "super::extract::empty_as_none")]
    pub board_id: Option<Uuid>,
    /// ISO-8601 time to replay from, or `null` for "from now".
    pub since: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/agents/stream", tag = "agents", security(("HTTPBearer" = [])),
    params(AgentStreamQuery),
    responses((status = 200, description = "Server-sent events named `agent`: `{agent}`. The body is always `text/event-stream`; the JSON entry mirrors the reference contract.", content(("text/event-stream"), (serde_json::Value = "application/json")))))]
pub async fn stream_agents(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiQuery(q): ApiQuery<AgentStreamQuery>,
    headers: HeaderMap,
) -> ApiResult<EventSse> {
    caller.require_admin()?;
    let cursor = cursor(&headers, q.since.as_deref())?;
    activity::check_board(&app.store, &caller, q.board_id).await?;
    let organization = caller.organization_id();
    let only = q.board_id;
    let keep = move |e: &BusEvent| match e.topic {
        Topic::Agents(board) => e.organization_id == organization && only.is_none_or(|b| board == Some(b)),
        _ => false,
    };
    live_stream(
        &app,
        crate::actions::agents::stream_backlog(&app.store, organization, q.board_id, &cursor),
        keep,
    )
    .await
}
