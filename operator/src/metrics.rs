//! Prometheus metrics of the operator.

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// Label of the error counter.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ErrorLabels {
    /// [`crate::error::Error::category`].
    pub category: String,
}

/// Every metric the operator exports.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// Reconciles started.
    pub reconciles: Counter,
    /// Failed reconciles by category.
    pub errors: Family<ErrorLabels, Counter>,
    /// Reconcile duration.
    pub duration: Histogram,
    /// 1 while this replica holds the leader Lease.
    pub leader: Gauge<i64, std::sync::atomic::AtomicI64>,
    /// Server-side applies sent (one per changed or created child).
    pub applies: Counter<u64, AtomicU64>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("mission_control_operator");
        let reconciles = Counter::default();
        let errors = Family::<ErrorLabels, Counter>::default();
        let duration = Histogram::new([0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]);
        let leader = Gauge::default();
        let applies = Counter::default();
        registry.register("reconciles", "Reconciles started", reconciles.clone());
        registry.register(
            "reconcile_errors",
            "Failed reconciles by error category",
            errors.clone(),
        );
        registry.register(
            "reconcile_duration_seconds",
            "Duration of a reconcile",
            duration.clone(),
        );
        registry.register("leader", "1 while this replica holds the leader Lease", leader.clone());
        registry.register("applies", "Server-side apply requests sent", applies.clone());
        Self {
            registry,
            reconciles,
            errors,
            duration,
            leader,
            applies,
        }
    }
}

impl Metrics {
    /// Count a failed reconcile.
    pub fn error(&self, category: &str) {
        self.errors
            .get_or_create(&ErrorLabels {
                category: category.to_string(),
            })
            .inc();
    }

    /// Record a reconcile duration.
    pub fn observe(&self, elapsed: Duration) {
        self.duration.observe(elapsed.as_secs_f64());
    }

    /// Text exposition format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}
