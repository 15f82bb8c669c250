//! Logs, traces and metrics.
//!
//! `init` installs the log formatter (text or JSON, filtered by `LOG_LEVEL`) and, only when an
//! OTLP endpoint is configured, an OpenTelemetry layer restricted to this crate's own spans
//! (so the exporter never traces its own HTTP/2 traffic). Hold the returned guard until exit:
//! dropping it flushes spans.

pub mod metrics;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{Sampler as SdkSampler, SdkTracerProvider};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, filter};

use crate::config::{Config, LogFormat, OtelConfig, OtlpProtocol, Sampler};

/// The crate's tracing target prefix; the OTLP layer only exports spans under it.
pub const OWN_TARGET: &str = "mission_control";

#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("OTEL_EXPORTER_OTLP_ENDPOINT: could not build the OTLP exporter: {0}")]
    Exporter(#[from] opentelemetry_otlp::ExporterBuildError),
    #[error("could not install the log subscriber: {0}")]
    Subscriber(#[from] tracing_subscriber::util::TryInitError),
}

/// Flushes and stops the span exporter when dropped (or on [`TelemetryGuard::shutdown`]).
pub struct TelemetryGuard {
    provider: Option<SdkTracerProvider>,
}

impl TelemetryGuard {
    /// Exports what is buffered. Blocking: call it off the async runtime's workers.
    pub fn shutdown(mut self) {
        self.flush();
    }

    fn flush(&mut self) {
        if let Some(provider) = self.provider.take()
            && let Err(e) = provider.shutdown()
        {
            eprintln!("telemetry: span exporter shutdown failed: {e}");
        }
    }
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        self.flush();
    }
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
            let provider = build_provider(otel)?;
            opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
            let tracer = provider.tracer("mission-control");
            let layer = tracing_opentelemetry::layer()
                .with_tracer(tracer)
                .with_filter(filter::filter_fn(|meta| meta.target().starts_with(OWN_TARGET)));
            (Some(layer), Some(provider))
        }
    };

    tracing_subscriber::registry()
        .with(fmt_layer)
        .with(otel_layer)
        .try_init()?;
    Ok(TelemetryGuard { provider })
}

fn build_provider(otel: &OtelConfig) -> Result<SdkTracerProvider, TelemetryError> {
    let exporter = match otel.protocol {
        OtlpProtocol::Grpc => opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .with_endpoint(otel.endpoint.as_str())
            .build()?,
        OtlpProtocol::HttpProtobuf => {
            // The generic endpoint names the collector; traces go to its /v1/traces path.
            let base = otel.endpoint.as_str().trim_end_matches('/');
            let url = if base.ends_with("/v1/traces") {
                base.to_owned()
            } else {
                format!("{base}/v1/traces")
            };
            opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .with_endpoint(url)
                .build()?
        }
    };
    let sampler = match otel.sampler {
        Sampler::AlwaysOn => SdkSampler::AlwaysOn,
        Sampler::AlwaysOff => SdkSampler::AlwaysOff,
        Sampler::TraceIdRatio(r) => SdkSampler::TraceIdRatioBased(r),
        Sampler::ParentBasedAlwaysOn => SdkSampler::ParentBased(Box::new(SdkSampler::AlwaysOn)),
        Sampler::ParentBasedAlwaysOff => SdkSampler::ParentBased(Box::new(SdkSampler::AlwaysOff)),
        Sampler::ParentBasedTraceIdRatio(r) => SdkSampler::ParentBased(Box::new(SdkSampler::TraceIdRatioBased(r))),
    };
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_sampler(sampler)
        .with_resource(Resource::builder().with_service_name(otel.service_name.clone()).build())
        .build())
}
