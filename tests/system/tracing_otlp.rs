//! Traces reach a real OTLP/gRPC receiver: the request's span carries the `X-Request-Id`
//! that was sent and continues the trace of the `traceparent` that was sent; JSON logs of
//! the request carry the same trace id.
//!
//! SQLite only: tracing is the HTTP and telemetry layers' alone.

use std::time::Duration;

use fake_opentelemetry_collector::FakeCollectorServer;
use system_tests::Launch;

/// The plain value of a span attribute (the collector keeps the protobuf `Debug` form,
/// e.g. `Some(AnyValue { value: Some(StringValue("x")) })`).
fn attr(span: &fake_opentelemetry_collector::ExportedSpan, key: &str) -> Option<String> {
    let raw = span.attributes.get(key)?;
    let inner = raw.split_once("Value(")?.1;
    let inner = inner.split_once(')')?.0;
    Some(inner.trim_matches('"').to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn request_spans_carry_the_request_id_and_continue_the_callers_trace() {
    let mut collector = FakeCollectorServer::start().await.unwrap();
    let mut svc = Launch::new()
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint())
        .env("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
        .env("OTEL_SERVICE_NAME", "mc-under-test")
        .env("LOG_LEVEL", "debug")
        .start()
        .await
        .unwrap();
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let parent_id = "00f067aa0ba902b7";
    let res = svc
        .user(reqwest::Method::GET, "/api/v1/users/me")
        .header("x-request-id", "otlp-check-1")
        .header("traceparent", format!("00-{trace_id}-{parent_id}-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Spans are flushed on shutdown.
    svc.terminate().await;
    assert_eq!(svc.wait_exit(Duration::from_secs(20)).await.unwrap(), Some(0));

    let spans = collector.exported_spans(1, Duration::from_secs(10)).await;
    let span = spans
        .iter()
        .find(|s| attr(s, "request_id").as_deref() == Some("otlp-check-1"))
        .unwrap_or_else(|| panic!("no span with the request id among {spans:#?}"));
    assert_eq!(span.trace_id, trace_id);
    assert_eq!(span.parent_span_id, parent_id);
    assert_eq!(span.name, "GET /api/v1/users/me");
    assert_eq!(span.kind, "SPAN_KIND_SERVER");
    assert_eq!(attr(span, "http.route").as_deref(), Some("/api/v1/users/me"));
    assert_eq!(attr(span, "http.response.status_code").as_deref(), Some("200"));
    // Only the service's own spans are exported: no exporter or driver internals.
    assert!(
        spans
            .iter()
            .all(|s| !s.name.contains("h2") && !s.name.contains("tonic")),
        "{spans:#?}"
    );

    let logged = svc
        .output()
        .into_iter()
        .find(|l| l.contains("otlp-check-1") && l.contains("request finished"));
    assert!(
        logged.as_deref().is_some_and(|l| l.contains(trace_id)),
        "the request's log line must carry the trace id: {logged:?}"
    );
}
