//! Background work inside every replica, durably: jobs are rows written in the transaction of
//! the change that causes them (see `store/sql/jobs.rs`), and each replica runs a [`Runner`]
//! that claims due jobs under a lease, runs them, and records the outcome. A replica that dies
//! holding a job loses the lease when it expires and another runner takes the job over; so
//! delivery is at least once, and a job's side effect uses the job's id as its idempotency
//! key. On shutdown the runner stops claiming, lets running jobs finish within the drain
//! time, and hands back what it could not finish.

mod kinds;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tracing::Instrument;
use uuid::Uuid;

use crate::app::AppState;
use crate::domain::jobs::{AfterFailure, RetryPolicy, RunError, after_failure, runs_exhausted};
use crate::domain::now;
use crate::store::{JobRow, NewJob};

pub use kinds::KINDS;

/// Wakes this replica's runner when a job was just enqueued here, so it need not wait for its
/// next poll. Cheap to clone.
#[derive(Clone, Default)]
pub struct JobSignal(Arc<Notify>);

impl JobSignal {
    pub fn job_enqueued(&self) {
        self.0.notify_one();
    }
}

/// How often the runner samples the queue for `/metrics`.
const SAMPLE_EVERY: Duration = Duration::from_secs(5);
/// How often finished jobs past their retention are purged.
const PURGE_EVERY: Duration = Duration::from_secs(3600);

fn at(from: NaiveDateTime, after: Duration) -> NaiveDateTime {
    from + chrono::Duration::from_std(after).unwrap_or(chrono::Duration::MAX)
}

/// One replica's runner.
pub struct Runner {
    app: AppState,
    /// This runner's name on its leases.
    name: String,
    policy: RetryPolicy,
}

impl Runner {
    pub fn new(app: AppState) -> Self {
        let jobs = &app.config.jobs;
        let policy = RetryPolicy {
            base: jobs.retry_base,
            max: jobs.retry_max,
            max_retries: jobs.max_retries,
        };
        Self {
            name: format!("runner-{}", Uuid::new_v4()),
            app,
            policy,
        }
    }

    /// Runs until shutdown begins, then drains (see the module doc).
    pub async fn run(self) {
        let me = Arc::new(self);
        let config = me.app.config.jobs.clone();
        let mut running: JoinSet<()> = JoinSet::new();
        let mut held: HashMap<tokio::task::Id, Uuid> = HashMap::new();
        let mut sampled = Instant::now().checked_sub(SAMPLE_EVERY).unwrap_or_else(Instant::now);
        let mut purged = Instant::now();
        let mut scheduled = Instant::now()
            .checked_sub(config.stale_claims_every)
            .unwrap_or_else(Instant::now);
        let mut failing_since: Option<Instant> = None;
        tracing::info!(runner = %me.name, concurrency = config.concurrency, "job runner started");
        loop {
            if me.app.shutdown.is_draining() {
                break;
            }
            let free = i64::from(config.concurrency).saturating_sub(i64::try_from(running.len()).unwrap_or(i64::MAX));
            let mut full_batch = false;
            if free > 0 {
                let t = now();
                match me.app.store.claim_jobs(&me.name, free, t, at(t, config.lease)).await {
                    Ok(jobs) => {
                        failing_since = None;
                        full_batch = i64::try_from(jobs.len()).unwrap_or(0) == free;
                        for job in jobs {
                            let id = job.id;
                            let handle = running.spawn(Arc::clone(&me).run_one(job));
                            held.insert(handle.id(), id);
                        }
                    }
                    Err(e) => {
                        // Logged once per outage, not on every poll.
                        if failing_since.is_none() {
                            tracing::warn!(error = %e, "job runner cannot claim jobs; retrying");
                            failing_since = Some(Instant::now());
                        }
                    }
                }
            }
            if sampled.elapsed() >= SAMPLE_EVERY {
                sampled = Instant::now();
                me.sample_queue().await;
            }
            if scheduled.elapsed() >= config.stale_claims_every {
                scheduled = Instant::now();
                me.schedule_periodic(config.stale_claims_every).await;
            }
            if purged.elapsed() >= PURGE_EVERY {
                purged = Instant::now();
                me.purge(config.retention).await;
            }
            if full_batch {
                // More may be due: claim again as soon as a slot is free.
                tokio::task::yield_now().await;
                if running.len() < config.concurrency as usize {
                    continue;
                }
            }
            tokio::select! {
                () = tokio::time::sleep(config.poll) => {}
                () = me.app.jobs.0.notified() => {}
                Some(done) = running.join_next_with_id(), if !running.is_empty() => {
                    forget(&mut held, done);
                }
                () = me.app.shutdown.draining() => {}
            }
        }
        me.drain(running, held).await;
    }

    /// Lets running jobs finish within the drain time, then hands back the rest.
    async fn drain(&self, mut running: JoinSet<()>, mut held: HashMap<tokio::task::Id, Uuid>) {
        let deadline = tokio::time::sleep(self.app.config.shutdown_drain);
        tokio::pin!(deadline);
        while !running.is_empty() {
            tokio::select! {
                Some(done) = running.join_next_with_id() => forget(&mut held, done),
                () = &mut deadline => break,
            }
        }
        running.abort_all();
        while let Some(done) = running.join_next_with_id().await {
            forget(&mut held, done);
        }
        // Aborted runs did not finish: whatever they held goes back to the queue.
        let ids: Vec<Uuid> = held.into_values().collect();
        match self.app.store.release_jobs(&self.name, &ids, now()).await {
            Ok(n) if n > 0 => tracing::warn!(released = n, "shutdown: unfinished jobs handed back to the queue"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "shutdown: could not hand jobs back; their leases will expire"),
        }
        tracing::info!(runner = %self.name, "job runner stopped");
    }

