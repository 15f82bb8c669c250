//! The kinds of job there are, and the code each runs. A job's payload is what its kind
//! needs to find its facts again; the code reloads them, so a job that outlived its subject
//! (a deleted board, a removed agent) ends quietly.

use crate::actions::{notify, provisioning, stale_claims, webhooks};
use crate::app::AppState;
use crate::domain::jobs::RunError;
use crate::domain::notifications;
use crate::domain::now;
use crate::store::JobRow;

/// The periodic sweep that sends stale claims back to the inbox (`domain::stale_claims`).
pub const STALE_CLAIMS_SWEEP: &str = "stale_claims_sweep";

/// Every kind a runner knows.
pub const KINDS: &[&str] = &[
    STALE_CLAIMS_SWEEP,
    webhooks::DELIVERY_JOB,
    provisioning::RECONCILE_JOB,
    notifications::DELIVERY_JOB,
];

/// Runs one job of any kind. A kind this replica does not know (written by a newer release
/// during a rolling upgrade) is retried later, when a replica that knows it may take it.
pub async fn run(app: &AppState, job: &JobRow) -> Result<(), RunError> {
    match job.kind.as_str() {
        STALE_CLAIMS_SWEEP => stale_claims::release(&app.store, &app.events, now())
            .await
            .map(|_| ())
            .map_err(|e| RunError::Transient(e.to_string())),
        webhooks::DELIVERY_JOB => webhooks::deliver(app, job.id, &job.payload).await,
        provisioning::RECONCILE_JOB => provisioning::reconcile(app, &job.payload).await,
        notifications::DELIVERY_JOB => notify::deliver(app, job.id, &job.payload).await,
        other => Err(RunError::Transient(format!("unknown job kind {other:?}"))),
    }
}
