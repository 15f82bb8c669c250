//! `mission-control-operator`: runs Mission Control on Kubernetes from a `MissionControl` resource.
//!
//! Layout (observe → validate → build → apply → status): `crd` holds the resource types,
//! `reconcile` the pipeline, `context` what the pipeline shares, `controller` the wiring of
//! watches, leader election, probes and shutdown, `config` the settings read from the
//! environment (once, in `main`).

pub mod config;
pub mod context;
pub mod controller;
pub mod crd;
pub mod error;
pub mod http;
pub mod metrics;
pub mod names;
pub mod reconcile;
pub mod telemetry;
