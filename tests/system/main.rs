//! Black-box tests: the built `mission-control` binary, driven over HTTP, against SQLite and
//! against real PostgreSQL and Redis (from `tests/deps.sh`).

// A test binary: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod catalog;
mod clerk;
mod config_errors;
mod contract;
mod conventions;
mod organizations;
mod rate_limits;
mod readiness;
mod reads;
mod reference;
mod shutdown;
mod streams;
mod tracing_otlp;
mod web_ui;
mod workflow;
mod zero_config;
