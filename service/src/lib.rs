//! Mission Control: the stateless HTTP API for fleets of AI agents.
//!
//! Layers point one way: `http` → `actions` → `store`/`bus`, all using `domain`.

/// One function per user action; no HTTP types.
pub mod actions;
/// Application state and start-up.
pub mod app;
/// User and agent authentication.
pub mod auth;
/// Rate limiting across replicas (memory or Redis).
pub mod bus;
/// Configuration from the environment, typed and validated.
pub mod config;
/// Domain types and rules; pure.
pub mod domain;
/// The gateway seam: agent provisioning and removal (a no-op until gateways are contacted).
pub mod gateway;
/// Routes, extractors, error rendering and middleware.
pub mod http;
/// Durable background jobs and the runner every replica runs.
pub mod jobs;
/// Calls to services outside ours, each bounded in time and size.
pub mod outbound;
/// The storage seam (PostgreSQL or SQLite).
pub mod store;
/// Logs, traces and metrics.
pub mod telemetry;
/// Wire types: request bodies and read models as the contract names them, one module per
/// resource (HTTP bodies and stream data).
pub mod wire;

use std::future::Future;
use std::time::Duration;

use tokio::net::TcpListener;

pub use app::AppState;

/// Serves `state` on `listener` until `shutdown` resolves; then readiness turns false,
/// the listener closes, and in-flight requests get up to `SHUTDOWN_DRAIN_SECONDS` to finish.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let drain = state.config.shutdown_drain;
    let readiness_delay = state.config.shutdown_readiness_delay;
    let app = http::router(state.clone());
    let runner = tokio::spawn(jobs::Runner::new(state.clone()).run());
    let (begun_tx, begun_rx) = tokio::sync::oneshot::channel::<()>();
    let signal_state = state.clone();
    let graceful = async move {
        shutdown.await;
        signal_state.shutdown.begin_draining();
        tracing::info!(
            readiness_delay_seconds = readiness_delay.as_secs_f64(),
            drain_seconds = drain.as_secs_f64(),
            "shutdown requested; readiness now fails, then in-flight requests drain"
        );
        // Keep accepting while load balancers notice the failing readiness.
        tokio::time::sleep(readiness_delay).await;
        let _ = begun_tx.send(());
    };
    // Each connection holds the events of its requests until their responses are written.
    let listener = http::after_response::WatchedListener(listener);
    let server = axum::serve(listener, http::after_response::PerConnection(app)).with_graceful_shutdown(graceful);
    let deadline = async move {
        if begun_rx.await.is_ok() {
            tokio::time::sleep(drain).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    let served = tokio::select! {
        result = server => result,
        () = deadline => {
            tracing::warn!("drain deadline passed; closing remaining connections");
            Ok(())
        }
    };
    // The runner saw shutdown begin with the server and drains within the same time.
    state.shutdown.begin_draining();
    if let Err(e) = runner.await {
        tracing::error!(error = %e, "the job runner ended abnormally");
    }
    served
}

/// Resolves on SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    mission_control_telemetry::shutdown_signal().await;
}

/// How long start-up waits for the first database answer before giving up on `migrate`.
pub const MIGRATE_TIMEOUT: Duration = Duration::from_secs(60);
