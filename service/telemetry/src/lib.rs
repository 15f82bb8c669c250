//! What `mission-control` and `mission-control-operator` must do identically: export their own
//! spans over OTLP (`otlp`) and stop on SIGTERM or SIGINT (`shutdown`).
//!
//! No configuration is read here: each binary parses its settings and passes them in. Log
//! formatting stays with each binary (their formats differ on purpose).

pub mod otlp;
pub mod shutdown;

pub use otlp::{OtlpExport, Protocol, TelemetryGuard, own_spans_layer, tracer_provider, traces_url};
pub use shutdown::shutdown_signal;
