//! Event fan-out: writes publish, live streams subscribe.
//!
//! `Memory` is an in-process broadcast for a single process. `Redis` publishes every event to
//! one Redis pub/sub channel; each replica's subscriber feeds its local broadcast, so a write
//! through any replica reaches subscribers on all of them. If a publish fails the event is
//! still delivered locally and the failure is logged. A subscriber that falls more than the
//! broadcast capacity behind is told (`Lagged`) instead of silently losing events.
//!
//! A publish made while a request is handled is held in that request's `Outbox` and
//! released (`release`) once its response has been written, so a client never sees the
//! event of its own write before the write's response. Released events go out in the order
//! they were released: straight into the broadcast (memory), or through one task that
//! publishes them to Redis in order, pipelined.

use std::sync::Arc;
use std::time::Duration;

use fred::clients::SubscriberClient;
use fred::prelude::*;
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc};
use uuid::Uuid;

/// How many events a subscriber may fall behind before it must resync.
pub const CAPACITY: usize = 4096;

/// What a stream is about; subscribers filter on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Topic {
    /// Task changes and comments of one board.
    BoardTasks(Uuid),
    /// The organization-wide task-comment feed; the id is the comment's board.
    CommentFeed(Uuid),
    /// Approvals of one board.
    BoardApprovals(Uuid),
    /// Memory (notes and chat) of one board.
    BoardMemory(Uuid),
    /// Memory (notes and chat) of one board group.
    GroupMemory(Uuid),
    /// Agent changes in the event's organization; the id is the agent's board, if any.
    Agents(Option<Uuid>),
}

/// One event as streams send it: SSE name, id and JSON data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BusEvent {
    pub topic: Topic,
    /// The organization it belongs to (for organization-wide feeds).
    pub organization_id: Uuid,
    /// SSE `event:` name.
    pub name: String,
    /// SSE `id:` (resumable with `Last-Event-ID`).
    pub id: String,
    /// Whether it is a task comment.
    #[serde(default)]
    pub is_comment: bool,
    pub data: serde_json::Value,
}

#[derive(Clone)]
pub enum EventBus {
    Memory(broadcast::Sender<Arc<BusEvent>>),
    Redis(Arc<RedisBus>),
}

pub struct RedisBus {
    publisher: Client,
    _subscriber: SubscriberClient,
    local: broadcast::Sender<Arc<BusEvent>>,
    channel: String,
    /// Events released after a response, to the task that publishes them in order.
    released: mpsc::UnboundedSender<Vec<BusEvent>>,
}

impl EventBus {
    pub fn memory() -> Self {
        Self::memory_with_capacity(CAPACITY)
    }

    /// An in-process bus whose subscribers may lag `capacity` events before resyncing.
    pub fn memory_with_capacity(capacity: usize) -> Self {
        Self::Memory(broadcast::channel(capacity).0)
    }

    /// Connects a publisher and a subscriber (which resubscribes after reconnects) to Redis.
    pub async fn redis(url: &str, channel: &str) -> Result<Self, fred::error::Error> {
        let config = Config::from_url(url)?;
        let mut builder = Builder::from_config(config);
        builder
            .with_connection_config(|c| {
                c.connection_timeout = Duration::from_secs(2);
                c.internal_command_timeout = Duration::from_secs(2);
            })
            .with_performance_config(|p| p.default_command_timeout = Duration::from_secs(1))
            .set_policy(ReconnectPolicy::new_exponential(0, 100, 2_000, 2));
        let publisher = builder.build()?;
        let subscriber = builder.build_subscriber_client()?;
        publisher.init().await?;
        subscriber.init().await?;
        // Resubscribes after reconnects; the task lives as long as the client.
        drop(subscriber.manage_subscriptions());
        let (local, _) = broadcast::channel(CAPACITY);
        let mut messages = subscriber.message_rx();
        subscriber.subscribe(channel.to_owned()).await?;
        let forward = local.clone();
        tokio::spawn(async move {
            loop {
                match messages.recv().await {
                    Ok(message) => {
                        let Some(text) = message.value.as_str() else { continue };
                        match serde_json::from_str::<BusEvent>(&text) {
                            Ok(event) => {
                                let _ = forward.send(Arc::new(event));
                            }
                            Err(e) => tracing::warn!(error = %e, "ignoring a malformed event from redis"),
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "event subscriber lagged behind redis");
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        let (released, batches) = mpsc::unbounded_channel();
        tokio::spawn(publish_released(
            batches,
            publisher.clone(),
            channel.to_owned(),
            local.clone(),
        ));
        Ok(Self::Redis(Arc::new(RedisBus {
            publisher,
            _subscriber: subscriber,
            local,
            channel: channel.to_owned(),
            released,
        })))
    }

    /// Delivers an event to every subscriber on every replica (best effort); inside a
    /// request, once the request's response has been written (see `bus::outbox`).
    pub async fn publish(&self, event: BusEvent) {
        let Some(event) = super::outbox::hold_in_request(event) else {
            return;
        };
        match self {
            Self::Memory(tx) => {
                let _ = tx.send(Arc::new(event));
            }
            Self::Redis(bus) => to_redis(&bus.publisher, &bus.channel, &bus.local, event).await,
        }
    }

    /// Delivers events held for a response, in order, without waiting: callable while a
    /// response body is dropped or a connection flushed.
    pub fn release(&self, events: Vec<BusEvent>) {
        if events.is_empty() {
            return;
        }
        match self {
            Self::Memory(tx) => {
                for event in events {
                    let _ = tx.send(Arc::new(event));
                }
            }
            Self::Redis(bus) => {
                if let Err(unsent) = bus.released.send(events) {
                    // The publishing task is gone (runtime shutting down): this replica only.
                    for event in unsent.0 {
                        let _ = bus.local.send(Arc::new(event));
                    }
                }
            }
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<BusEvent>> {
        match self {
            Self::Memory(tx) => tx.subscribe(),
            Self::Redis(bus) => bus.local.subscribe(),
        }
    }
}

/// Publishes one event to the Redis channel; on failure delivers it to this replica only.
async fn to_redis(publisher: &Client, channel: &str, local: &broadcast::Sender<Arc<BusEvent>>, event: BusEvent) {
    let payload = match serde_json::to_string(&event) {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "cannot encode an event");
            return;
        }
    };
    if let Err(e) = publisher.publish::<i64, _, _>(channel.to_owned(), payload).await {
        tracing::warn!(error = %e, "event publish to redis failed; delivering to this replica only");
        let _ = local.send(Arc::new(event));
    }
}

/// Publishes released events in the order they were released. Everything released so far
/// goes out together: the publishes are issued in order on one connection (pipelined) and
/// awaited together. Ends when the bus is dropped.
async fn publish_released(
    mut batches: mpsc::UnboundedReceiver<Vec<BusEvent>>,
    publisher: Client,
    channel: String,
    local: broadcast::Sender<Arc<BusEvent>>,
) {
    while let Some(mut events) = batches.recv().await {
        while let Ok(more) = batches.try_recv() {
            events.extend(more);
        }
        futures::future::join_all(
            events
                .into_iter()
                .map(|event| to_redis(&publisher, &channel, &local, event)),
        )
        .await;
    }
}
