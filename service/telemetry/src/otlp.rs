//! OTLP span export restricted to a binary's own spans, and the guard that flushes it.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
use tracing_subscriber::{Layer, filter};

/// The OTLP transport (`OTEL_EXPORTER_OTLP_PROTOCOL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `grpc`: the endpoint is used as given.
    Grpc,
    /// `http/protobuf`: spans go to the endpoint's `/v1/traces` path.
    HttpProtobuf,
}

/// Where and how a binary exports its spans; parsed by the binary's own configuration.
#[derive(Debug, Clone)]
pub struct OtlpExport {
    /// The collector (`OTEL_EXPORTER_OTLP_ENDPOINT`).
    pub endpoint: String,
    pub protocol: Protocol,
    /// The `service.name` resource attribute.
    pub service_name: String,
    /// `None` keeps the SDK's default sampler.
    pub sampler: Option<Sampler>,
}

/// The URL an `http/protobuf` exporter posts spans to: the generic endpoint names the
/// collector, traces go to its `/v1/traces` path (kept when already there).
pub fn traces_url(endpoint: &str) -> String {
    let base = endpoint.trim_end_matches('/');
    if base.ends_with("/v1/traces") {
        base.to_owned()
    } else {
        format!("{base}/v1/traces")
    }
}

/// Builds the batch span exporter pipeline. Must run inside a Tokio runtime (gRPC).
///
/// # Errors
/// The exporter cannot be built (e.g. a malformed endpoint).
pub fn tracer_provider(export: &OtlpExport) -> Result<SdkTracerProvider, opentelemetry_otlp::ExporterBuildError> {
    let exporter = match export.protocol {
        Protocol::Grpc => opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .with_endpoint(export.endpoint.as_str())
            .build()?,
        Protocol::HttpProtobuf => opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_endpoint(traces_url(&export.endpoint))
            .build()?,
    };
    let builder = SdkTracerProvider::builder().with_batch_exporter(exporter);
    let builder = match &export.sampler {
        Some(sampler) => builder.with_sampler(sampler.clone()),
        None => builder,
    };
    Ok(builder
        .with_resource(
            Resource::builder()
                .with_service_name(export.service_name.clone())
                .build(),
        )
        .build())
}

/// The OpenTelemetry layer for `provider`, exporting only spans whose target starts with
/// `own_target` (so the exporter never traces its own HTTP/2 traffic, nor the libraries').
pub fn own_spans_layer<S>(
    provider: &SdkTracerProvider,
    tracer_name: &'static str,
    own_target: &'static str,
) -> impl Layer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    tracing_opentelemetry::layer()
        .with_tracer(provider.tracer(tracer_name))
        .with_filter(filter::filter_fn(move |meta| meta.target().starts_with(own_target)))
}

/// Flushes and stops the span exporter on [`TelemetryGuard::shutdown`], or when dropped.
#[derive(Debug, Default)]
pub struct TelemetryGuard {
    provider: Option<SdkTracerProvider>,
}

impl TelemetryGuard {
    /// Guards `provider` (`None`: nothing is exported, nothing to flush).
    pub fn new(provider: Option<SdkTracerProvider>) -> Self {
        Self { provider }
    }

    /// Exports what is buffered and stops the exporter. Blocking: call it off the async
    /// runtime's workers.
    ///
    /// # Errors
    /// The exporter could not flush or stop; the caller decides whether to report it.
    pub fn shutdown(mut self) -> OTelSdkResult {
        match self.provider.take() {
            Some(provider) => provider.shutdown(),
            None => Ok(()),
        }
    }
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take()
            && let Err(e) = provider.shutdown()
        {
            eprintln!("telemetry: span exporter shutdown failed: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use fake_opentelemetry_collector::FakeCollectorServer;
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    #[test]
    fn http_exports_go_to_the_collectors_traces_path() {
        assert_eq!(traces_url("http://c:4318"), "http://c:4318/v1/traces");
        assert_eq!(traces_url("http://c:4318/"), "http://c:4318/v1/traces");
        assert_eq!(traces_url("http://c:4318/v1/traces/"), "http://c:4318/v1/traces");
    }

    #[test]
    fn a_guard_without_an_exporter_shuts_down_cleanly() {
        assert!(TelemetryGuard::new(None).shutdown().is_ok());
        drop(TelemetryGuard::default());
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn only_own_spans_reach_the_collector() {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut collector = FakeCollectorServer::start().await.unwrap();
        let export = OtlpExport {
            endpoint: collector.endpoint(),
            protocol: Protocol::Grpc,
            service_name: "telemetry-under-test".to_owned(),
            sampler: Some(Sampler::AlwaysOn),
        };
        let provider = tracer_provider(&export).unwrap();
        let subscriber = tracing_subscriber::registry().with(own_spans_layer(&provider, "test", "own_crate"));
        tracing::subscriber::with_default(subscriber, || {
            drop(tracing::info_span!(target: "own_crate::module", "mine"));
            drop(tracing::info_span!(target: "other_crate", "foreign"));
        });
        let guard = TelemetryGuard::new(Some(provider));
        tokio::task::spawn_blocking(move || guard.shutdown())
            .await
            .unwrap()
            .unwrap();
        let spans = collector.exported_spans(1, Duration::from_secs(10)).await;
        assert_eq!(
            spans.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            ["mine"],
            "{spans:#?}"
        );
    }
}
