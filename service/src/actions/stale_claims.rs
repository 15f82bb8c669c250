//! Stale claims come back: the sweep the job runner runs (see `domain::stale_claims`).

use chrono::NaiveDateTime;

use super::Result;
use super::tasks::publish;
use crate::bus::EventBus;
use crate::store::Store;

/// Releases every stale claim and publishes each change on its board's task stream; how many
/// were released.
pub async fn release(store: &Store, bus: &EventBus, now: NaiveDateTime) -> Result<usize> {
    let released = store.release_stale_claims(now).await?;
    for r in &released {
        tracing::info!(board_id = %r.board_id, task_id = %r.change.view.task.id, "stale claim released");
        publish(bus, r.organization_id, r.board_id, &r.change).await;
    }
    Ok(released.len())
}
