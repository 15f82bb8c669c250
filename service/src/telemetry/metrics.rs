//! Prometheus metrics. Labels are bounded sets: method, route template (never the raw path),
//! status code, limiter name, outcome.

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::store::PoolStats;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LimiterLabels {
    limiter: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    kind: String,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobKindLabels {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueueLabels {
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: &'static str,
}

struct Inner {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Family<RequestLabels, Histogram>,
    in_flight: Gauge,
    limiter: Family<LimiterLabels, Counter>,
    pool: Family<PoolLabels, Gauge>,
    jobs: Family<JobLabels, Counter>,
    job_durations: Family<JobKindLabels, Histogram>,
    queue: Family<QueueLabels, Gauge>,
    oldest_ready: Gauge<f64, std::sync::atomic::AtomicU64>,
}

/// Cheap to clone; all clones feed one registry.
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

fn duration_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let durations =
            Family::<RequestLabels, Histogram>::new_with_constructor(duration_histogram as fn() -> Histogram);
        let in_flight = Gauge::default();
        let limiter = Family::<LimiterLabels, Counter>::default();
        let pool = Family::<PoolLabels, Gauge>::default();
        registry.register("http_requests", "HTTP requests served", requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "HTTP request duration from first byte in to response head out",
            durations.clone(),
        );
        registry.register(
            "http_requests_in_flight",
            "HTTP requests being served now",
            in_flight.clone(),
        );
        registry.register(
            "rate_limit_decisions",
            "Rate-limit decisions by limiter and outcome (allowed, limited, degraded = allowed because Redis failed)",
            limiter.clone(),
        );
        registry.register(
            "db_pool_connections",
            "Database pool connections by state (idle, in_use, max)",
            pool.clone(),
        );
        let jobs = Family::<JobLabels, Counter>::default();
        let job_durations =
            Family::<JobKindLabels, Histogram>::new_with_constructor(duration_histogram as fn() -> Histogram);
        let queue = Family::<QueueLabels, Gauge>::default();
        let oldest_ready = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
        registry.register(
            "jobs",
            "Background job runs by kind and outcome (done, retry, failed, lost = its lease passed to another runner)",
            jobs.clone(),
        );
        registry.register(
            "job_run_duration_seconds",
            "Background job run time by kind",
            job_durations.clone(),
        );
        registry.register(
            "jobs_queue",
            "Background jobs by state (ready = due now, scheduled = waiting for their time, running, failed), all replicas, sampled by this replica's runner",
            queue.clone(),
        );
        registry.register(
            "jobs_oldest_ready_age_seconds",
            "How long the oldest due job has been waiting (0 when none is due)",
            oldest_ready.clone(),
        );
        Self(Arc::new(Inner {
            registry,
            requests,
            durations,
            in_flight,
            limiter,
            pool,
            jobs,
            job_durations,
            queue,
            oldest_ready,
        }))
    }
}

/// Decrements the in-flight gauge when the request ends, however it ends.
pub struct InFlight(Metrics);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.0.in_flight.dec();
    }
}

impl Metrics {
    pub fn request_started(&self) -> InFlight {
        self.0.in_flight.inc();
        InFlight(self.clone())
    }

    pub fn request_finished(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let labels = RequestLabels {
            method: method.to_owned(),
            route: route.to_owned(),
            status,
        };
        self.0.requests.get_or_create(&labels).inc();
        self.0.durations.get_or_create(&labels).observe(elapsed.as_secs_f64());
    }

    pub fn rate_limit_decision(&self, limiter: &'static str, allowed: bool) {
        let outcome = if allowed { "allowed" } else { "limited" };
        self.0.limiter.get_or_create(&LimiterLabels { limiter, outcome }).inc();
    }

    pub fn rate_limit_degraded(&self, limiter: &'static str) {
        self.0
            .limiter
            .get_or_create(&LimiterLabels {
                limiter,
                outcome: "degraded",
            })
            .inc();
    }

    /// One job run finished with `outcome` (done, retry, failed, lost).
    pub fn job_finished(&self, kind: &str, outcome: &'static str, elapsed: Duration) {
        self.0
            .jobs
            .get_or_create(&JobLabels {
                kind: kind.to_owned(),
                outcome,
            })
            .inc();
        self.0
            .job_durations
            .get_or_create(&JobKindLabels { kind: kind.to_owned() })
            .observe(elapsed.as_secs_f64());
    }

    /// The queue as the runner last sampled it.
    pub fn job_queue(&self, stats: &crate::store::JobQueueStats, oldest_ready_age: Duration) {
        for (state, n) in [
            ("ready", stats.ready),
            ("scheduled", stats.scheduled),
            ("running", stats.running),
            ("failed", stats.failed),
        ] {
            self.0.queue.get_or_create(&QueueLabels { state }).set(n);
        }
        self.0.oldest_ready.set(oldest_ready_age.as_secs_f64());
    }

    /// Renders the Prometheus text exposition, sampling the pool first.
    pub fn render(&self, pool: PoolStats) -> String {
        let gauge = |state| self.0.pool.get_or_create(&PoolLabels { state }).clone();
        gauge("idle").set(i64::from(pool.idle));
        gauge("in_use").set(i64::from(pool.size.saturating_sub(pool.idle)));
        gauge("max").set(i64::from(pool.max));
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.0.registry).is_err() {
            out.clear();
        }
        out
    }
}
