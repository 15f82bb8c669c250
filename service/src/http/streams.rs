//! What every live stream (server-sent events) shares; the stream handlers themselves sit
//! with their resource (`tasks.rs`, `approvals.rs`…). Push-based: a stream first replays what happened since
//! its cursor (`Last-Event-ID`, or the reference's `since`), then relays the event bus,
//! de-duplicating by event id. Keep-alive comments every 15 s; a subscriber that falls too
//! far behind gets a `resync` event; on shutdown every stream ends with a `retry:` hint.

use std::collections::{HashSet, VecDeque};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::sse::{Event, KeepAlive, KeepAliveStream, Sse};
use serde::Deserialize;
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use utoipa::IntoParams;

use super::error::{ApiError, ApiResult};
use super::extract::ApiQuery;
use crate::actions::FieldError;
use crate::actions::activity::Cursor;
use crate::app::AppState;
use crate::bus::BusEvent;

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

/// Builds the SSE response: `backlog` first, then live events from `live` that pass `keep`,
/// until `shutdown` resolves.
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
    #[param(schema_with = super::doc_inputs::since_schema)]
    pub since: Option<String>,
}

/// Where a live stream starts: after `Last-Event-ID` when the client reconnects, else at the
/// reference's `since` query parameter, else now. Read by every stream handler; parsed by
/// [`StreamStart::cursor`] where the handler's checks put it, so a bad `since` is a 422
/// naming it only after the caller was allowed in.
pub struct StreamStart {
    last_event_id: Option<String>,
    since: Option<String>,
}

impl StreamStart {
    pub fn cursor(&self) -> Result<Cursor, ApiError> {
        Cursor::parse(self.last_event_id.as_deref(), self.since.as_deref()).map_err(|msg| {
            ApiError::Validation(vec![FieldError {
                loc: vec!["query".into(), "since".into()],
                msg,
                kind: "value_error".to_owned(),
            }])
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for StreamStart {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiQuery(q) = ApiQuery::<SinceQuery>::from_request_parts(parts, state).await?;
        let last_event_id = parts
            .headers
            .get("last-event-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok(Self {
            last_event_id,
            since: q.since,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::{EventBus, Topic};
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
