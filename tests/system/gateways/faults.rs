//! What a misbehaving gateway does to a request: a clear 4xx/502/504 with the reason, within
//! the deadline, never a hang; a restart in the middle of provisioning is ridden out.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use system_tests::gateway_double::{DOUBLE_TOKEN, GatewayDouble};
use system_tests::{Backend, Deployment, free_port, id};

use super::{Fleet, launch, said};

async fn service() -> Deployment {
    Backend::Sqlite.start_with(launch()).await
}

fn detail(body: &serde_json::Value) -> String {
    body["detail"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn refusals_at_the_handshake_are_502_with_the_gateways_reason() {
    let svc = service().await;
    let wrong_token = GatewayDouble::start(4, "2026.9.6", "the-real-token").await;
    let mut body = wrong_token.create_body("Wrong");
    body["token"] = json!("a-wrong-token");
    let (status, body) = svc.call(Method::POST, "/api/v1/gateways", Some(body)).await;
    assert_eq!(status, 502, "{body}");
    assert!(detail(&body).contains("token mismatch"), "{body}");
    assert!(!detail(&body).contains("a-wrong-token"));

    let future = GatewayDouble::start(5, "2027.1.1", DOUBLE_TOKEN).await;
    let (status, body) = svc
        .call(Method::POST, "/api/v1/gateways", Some(future.create_body("Future")))
        .await;
    assert_eq!(status, 502, "{body}");
    assert!(detail(&body).contains("protocol mismatch"), "{body}");

    let garbage = GatewayDouble::current().await;
    garbage.with(|s| s.faults.garbage = Some("}{ not a frame".into()));
    let (status, body) = svc
        .call(Method::POST, "/api/v1/gateways", Some(garbage.create_body("Garbage")))
        .await;
    assert_eq!(status, 502, "{body}");
    assert!(detail(&body).contains("protocol"), "{body}");

    let closed = format!("ws://127.0.0.1:{}", free_port());
    let (status, body) = svc
        .call(
            Method::POST,
            "/api/v1/gateways",
            Some(json!({"name": "Nobody", "url": closed, "workspace_root": "/w"})),
        )
        .await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(svc.ok(Method::GET, "/api/v1/gateways", None).await["total"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_silent_gateway_is_a_504_within_the_deadline() {
    let svc = service().await;
    let silent = GatewayDouble::current().await;
    silent.with(|s| s.faults.silent = true);
    let started = Instant::now();
    let (status, body) = svc
        .call(Method::POST, "/api/v1/gateways", Some(silent.create_body("Silent")))
        .await;
    assert_eq!(status, 504, "{body}");
    // The call deadline is 3 s here: the answer comes soon after, not at the request timeout.
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );

    // One method that never answers, on a gateway that otherwise works.
    let f = Fleet::start_with(Backend::Sqlite, GatewayDouble::current().await, launch()).await;
    f.double.with(|s| s.faults.hang_on = Some("sessions.list".into()));
    let (status, body) = f
        .svc
        .call(
            Method::GET,
            &format!("/api/v1/gateways/sessions?board_id={}", f.board),
            None,
        )
        .await;
    assert_eq!(status, 504, "{body}");
    f.double.restart();
    // The status route reports it as not connected instead.
    let st = f
        .svc
        .ok(
            Method::GET,
            &format!("/api/v1/gateways/status?board_id={}", f.board),
            None,
        )
        .await;
    assert_eq!(st["connected"], false, "{st}");
    assert!(st["error"].as_str().unwrap().contains("did not answer"), "{st}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restart_in_the_middle_of_provisioning_is_ridden_out() {
    let f = Fleet::start(Backend::Sqlite, GatewayDouble::current().await).await;
    // The gateway closes with 1012 twice, on two of the file writes.
    f.double
        .with(|s| s.faults.close_on = Some(("agents.files.set".into(), 2)));
    let (agent, _) = f.agent("Through the restart", false).await;
    let key = format!("mc-{}", id(&agent));
    for file in [
        "AGENTS.md",
        "SOUL.md",
        "IDENTITY.md",
        "USER.md",
        "BOOTSTRAP.md",
        "MEMORY.md",
    ] {
        assert!(f.double.file(&key, file).is_some(), "{file} missing after the restart");
    }
    assert_eq!(said(&f.double, &format!("agent:{key}:main")).len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_method_is_a_502_naming_it() {
    let f = Fleet::start(Backend::Sqlite, GatewayDouble::current().await).await;
    let (lead, lead_token) = f.agent("Lead", true).await;
    let (worker, _) = f.agent("Worker", false).await;
    let _ = lead;
    f.double.with(|s| {
        s.faults.fail = Some(("chat.send".into(), "unknown method: chat.send".into()));
    });
    let (status, body) = f
        .svc
        .call_as_agent(
            &lead_token,
            Method::POST,
            &format!("/api/v1/agent/boards/{}/agents/{}/nudge", f.board, id(&worker)),
            Some(json!({"message": "wake up"})),
        )
        .await;
    assert_eq!(status, 502, "{body}");
    assert!(detail(&body).contains("unknown method: chat.send"), "{body}");
}
