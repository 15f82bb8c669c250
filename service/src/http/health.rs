//! Probes and metrics: `/health` and `/healthz` (alive, touch nothing), `/readyz` (database
//! reachable, Redis reported, 503 once shutdown begins), `/metrics` (Prometheus text).

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

use crate::actions::health::{self, Dependencies};
use crate::app::AppState;
use crate::wire::health::{HealthStatus, Readiness, ReadinessChecks};

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

#[utoipa::path(get, path = "/health", tag = "health", responses((status = 200, body = HealthStatus)))]
pub async fn health() -> Json<HealthStatus> {
    Json(HealthStatus { ok: true })
}

#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = HealthStatus)))]
pub async fn healthz() -> Json<HealthStatus> {
    Json(HealthStatus { ok: true })
}

#[utoipa::path(
    get,
    path = "/readyz",
    tag = "health",
    responses((status = 200, body = Readiness), (status = 503, body = Readiness))
)]
pub async fn readyz(State(app): State<AppState>) -> impl IntoResponse {
    if app.shutdown.is_draining() {
        let body = Readiness {
            ok: false,
            checks: ReadinessChecks {
                database: "draining".to_owned(),
                redis: None,
            },
        };
        return (StatusCode::SERVICE_UNAVAILABLE, Json(body));
    }
    let Dependencies { database: db_ok, redis } = health::check(&app, CHECK_TIMEOUT).await;
    if !db_ok {
        tracing::warn!("readiness: database unreachable");
    }
    let label = |ok: bool| if ok { "ok" } else { "unreachable" }.to_owned();
    let body = Readiness {
        ok: db_ok,
        checks: ReadinessChecks {
            database: label(db_ok),
            redis: redis.map(label),
        },
    };
    let status = if db_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}

#[utoipa::path(get, path = "/metrics", tag = "health", responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain")))]
pub async fn metrics(State(app): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        health::metrics_text(&app),
    )
}
