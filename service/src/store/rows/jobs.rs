//! Durable background jobs.

use chrono::NaiveDateTime;
use serde_json::Value;
use uuid::Uuid;

/// A job to write, inside the transaction of the change that causes it or on its own.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// Stable for the job's whole life: a side effect uses it as its idempotency key.
    pub id: Uuid,
    pub kind: String,
    pub payload: Value,
    /// Not before this time (delayed jobs); the enqueue time otherwise.
    pub run_at: NaiveDateTime,
    /// The W3C `traceparent` of the span that enqueued it.
    pub traceparent: Option<String>,
    /// A job that must exist at most once names itself; a second enqueue with the same key
    /// is ignored.
    pub dedupe_key: Option<String>,
}

/// A job as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobRow {
    pub id: Uuid,
    pub kind: String,
    #[sqlx(json)]
    pub payload: Value,
    /// `ready`, `running`, `done` or `failed`.
    pub status: String,
    /// Runs started so far, this one included once claimed.
    pub attempts: i32,
    pub run_at: NaiveDateTime,
    pub lease_until: Option<NaiveDateTime>,
    pub leased_by: Option<String>,
    pub last_error: Option<String>,
    pub traceparent: Option<String>,
    pub dedupe_key: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

/// Figures for `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct JobQueueStats {
    /// Jobs ready to run now (due, not leased) plus running jobs whose lease expired.
    pub ready: i64,
    /// Jobs waiting for their time (delayed or backing off).
    pub scheduled: i64,
    pub running: i64,
    pub failed: i64,
    /// When the oldest job that is due became due.
    pub oldest_ready_since: Option<NaiveDateTime>,
}
