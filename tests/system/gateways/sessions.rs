//! What an admin sees on a gateway: status with sessions, one session, its history, a
//! message into it, the command list, and the template sync; one device for all replicas.

use reqwest::Method;
use serde_json::json;
use system_tests::gateway_double::GatewayDouble;
use system_tests::{Backend, TestDb, free_port, id, redis_prefix, redis_url};

use super::{Fleet, said};

#[tokio::test(flavor = "multi_thread")]
async fn status_sessions_history_and_messages() {
    let f = Fleet::start(Backend::Sqlite, GatewayDouble::current().await).await;
    let (worker, _) = f.agent("Worker", false).await;
    let st = f
        .svc
        .ok(
            Method::GET,
            &format!("/api/v1/gateways/status?board_id={}", f.board),
            None,
        )
        .await;
    assert_eq!(st["connected"], true, "{st}");
    assert!(st["sessions_count"].as_i64().unwrap() >= 2, "{st}");
    assert_eq!(st["main_session"]["key"], format!("agent:{}:main", f.main_key()));
    let by_url = f
        .svc
        .ok(
            Method::GET,
            &format!(
                "/api/v1/gateways/status?gateway_url={}&gateway_token={}",
                f.double.url,
                system_tests::gateway_double::DOUBLE_TOKEN
            ),
            None,
        )
        .await;
    assert_eq!(by_url["connected"], true, "{by_url}");
    let nowhere = f
        .svc
        .ok(
            Method::GET,
            &format!("/api/v1/gateways/status?gateway_url=ws://127.0.0.1:{}", free_port()),
            None,
        )
        .await;
    assert_eq!(nowhere["connected"], false);
    assert!(nowhere["error"].is_string());

    let key = format!("agent:mc-{}:main", id(&worker));
    let sessions = f
        .svc
        .ok(
            Method::GET,
            &format!("/api/v1/gateways/sessions?board_id={}", f.board),
            None,
        )
        .await;
    assert!(
        sessions["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["key"] == key.as_str())
    );
    let one = f
        .svc
        .ok(
            Method::GET,
            &format!("/api/v1/gateways/sessions/{key}?board_id={}", f.board),
            None,
        )
        .await;
    assert_eq!(one["session"]["key"], key.as_str());
    let (status, _) = f
        .svc
        .call(
            Method::GET,
            &format!("/api/v1/gateways/sessions/agent:nobody:main?board_id={}", f.board),
            None,
        )
        .await;
    assert_eq!(status, 404);
    f.svc
        .ok(
            Method::POST,
            &format!("/api/v1/gateways/sessions/{key}/message?board_id={}", f.board),
            Some(json!({"content": "Hello from the admin"})),
        )
        .await;
    let history = f
        .svc
        .ok(
            Method::GET,
            &format!("/api/v1/gateways/sessions/{key}/history?board_id={}", f.board),
            None,
        )
        .await;
    let texts: Vec<String> = history["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m.pointer("/content/0/text").and_then(|t| t.as_str()).map(str::to_owned))
        .collect();
    assert!(texts.iter().any(|t| t == "Hello from the admin"), "{texts:?}");
    let commands = f.svc.ok(Method::GET, "/api/v1/gateways/commands", None).await;
    assert_eq!(commands["protocol_version"], 4);
    assert!(commands["methods"].as_array().unwrap().iter().any(|m| m == "chat.send"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_template_sync_rewrites_every_agent_it_is_asked_to() {
    let f = Fleet::start(Backend::Sqlite, GatewayDouble::current().await).await;
    let (lead, _) = f.agent("Lead", true).await;
    let (worker, _) = f.agent("Worker", false).await;
    let sync = |query: &str| format!("/api/v1/gateways/{}/templates/sync{query}", f.gateway_id());
    let all = f.svc.ok(Method::POST, &sync(""), None).await;
    assert_eq!(all["agents_updated"], 2, "{all}");
    assert_eq!(all["main_updated"], true);
    assert_eq!(all["errors"], json!([]));
    let leads = f
        .svc
        .ok(
            Method::POST,
            &sync("?lead_only=true&include_main=false&reset_sessions=true"),
            None,
        )
        .await;
    assert_eq!(leads["agents_updated"], 1, "{leads}");
    assert_eq!(leads["agents_skipped"], 2, "{leads}");
    assert_eq!(leads["main_updated"], false);
    // The reset emptied the lead's session before its new wake-up.
    assert_eq!(said(&f.double, &format!("agent:mc-{}:main", id(&lead))).len(), 1);
    assert_eq!(said(&f.double, &format!("agent:mc-{}:main", id(&worker))).len(), 2);
    let other = f.svc.create_board("Elsewhere").await;
    let (status, _) = f
        .svc
        .call(Method::POST, &sync(&format!("?board_id={}", id(&other))), None)
        .await;
    assert_eq!(status, 422);
    // A failure on one agent is reported, the others go on.
    f.double.with(|s| {
        s.agents.remove(&format!("mc-{}", id(&worker)));
        s.faults.fail = Some(("agents.update".into(), "agent store is read-only".into()));
    });
    let partial = f.svc.ok(Method::POST, &sync("?include_main=false"), None).await;
    assert_eq!(partial["errors"].as_array().unwrap().len(), 1, "{partial}");
    assert_eq!(partial["errors"][0]["agent_id"], lead["id"]);
    assert_eq!(partial["agents_updated"], 1, "{partial}");
}

/// Every replica presents the one device identity kept in the shared database.
#[tokio::test(flavor = "multi_thread")]
async fn replicas_share_one_device_identity() {
    let db = TestDb::create().await.unwrap();
    let prefix = redis_prefix();
    let launch = || super::launch().postgres(&db).redis(&redis_url(), &prefix);
    let a = launch().start().await.unwrap();
    let b = launch().start().await.unwrap();
    let double = GatewayDouble::current().await;
    a.ok(Method::POST, "/api/v1/gateways", Some(double.create_body("Shared")))
        .await;
    b.ok(
        Method::GET,
        &format!(
            "/api/v1/gateways/status?gateway_url={}&gateway_token={}",
            double.url,
            system_tests::gateway_double::DOUBLE_TOKEN
        ),
        None,
    )
    .await;
    assert_eq!(
        double.with(|s| s.device_ids.len()),
        1,
        "two replicas paired as two devices"
    );
}
