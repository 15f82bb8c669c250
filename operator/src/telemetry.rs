//! Logs and traces for the operator, configured like the service's: JSON or text logs to
//! stderr, and — only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set — an OTLP exporter
//! (`OTEL_EXPORTER_OTLP_PROTOCOL` grpc or http/protobuf, `OTEL_SERVICE_NAME`) restricted to the
//! operator's own spans (one per reconcile).

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, filter};

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
    let exporter = if settings.http {
        let base = settings.endpoint.trim_end_matches('/');
        let url = if base.ends_with("/v1/traces") {
            base.to_owned()
        } else {
            format!("{base}/v1/traces")
        };
        opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_endpoint(url)
            .build()?
    } else {
        opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .with_endpoint(settings.endpoint.clone())
            .build()?
    };
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(
            Resource::builder()
                .with_service_name(settings.service_name.clone())
                .build(),
        )
        .build())
}

/// The OpenTelemetry layer for `provider`, filtered to the operator's own spans.
pub fn layer<S>(provider: &SdkTracerProvider) -> impl Layer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("mission-control-operator"))
        .with_filter(filter::filter_fn(|meta| meta.target().starts_with(OWN_TARGET)))
}

/// Installs logging (and tracing when configured); returns the provider to shut down on exit.
///
/// # Errors
/// Bad OTEL settings or an exporter that cannot be built.
pub fn init(format: &str, otlp: Option<&OtlpSettings>) -> Result<Option<SdkTracerProvider>, String> {
    #[allow(
        clippy::disallowed_methods,
        reason = "LOG_LEVEL fallback read in library code; being moved to the operator's configuration"
    )]
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(std::env::var("LOG_LEVEL").unwrap_or_else(|_| "info".into())))
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
    let provider = otlp
        .map(provider)
        .transpose()
        .map_err(|e| format!("OTEL_EXPORTER_OTLP_ENDPOINT: {e}"))?;
    let otel = provider.as_ref().map(layer);
    tracing_subscriber::registry()
        .with(fmt)
        .with(otel)
        .try_init()
        .map_err(|e| e.to_string())?;
    Ok(provider)
}