    /// Enqueues this period's stale-claims sweep. Every replica does; the period's dedupe key
    /// keeps one job per period, which one runner runs.
    async fn schedule_periodic(&self, every: Duration) {
        let t = now();
        let period = t.and_utc().timestamp() / i64::try_from(every.as_secs().max(1)).unwrap_or(i64::MAX);
        let job = NewJob {
            id: Uuid::new_v4(),
            kind: kinds::STALE_CLAIMS_SWEEP.to_owned(),
            payload: serde_json::json!({}),
            run_at: t,
            traceparent: None,
            dedupe_key: Some(format!("{}:{period}", kinds::STALE_CLAIMS_SWEEP)),
        };
        match self.app.store.enqueue_jobs(&[job], t).await {
            Ok(()) => self.app.jobs.job_enqueued(),
            Err(e) => tracing::warn!(error = %e, "could not schedule the stale-claims sweep"),
        }
    }

    async fn sample_queue(&self) {
        let t = now();
        if let Ok(stats) = self.app.store.job_stats(t).await {
            let age = stats
                .oldest_ready_since
                .and_then(|since| (t - since).to_std().ok())
                .unwrap_or_default();
            self.app.metrics.job_queue(&stats, age);
        }
    }

    async fn purge(&self, retention: Duration) {
        let before = now() - chrono::Duration::from_std(retention).unwrap_or(chrono::Duration::MAX);
        if let Err(e) = self.app.store.purge_done_jobs(before).await {
            tracing::warn!(error = %e, "could not purge finished jobs");
        }
    }

    /// Runs one claimed job under a span that continues the trace of the request that
    /// enqueued it, keeps its lease alive meanwhile, and records the outcome.
    async fn run_one(self: Arc<Self>, job: JobRow) {
        let span = tracing::info_span!(
            "job",
            otel.name = %format!("job {}", job.kind),
            otel.kind = "consumer",
            job.id = %job.id,
            job.kind = %job.kind,
            job.attempt = job.attempts,
        );
        crate::telemetry::continue_trace(&span, job.traceparent.as_deref());
        async {
            let started = Instant::now();
            let attempts = u32::try_from(job.attempts).unwrap_or(u32::MAX);
            let result = if runs_exhausted(&self.policy, attempts) {
                Err(RunError::Permanent(
                    "runs exhausted: earlier runners stopped while holding the job".to_owned(),
                ))
            } else {
                tokio::select! {
                    r = kinds::run(&self.app, &job) => r,
                    () = self.keep_lease(job.id) => unreachable!("keep_lease never returns"),
                }
            };
            let outcome = self.record(&job, attempts, result).await;
            self.app.metrics.job_finished(&job.kind, outcome, started.elapsed());
        }
        .instrument(span)
        .await;
    }

    /// Renews the job's lease every third of its length (never returns).
    async fn keep_lease(&self, id: Uuid) {
        let lease = self.app.config.jobs.lease;
        loop {
            tokio::time::sleep(lease / 3).await;
            match self.app.store.extend_job_lease(id, &self.name, at(now(), lease)).await {
                Ok(true) => {}
                Ok(false) => tracing::warn!("job lease lost to another runner; this run's outcome will be ignored"),
                Err(e) => tracing::warn!(error = %e, "could not renew a job lease"),
            }
        }
    }

    /// Stores how the run ended; the metric outcome.
    async fn record(&self, job: &JobRow, attempts: u32, result: Result<(), RunError>) -> &'static str {
        let t = now();
        let (stored, outcome) = match result {
            Ok(()) => (self.app.store.complete_job(job.id, &self.name, t).await, "done"),
            Err(error) => {
                let message = match &error {
                    RunError::Transient(m) | RunError::Permanent(m) => m.clone(),
                };
                match after_failure(&self.policy, attempts, &error, rand::random::<f64>()) {
                    AfterFailure::RetryIn(delay) => {
                        tracing::info!(error = %message, retry_in_seconds = delay.as_secs_f64(), "job failed; will retry");
                        (
                            self.app
                                .store
                                .fail_job(job.id, &self.name, &message, Some(at(t, delay)), t)
                                .await,
                            "retry",
                        )
                    }
                    AfterFailure::GiveUp => {
                        tracing::warn!(error = %message, attempts, "job failed for good; kept as failed");
                        (
                            self.app.store.fail_job(job.id, &self.name, &message, None, t).await,
                            "failed",
                        )
                    }
                }
            }
        };
        match stored {
            Ok(true) => outcome,
            Ok(false) => "lost",
            Err(e) => {
                tracing::warn!(error = %e, "could not record a job's outcome; it runs again when its lease expires");
                "lost"
            }
        }
    }
}

fn forget(held: &mut HashMap<tokio::task::Id, Uuid>, done: Result<(tokio::task::Id, ()), tokio::task::JoinError>) {
    let id = match done {
        Ok((id, ())) => id,
        Err(e) => {
            if e.is_panic() {
                tracing::error!("a job run panicked; its lease will expire and it runs again");
            }
            e.id()
        }
    };
    held.remove(&id);
}
