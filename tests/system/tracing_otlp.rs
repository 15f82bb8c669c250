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

/// A job continues the trace of the request that enqueued it: a webhook delivery sent with a
/// `traceparent` runs its `webhook_delivery` job under a `job webhook_delivery` span of the
/// same trace.
#[tokio::test(flavor = "multi_thread")]
async fn a_job_span_continues_the_trace_of_the_request_that_enqueued_it() {
    let mut collector = FakeCollectorServer::start().await.unwrap();
    let launch = Launch::new()
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint())
        .env("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
        .env("OTEL_SERVICE_NAME", "mc-under-test");
    let mut svc = system_tests::Backend::Sqlite.start_with(launch).await;
    let board = system_tests::id(&svc.create_board("Traced").await);
    let hook = svc
        .ok(
            reqwest::Method::POST,
            &format!("/api/v1/boards/{board}/webhooks"),
            Some(serde_json::json!({"description": "Traced"})),
        )
        .await;
    let trace_id = "0af7651916cd43dd8448eb211c80319c";
    let parent_id = "b7ad6b7169203331";
    let res = svc
        .http
        .post(svc.url(&format!("/api/v1/boards/{board}/webhooks/{}", system_tests::id(&hook))))
        .header("traceparent", format!("00-{trace_id}-{parent_id}-01"))
        .json(&serde_json::json!({"event": "traced"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let ran = system_tests::eventually(Duration::from_secs(20), || {
        let db = &svc.database;
        async move {
            (db.count("SELECT count(*) FROM jobs WHERE kind = 'webhook_delivery' AND status = 'done'")
                .await
                == 1)
                .then_some(())
        }
    })
    .await;
    assert!(ran.is_some(), "the delivery job ran");
    svc.service.terminate().await;
    assert_eq!(svc.service.wait_exit(Duration::from_secs(20)).await.unwrap(), Some(0));

    let spans = collector.exported_spans(2, Duration::from_secs(10)).await;
    let job = spans
        .iter()
        .find(|s| s.name == "job webhook_delivery")
        .unwrap_or_else(|| panic!("no job span among {spans:#?}"));
    assert_eq!(job.trace_id, trace_id, "{job:#?}");
    assert_eq!(job.kind, "SPAN_KIND_CONSUMER");
    assert_eq!(attr(job, "job.kind").as_deref(), Some("webhook_delivery"));
    let request = spans
        .iter()
        .find(|s| s.name.starts_with("POST /api/v1/boards/") && s.trace_id == trace_id)
        .unwrap_or_else(|| panic!("no request span of the trace among {spans:#?}"));
    assert_eq!(request.parent_span_id, parent_id);
}
