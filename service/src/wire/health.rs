//! Probe answers.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthStatus {
    pub ok: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadinessChecks {
    /// `ok`, `unreachable`, or `draining` when shutdown has begun.
    pub database: String,
    /// Present when Redis is configured: `ok` or `unreachable` (requests are still served).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redis: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    pub ok: bool,
    pub checks: ReadinessChecks,
}
