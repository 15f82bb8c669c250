//! The gateway client every replica holds: the shared device identity, the deadlines, and a
//! retry loop for the moments a gateway restarts (a `config.patch` makes it close every
//! socket with 1012 about two seconds later and refuse connections briefly).

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use super::connection::{Connection, GatewayTarget};
use super::device::DeviceIdentity;
use super::frames::GatewayError;
use crate::domain::gateway_version::{self, CalVer, Compatibility};

/// Deadlines and the version floor (`GATEWAY_*` settings).
#[derive(Debug, Clone)]
pub struct GatewaySettings {
    /// Opening a TCP connection.
    pub connect_timeout: Duration,
    /// One request, handshake included.
    pub call_timeout: Duration,
    /// How long transient failures (a restart) are retried before the call gives up.
    pub retry_for: Duration,
    pub min_version: CalVer,
}

#[derive(Clone)]
pub struct GatewayClient {
    identity: Arc<DeviceIdentity>,
    pub settings: GatewaySettings,
}

/// What the compatibility check learned.
#[derive(Debug, Clone)]
pub struct GatewayFacts {
    pub protocol: u64,
    pub version: Option<CalVer>,
    pub methods: Vec<String>,
}

const FIRST_BACKOFF: Duration = Duration::from_millis(150);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

impl GatewayClient {
    pub fn new(identity: DeviceIdentity, settings: GatewaySettings) -> Self {
        Self {
            identity: Arc::new(identity),
            settings,
        }
    }

    pub fn device_id(&self) -> &str {
        self.identity.id()
    }

    /// Opens one authenticated connection (no retry), for a sequence of calls.
    pub async fn open(&self, target: &GatewayTarget) -> Result<Connection, GatewayError> {
        let deadline = Instant::now() + self.settings.call_timeout;
        Connection::open(target, &self.identity, self.settings.connect_timeout, deadline).await
    }

    /// Runs `attempt` until it succeeds, fails for good, or the retry budget is spent.
    async fn retrying<T, F, Fut>(&self, mut attempt: F) -> Result<T, GatewayError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, GatewayError>>,
    {
        let give_up = Instant::now() + self.settings.retry_for;
        let mut backoff = FIRST_BACKOFF;
        loop {
            match attempt().await {
                Err(e) if e.is_transient() && Instant::now() + backoff < give_up => {
                    // The gateway's own "retry after" wins when it gives one.
                    let wait = super::frames::retry_after(&e).map_or(backoff, |asked| asked.max(backoff));
                    if Instant::now() + wait >= give_up {
                        return Err(e);
                    }
                    tracing::debug!(error = %e, wait_ms = wait.as_millis() as u64, "gateway call retried");
                    tokio::time::sleep(wait).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
                other => return other,
            }
        }
    }

    /// One call on a fresh connection, retried through restarts.
    pub async fn call(&self, target: &GatewayTarget, method: &str, params: Value) -> Result<Value, GatewayError> {
        let started = std::time::Instant::now();
        let result = self
            .retrying(|| {
                let params = params.clone();
                async move {
                    let mut conn = self.open(target).await?;
                    let answer = conn.call(method, params, self.settings.call_timeout).await;
                    tokio::spawn(conn.close());
                    answer
                }
            })
            .await;
        let outcome = match &result {
            Ok(_) => "ok",
            Err(GatewayError::Rejected { .. }) => "rejected",
            Err(GatewayError::Timeout(_)) => "timeout",
            Err(_) => "unavailable",
        };
        tracing::debug!(
            method,
            outcome,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "gateway call"
        );
        result
    }

    /// As [`Self::call`], also retrying "no such agent" answers for up to `window`: a release
    /// that keeps agents in a registry applies a new agent with a hot reload, and calls right
    /// after `agents.create` can miss it for a moment.
    pub async fn call_settling(
        &self,
        target: &GatewayTarget,
        method: &str,
        params: Value,
        window: Duration,
    ) -> Result<Value, GatewayError> {
        let until = Instant::now() + window;
        let mut backoff = FIRST_BACKOFF;
        loop {
            match self.call(target, method, params.clone()).await {
                Err(e) if e.is_not_found() && Instant::now() + backoff < until => {
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
                other => return other,
            }
        }
    }

    /// Connects and judges the gateway's release against `GATEWAY_MIN_VERSION` (reading
    /// `config.get`'s `meta.lastTouchedVersion` when the handshake's version does not parse).
    pub async fn check(&self, target: &GatewayTarget) -> Result<GatewayFacts, GatewayError> {
        self.retrying(|| async {
            let mut conn = self.open(target).await?;
            let hello = conn.hello.clone();
            let parsed = hello.server_version.as_deref().and_then(gateway_version::parse);
            let config_version = if parsed.is_none() {
                conn.call("config.get", serde_json::json!({}), self.settings.call_timeout)
                    .await
                    .ok()
                    .and_then(|c| {
                        c.pointer("/config/meta/lastTouchedVersion")
                            .or_else(|| c.pointer("/parsed/meta/lastTouchedVersion"))
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                    })
            } else {
                None
            };
            tokio::spawn(conn.close());
            let verdict = gateway_version::judge(
                hello.server_version.as_deref(),
                config_version.as_deref(),
                self.settings.min_version,
            );
            match (verdict.refusal(), verdict) {
                (Some(why), _) => Err(GatewayError::Incompatible(why)),
                (None, Compatibility::Supported(v)) => Ok(GatewayFacts {
                    protocol: hello.protocol,
                    version: Some(v),
                    methods: hello.methods,
                }),
                (None, _) => Err(GatewayError::Incompatible("unsupported gateway".into())),
            }
        })
        .await
    }
}
