//! Logs and traces for the operator: JSON or text logs to stderr, and — only when
//! `OTEL_EXPORTER_OTLP_ENDPOINT` is set — an OTLP exporter (`OTEL_EXPORTER_OTLP_PROTOCOL` grpc or
//! http/protobuf, `OTEL_SERVICE_NAME`) restricted to the operator's own spans (one per
//! reconcile). The exporter is `mission-control-telemetry`'s, shared with the service; the
//! settings come from `config` (nothing here reads the environment).

use mission_control_telemetry::{OtlpExport, Protocol, TelemetryGuard};
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::Config;

/// The operator crate's tracing target; only these spans are exported.
pub const OWN_TARGET: &str = "mission_control_operator";

/// Where and how to export spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtlpSettings {
    pub endpoint: String,
    pub http: bool,
    pub service_name: String,
}

impl OtlpSettings {
    /// Reads the standard OTEL_* variables; `None` when no endpoint is set.
    ///
    /// # Errors
    /// A protocol other than grpc or http/protobuf.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, String> {
        let Some(endpoint) = get("OTEL_EXPORTER_OTLP_ENDPOINT").filter(|v| !v.trim().is_empty()) else {
            return Ok(None);
        };
        let http = match get("OTEL_EXPORTER_OTLP_PROTOCOL").as_deref().unwrap_or("grpc") {
            "grpc" => false,
            "http/protobuf" => true,
            _ => return Err("OTEL_EXPORTER_OTLP_PROTOCOL: one of grpc, http/protobuf".to_owned()),
        };
        Ok(Some(Self {
            endpoint: endpoint.trim().to_owned(),
            http,
            service_name: get("OTEL_SERVICE_NAME")
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| "mission-control-operator".to_owned()),
        }))
    }
}

/// Builds the span exporter pipeline. Must run inside a Tokio runtime (gRPC).
///
/// # Errors
/// The exporter cannot be built (e.g. a malformed endpoint).
pub fn provider(settings: &OtlpSettings) -> Result<SdkTracerProvider, opentelemetry_otlp::ExporterBuildError> {
    mission_control_telemetry::tracer_provider(&OtlpExport {
        endpoint: settings.endpoint.clone(),
        protocol: if settings.http {
            Protocol::HttpProtobuf
        } else {
            Protocol::Grpc
        },
        service_name: settings.service_name.clone(),
        // The SDK's default (which honours OTEL_TRACES_SAMPLER).
        sampler: None,
    })
}

/// The OpenTelemetry layer for `provider`, filtered to the operator's own spans.
pub fn layer<S>(provider: &SdkTracerProvider) -> impl Layer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    mission_control_telemetry::own_spans_layer(provider, "mission-control-operator", OWN_TARGET)
}

/// Installs logging (and tracing when configured); returns the guard that flushes spans on exit.
///
/// # Errors
/// An exporter that cannot be built, or a subscriber already installed.
pub fn init(format: &str, config: &Config) -> Result<TelemetryGuard, String> {
    // RUST_LOG when it parses, else LOG_LEVEL (default info), else info.
    let filter = config
        .rust_log
        .as_deref()
        .ok_or(())
        .and_then(|v| EnvFilter::try_new(v).map_err(drop))
        .or_else(|()| EnvFilter::try_new(config.log_level.as_deref().unwrap_or("info")))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = if format == "json" {
        tracing_subscriber::fmt::layer()
            .json()
            .with_writer(std::io::stderr)
            .boxed()
    } else {
        tracing_subscriber::fmt::layer().with_writer(std::io::stderr).boxed()
    }
    .with_filter(filter);
    let provider = config
        .otlp
        .as_ref()
        .map(provider)
        .transpose()
        .map_err(|e| format!("OTEL_EXPORTER_OTLP_ENDPOINT: {e}"))?;
    let otel = provider.as_ref().map(layer);
    tracing_subscriber::registry()
        .with(fmt)
        .with(otel)
        .try_init()
        .map_err(|e| e.to_string())?;
    Ok(TelemetryGuard::new(provider))
}
