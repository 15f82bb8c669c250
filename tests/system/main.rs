//! Black-box tests: the built `mission-control` binary, driven over HTTP, against SQLite and
//! against real PostgreSQL and Redis (from `tests/deps.sh`).
//!
//! Every rule runs on both backends through `on_both_backends!` (tests named
//! `<rule>::sqlite` and `<rule>::postgres_redis`). The exceptions run on one backend on
//! purpose, each file saying why:
//! - PostgreSQL concurrency (`workflow::concurrency`), the row-lock hold of `shutdown`, the
//!   PostgreSQL outage of `readiness`, the `migrate` command (`reference::migrate`);
//! - Redis: the shared limiter budget and the Redis outage (`rate_limits`), the cross-replica
//!   stream (`streams`);
//! - SQLite by nature: zero configuration (`zero_config`);
//! - no store involved: start-up errors (`config_errors`), Clerk token checks (`clerk`),
//!   tracing (`tracing_otlp`), HTTP-layer conventions (`conventions`, `web_ui` preflights),
//!   and the operator/service contract (`contract`).

// A test binary: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod access;
mod agent_board;
mod agent_work;
mod agents_side;
mod catalog;
mod clerk;
mod config_errors;
mod contract;
mod conventions;
mod gateways;
mod organizations;
mod rate_limits;
mod readiness;
mod reads;
mod reference;
mod schemathesis;
mod shutdown;
mod souls;
mod stream_order;
mod streams;
mod text;
mod tracing_otlp;
mod web_ui;
mod webhooks;
mod wire_values;
mod work_loop;
mod workflow;
mod zero_config;
