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
        Self(Arc::new(Inner {
            registry,
            requests,
            durations,
            in_flight,
            limiter,
            pool,
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
