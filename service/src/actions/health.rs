//! What the probes report: whether the dependencies answer, and the metrics text.

use std::time::Duration;

use crate::app::AppState;

/// How the dependencies answered a readiness check.
#[derive(Debug, Clone, Copy)]
pub struct Dependencies {
    /// The database answered within the timeout.
    pub database: bool,
    /// `None` without Redis; else whether it answered.
    pub redis: Option<bool>,
}

/// Asks the database (within `timeout`) and Redis, at the same time.
pub async fn check(app: &AppState, timeout: Duration) -> Dependencies {
    let (db, redis) = tokio::join!(
        tokio::time::timeout(timeout, app.store.ping()),
        app.limiter.redis_reachable()
    );
    Dependencies {
        database: matches!(db, Ok(Ok(()))),
        redis,
    }
}

/// The Prometheus text exposition, with the database pool's figures.
pub fn metrics_text(app: &AppState) -> String {
    app.metrics.render(app.store.pool_stats())
}
