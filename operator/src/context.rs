//! What every reconcile shares: the client, the event recorder, metrics and backoff state.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kube::Client;
use kube::runtime::events::{Recorder, Reporter};

use crate::metrics::Metrics;
use crate::names;

/// Shared state of the reconciles.
pub struct Context {
    /// API client.
    pub client: Client,
    /// Publishes Events on the `MissionControl`.
    pub recorder: Recorder,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// HTTP client for the pods' `/readyz` (readiness gates).
    pub http: reqwest::Client,
    /// Consecutive failures per object, for the error backoff.
    failures: Mutex<HashMap<String, u32>>,
}

impl Context {
    /// A context; `instance` names this operator replica in Events.
    ///
    /// # Errors
    /// Fails when the HTTP client cannot be built (no TLS provider installed).
    pub fn new(client: Client, metrics: Arc<Metrics>, instance: Option<String>) -> Result<Self, reqwest::Error> {
        let reporter = Reporter {
            controller: names::CONTROLLER_NAME.into(),
            instance,
        };
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .connect_timeout(Duration::from_secs(1))
            .build()?;
        Ok(Self {
            recorder: Recorder::new(client.clone(), reporter),
            client,
            metrics,
            http,
            failures: Mutex::new(HashMap::new()),
        })
    }

    /// Record a failure of `key` and return how long to wait: 5 s doubling up to 5 min.
    pub fn backoff(&self, key: &str) -> Duration {
        let mut failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = failures.entry(key.to_string()).or_insert(0);
        *n = n.saturating_add(1);
        let secs = 5u64.saturating_mul(1u64 << (*n - 1).min(6)).min(300);
        Duration::from_secs(secs)
    }

    /// Forget the failures of `key` after a successful reconcile.
    pub fn reset_backoff(&self, key: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        failures.remove(key);
    }
}
