//! Events held back while a request is handled.
//!
//! A request runs inside an `Outbox` scope (a tokio task-local set by the HTTP layer); an
//! event published in that scope is kept there, in order, and the HTTP layer releases the
//! lot once the response has been written. Work outside a request (background tasks, work a
//! handler spawns) has no scope and publishes at once.

use std::sync::{Arc, Mutex, PoisonError};

use super::events::BusEvent;

tokio::task_local! {
    static CURRENT: Outbox;
}

/// The events one request has published so far.
#[derive(Clone, Default)]
pub struct Outbox(Arc<Mutex<Vec<BusEvent>>>);

impl Outbox {
    /// Runs `work` with every publish inside it held in this outbox.
    pub async fn hold<F: Future>(&self, work: F) -> F::Output {
        CURRENT.scope(self.clone(), work).await
    }

    /// Takes the held events, oldest first.
    pub fn take(&self) -> Vec<BusEvent> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn push(&self, event: BusEvent) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).push(event);
    }
}

/// Keeps `event` in the current request's outbox; outside a request, hands it back.
pub(super) fn hold_in_request(event: BusEvent) -> Option<BusEvent> {
    let mut event = Some(event);
    let _ = CURRENT.try_with(|outbox| {
        if let Some(e) = event.take() {
            outbox.push(e);
        }
    });
    event
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use uuid::Uuid;

    use super::*;
    use crate::bus::events::Topic;

    fn event(id: &str) -> BusEvent {
        BusEvent {
            topic: Topic::BoardTasks(Uuid::nil()),
            organization_id: Uuid::nil(),
            name: "task".to_owned(),
            id: id.to_owned(),
            is_comment: false,
            data: json!({}),
        }
    }

    #[tokio::test]
    async fn events_are_held_in_order_inside_a_scope_and_handed_back_outside() {
        let outbox = Outbox::default();
        outbox
            .hold(async {
                assert!(hold_in_request(event("1")).is_none());
                assert!(hold_in_request(event("2")).is_none());
            })
            .await;
        assert_eq!(hold_in_request(event("3")).map(|e| e.id), Some("3".to_owned()));
        let ids: Vec<String> = outbox.take().into_iter().map(|e| e.id).collect();
        assert_eq!(ids, ["1", "2"]);
        assert!(outbox.take().is_empty());
    }
}
