//! The operator's OTLP export reaches a real OTLP/gRPC receiver, carrying the reconcile span,
//! and keeps other crates' spans out.

use std::collections::HashMap;
use std::time::Duration;

use fake_opentelemetry_collector::FakeCollectorServer;
use mission_control_operator::telemetry::{self, OtlpSettings};
use tracing_subscriber::layer::SubscriberExt;

#[test]
fn settings_follow_the_standard_variables() {
    let env = |pairs: &[(&str, &str)]| {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k: &str| map.get(k).cloned()
    };
    assert_eq!(OtlpSettings::from_lookup(env(&[])), Ok(None));
    let s = OtlpSettings::from_lookup(env(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
    ]))
    .unwrap()
    .unwrap();
    assert!(s.http);
    assert_eq!(s.service_name, "mission-control-operator");
    assert!(
        OtlpSettings::from_lookup(env(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "smoke")
        ]))
        .is_err()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reconcile_spans_are_exported_and_foreign_spans_are_not() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut collector = FakeCollectorServer::start().await.unwrap();
    let settings = OtlpSettings {
        endpoint: collector.endpoint(),
        http: false,
        service_name: "operator-under-test".to_owned(),
    };
    let provider = telemetry::provider(&settings).unwrap();
    let subscriber = tracing_subscriber::registry().with(telemetry::layer(&provider));
    tracing::subscriber::with_default(subscriber, || {
        let span = tracing::info_span!(target: "mission_control_operator::reconcile", "reconcile", otel.name = "reconcile MissionControl", name = "demo");
        span.in_scope(|| tracing::info!(target: "mission_control_operator::reconcile", "working"));
        drop(span);
        let foreign = tracing::info_span!(target: "kube_runtime::controller", "foreign");
        drop(foreign);
    });
    tokio::task::spawn_blocking(move || provider.shutdown())
        .await
        .unwrap()
        .unwrap();
    let spans = collector.exported_spans(1, Duration::from_secs(10)).await;
    assert!(spans.iter().any(|s| s.name == "reconcile MissionControl"), "{spans:#?}");
    assert!(
        spans.iter().all(|s| s.name != "foreign"),
        "only the operator's own spans: {spans:#?}"
    );
}
