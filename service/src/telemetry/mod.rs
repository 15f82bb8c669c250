//! Logs, traces and metrics.
//!
//! `init` installs the log formatter (text or JSON, filtered by `LOG_LEVEL`) and, only when an
//! OTLP endpoint is configured, an OpenTelemetry layer restricted to this crate's own spans
//! (so the exporter never traces its own HTTP/2 traffic); the exporter and its guard come from
//! `mission-control-telemetry`, shared with the operator. Hold the returned guard until exit:
//! dropping it flushes spans.

pub mod metrics;

use mission_control_telemetry::{OtlpExport, Protocol, own_spans_layer, tracer_provider};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::Sampler as SdkSampler;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::{Config, LogFormat, OtelConfig, OtlpProtocol, Sampler};

pub use mission_control_telemetry::TelemetryGuard;

/// The crate's tracing target prefix; the OTLP layer only exports spans under it.
pub const OWN_TARGET: &str = "mission_control";

#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("OTEL_EXPORTER_OTLP_ENDPOINT: could not build the OTLP exporter: {0}")]
    Exporter(#[from] opentelemetry_otlp::ExporterBuildError),
    #[error("could not install the log subscriber: {0}")]
    Subscriber(#[from] tracing_subscriber::util::TryInitError),
}

/// Installs the global subscriber. Must run inside the Tokio runtime (the gRPC exporter
/// needs it).
pub fn init(config: &Config) -> Result<TelemetryGuard, TelemetryError> {
    let level = &config.log_level;
    let log_filter = EnvFilter::new(format!("warn,{OWN_TARGET}={level},tower_http={level}"));
    let fmt_layer = match config.log_format {
        LogFormat::Text => tracing_subscriber::fmt::layer().with_target(true).boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .flatten_event(true)
            .boxed(),
    }
    .with_filter(log_filter);

    let (otel_layer, provider) = match &config.otel {
        None => (None, None),
        Some(otel) => {
            let provider = tracer_provider(&otlp_export(otel))?;
            opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
            let layer = own_spans_layer(&provider, "mission-control", OWN_TARGET);
            (Some(layer), Some(provider))
        }
    };

    tracing_subscriber::registry()
        .with(fmt_layer)
        .with(otel_layer)
        .try_init()?;
    Ok(TelemetryGuard::new(provider))
}

fn otlp_export(otel: &OtelConfig) -> OtlpExport {
    let sampler = match otel.sampler {
        Sampler::AlwaysOn => SdkSampler::AlwaysOn,
        Sampler::AlwaysOff => SdkSampler::AlwaysOff,
        Sampler::TraceIdRatio(r) => SdkSampler::TraceIdRatioBased(r),
        Sampler::ParentBasedAlwaysOn => SdkSampler::ParentBased(Box::new(SdkSampler::AlwaysOn)),
        Sampler::ParentBasedAlwaysOff => SdkSampler::ParentBased(Box::new(SdkSampler::AlwaysOff)),
        Sampler::ParentBasedTraceIdRatio(r) => SdkSampler::ParentBased(Box::new(SdkSampler::TraceIdRatioBased(r))),
    };
    OtlpExport {
        endpoint: otel.endpoint.as_str().to_owned(),
        protocol: match otel.protocol {
            OtlpProtocol::Grpc => Protocol::Grpc,
            OtlpProtocol::HttpProtobuf => Protocol::HttpProtobuf,
        },
        service_name: otel.service_name.clone(),
        sampler: Some(sampler),
    }
}

/// The W3C `traceparent` of the current span, to carry a trace into work done later (a
/// background job); `None` when no trace is being exported.
pub fn current_traceparent() -> Option<String> {
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    let context = tracing::Span::current().context();
    let mut carrier = std::collections::HashMap::new();
    opentelemetry::global::get_text_map_propagator(|p| p.inject_context(&context, &mut carrier));
    carrier.remove("traceparent")
}

/// Makes `span` continue the trace a `traceparent` names (see [`current_traceparent`]).
pub fn continue_trace(span: &tracing::Span, traceparent: Option<&str>) {
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    let Some(traceparent) = traceparent else { return };
    let carrier = std::collections::HashMap::from([("traceparent".to_owned(), traceparent.to_owned())]);
    let parent = opentelemetry::global::get_text_map_propagator(|p| p.extract(&carrier));
    let _ = span.set_parent(parent);
}
