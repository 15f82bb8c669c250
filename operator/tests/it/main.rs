//! One test binary for the operator (links once): CRD, pure builders, status, wiring.
#![allow(clippy::unwrap_used)] // a test crate: helpers panic on broken fixtures by design

mod build;
mod cel;
mod crd;
mod readiness;
mod status;
mod support;
mod telemetry;
mod validate;
mod wiring;
