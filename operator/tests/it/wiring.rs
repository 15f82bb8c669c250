//! The reconcile wiring against a mocked API: an ordered list of expected calls.

use std::sync::Arc;
use std::time::Duration;

use http::{Method, Request, Response};
use kube::Client;
use kube::client::Body;
use kube::runtime::controller::Action;
use mission_control_operator::context::Context;
use mission_control_operator::metrics::Metrics;
use mission_control_operator::reconcile::{error_policy, reconcile};
use serde_json::{Value, json};
use tower_test::mock;

use crate::support::fixture;

type Handle = mock::Handle<Request<Body>, Response<Body>>;

async fn expect(handle: &mut Handle, method: Method, path: &str, reply: (u16, Value)) -> Value {
    let (request, send) = tokio::time::timeout(Duration::from_secs(5), handle.next_request())
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {method} {path}"))
        .expect("the client hung up");
    assert_eq!((request.method(), request.uri().path()), (&method, path));
    let bytes = http_body_util::BodyExt::collect(request.into_body())
        .await
        .unwrap()
        .to_bytes();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    send.send_response(
        Response::builder()
            .status(reply.0)
            .body(Body::from(serde_json::to_vec(&reply.1).unwrap()))
            .unwrap(),
    );
    body
}

fn mc_reply() -> (u16, Value) {
    (
        200,
        json!({"apiVersion": "mission-control.dev/v1alpha1", "kind": "MissionControl",
        "metadata": {"name": "solo", "namespace": "team-a"}, "spec": {}}),
    )
}

fn not_found() -> (u16, Value) {
    (
        404,
        json!({"apiVersion": "v1", "kind": "Status", "status": "Failure", "reason": "NotFound", "code": 404, "message": "not found"}),
    )
}

fn context() -> (Arc<Context>, Handle) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (service, handle) = mock::pair::<Request<Body>, Response<Body>>();
    let client = Client::new(service, "default");
    let ctx = Context::new(client, Arc::new(Metrics::default()), Some("test".into())).unwrap();
    (Arc::new(ctx), handle)
}

#[tokio::test]
async fn an_invalid_spec_patches_the_status_publishes_events_and_waits_for_a_change() {
    let (ctx, mut handle) = context();
    let mut mc = fixture("sqlite-single").mc;
    mc.spec.replicas = 3;
    let task = tokio::spawn(reconcile(Arc::new(mc), ctx.clone()));
    let status_path = "/apis/mission-control.dev/v1alpha1/namespaces/team-a/missioncontrols/solo/status";
    let body = expect(&mut handle, Method::PATCH, status_path, mc_reply()).await;
    assert_eq!(body["status"]["conditions"][0]["reason"], "InvalidSpec");
    expect(
        &mut handle,
        Method::POST,
        "/apis/events.k8s.io/v1/namespaces/team-a/events",
        (201, json!({})),
    )
    .await;
    let action = tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(action, Action::await_change());
}

#[tokio::test]
async fn a_first_reconcile_observes_then_applies_children_in_order_and_writes_status() {
    let (ctx, mut handle) = context();
    let mc = fixture("sqlite-single").mc;
    let task = tokio::spawn(reconcile(Arc::new(mc), ctx.clone()));
    let ns = "/api/v1/namespaces/team-a";
    expect(
        &mut handle,
        Method::GET,
        &format!("{ns}/secrets/solo-auth-token"),
        not_found(),
    )
    .await;
    expect(
        &mut handle,
        Method::GET,
        "/apis/apps/v1/namespaces/team-a/deployments/solo",
        not_found(),
    )
    .await;
    let token = expect(
        &mut handle,
        Method::PATCH,
        &format!("{ns}/secrets/solo-auth-token"),
        (200, json!({})),
    )
    .await;
    assert_eq!(token["metadata"]["ownerReferences"][0]["kind"], "MissionControl");
    let config = expect(
        &mut handle,
        Method::PATCH,
        &format!("{ns}/configmaps/solo-config"),
        (200, json!({})),
    )
    .await;
    assert_eq!(config["data"]["DB_AUTO_MIGRATE"], "false");
    expect(
        &mut handle,
        Method::PATCH,
        &format!("{ns}/persistentvolumeclaims/solo-data"),
        (200, json!({})),
    )
    .await;
    expect(
        &mut handle,
        Method::PATCH,
        &format!("{ns}/services/solo"),
        (200, json!({})),
    )
    .await;
    let deployment = expect(&mut handle, Method::PATCH, "/apis/apps/v1/namespaces/team-a/deployments/solo", (200, json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "solo", "namespace": "team-a", "generation": 1},
        "spec": {"selector": {}, "template": {}}
    }))).await;
    assert!(deployment["spec"]["template"]["metadata"]["annotations"]["mission-control.dev/config-hash"].is_string());
    expect(
        &mut handle,
        Method::DELETE,
        "/apis/policy/v1/namespaces/team-a/poddisruptionbudgets/solo",
        not_found(),
    )
    .await;
    expect(
        &mut handle,
        Method::DELETE,
        "/apis/autoscaling/v2/namespaces/team-a/horizontalpodautoscalers/solo",
        not_found(),
    )
    .await;
    expect(
        &mut handle,
        Method::DELETE,
        "/apis/networking.k8s.io/v1/namespaces/team-a/ingresses/solo",
        not_found(),
    )
    .await;
    expect(
        &mut handle,
        Method::GET,
        &format!("{ns}/pods"),
        (
            200,
            json!({"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": []}),
        ),
    )
    .await;
    let status = expect(
        &mut handle,
        Method::PATCH,
        "/apis/mission-control.dev/v1alpha1/namespaces/team-a/missioncontrols/solo/status",
        mc_reply(),
    )
    .await;
    assert_eq!(status["status"]["conditions"][4]["reason"], "MigrationsRunInPod");
    for _ in 0..5 {
        expect(
            &mut handle,
            Method::POST,
            "/apis/events.k8s.io/v1/namespaces/team-a/events",
            (201, json!({})),
        )
        .await;
    }
    let action = tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(action, Action::requeue(Duration::from_secs(10)));
}

#[tokio::test]
async fn api_errors_back_off_exponentially_and_are_counted_by_category() {
    let (ctx, mut handle) = context();
    let mc = Arc::new(fixture("sqlite-single").mc);
    let task = tokio::spawn(reconcile(mc.clone(), ctx.clone()));
    expect(&mut handle, Method::GET, "/api/v1/namespaces/team-a/secrets/solo-auth-token",
        (500, json!({"apiVersion": "v1", "kind": "Status", "status": "Failure", "reason": "InternalError", "code": 500, "message": "boom"}))).await;
    let error = tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .unwrap()
        .unwrap()
        .unwrap_err();
    assert_eq!(error.category(), "api_server");
    assert_eq!(
        error_policy(mc.clone(), &error, ctx.clone()),
        Action::requeue(Duration::from_secs(5))
    );
    assert_eq!(
        error_policy(mc.clone(), &error, ctx.clone()),
        Action::requeue(Duration::from_secs(10))
    );
    assert!(
        ctx.metrics
            .encode()
            .contains("mission_control_operator_reconcile_errors_total{category=\"api_server\"} 2")
    );
}
