//! A gateway is checked and gets its main agent; agents are provisioned with their files,
//! check in, are updated and removed; an agent that never checks in is woken three times and
//! then shown offline; a board is removed from its gateway before it is deleted.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::gateway_double::{DOUBLE_TOKEN, GatewayDouble};
use system_tests::{Backend, eventually, id, on_both_backends};

use super::{Fleet, launch, said};

on_both_backends!(
    a_gateway_is_checked_and_gets_its_main_agent,
    an_agent_is_provisioned_checks_in_is_updated_and_removed,
);

async fn a_gateway_is_checked_and_gets_its_main_agent(backend: Backend) {
    let f = Fleet::start(backend, GatewayDouble::current().await).await;
    let agents = f
        .svc
        .ok(
            Method::GET,
            &format!("/api/v1/agents?gateway_id={}", f.gateway_id()),
            None,
        )
        .await;
    let main: Vec<&Value> = agents["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["board_id"].is_null())
        .collect();
    assert_eq!(main.len(), 1, "{agents}");
    assert_eq!(main[0]["name"], "Edge Gateway Agent");
    let key = f.main_key();
    for file in [
        "AGENTS.md",
        "SOUL.md",
        "IDENTITY.md",
        "USER.md",
        "BOOTSTRAP.md",
        "MEMORY.md",
    ] {
        assert!(f.double.file(&key, file).is_some(), "{file} missing on the gateway");
    }
    // A protocol-4 release refuses these two; provisioning goes on without them.
    assert!(f.double.file(&key, "TOOLS.md").is_none());
    let woken = said(&f.double, &format!("agent:{key}:main"));
    assert_eq!(woken.len(), 1, "{woken:?}");
    assert!(woken[0].contains("Mission Control"), "{woken:?}");
    // One device identity, kept for the next connection too.
    f.svc
        .ok(
            Method::GET,
            &format!("/api/v1/gateways/status?board_id={}", f.board),
            None,
        )
        .await;
    assert_eq!(f.double.with(|s| s.device_ids.len()), 1);
}

async fn an_agent_is_provisioned_checks_in_is_updated_and_removed(backend: Backend) {
    let f = Fleet::start(backend, GatewayDouble::current().await).await;
    let (agent, token) = f.agent("Builder", false).await;
    let key = format!("mc-{}", id(&agent));
    let manual = f.double.file(&key, "AGENTS.md").unwrap();
    assert!(manual.contains(&f.board), "the manual names the board");
    assert!(
        manual.contains("/api/v1/agent/heartbeat"),
        "the manual teaches the heartbeat"
    );
    f.svc
        .ok_as_agent(&token, Method::POST, "/api/v1/agent/heartbeat", Some(json!({})))
        .await;
    let got = f
        .svc
        .ok(Method::GET, &format!("/api/v1/agents/{}", id(&agent)), None)
        .await;
    assert_eq!(got["status"], "online");
    // The web UI's agent edit: a forced reprovision with its body.
    let edited = f
        .svc
        .ok(
            Method::PATCH,
            &format!("/api/v1/agents/{}?force=true", id(&agent)),
            Some(json!({"name": "Builder", "heartbeat_config": {"every": "10m", "includeReasoning": false, "target": "last"},
                "identity_profile": {"role": "Generalist", "communication_style": "direct, concise, practical", "emoji": ":gear:"},
                "board_id": f.board})),
        )
        .await;
    assert_eq!(edited["id"], agent["id"]);
    let identity = f.double.file(&key, "IDENTITY.md").unwrap();
    assert!(identity.contains("Generalist"), "{identity}");
    // The run issued a fresh token: the old one is retired, the new one works.
    let fresh = f.token_of(&key);
    assert_ne!(fresh, token);
    let (status, _) = f
        .svc
        .call_as_agent(&token, Method::POST, "/api/v1/agent/heartbeat", Some(json!({})))
        .await;
    assert_eq!(status, 401);
    f.svc
        .ok_as_agent(&fresh, Method::POST, "/api/v1/agent/heartbeat", Some(json!({})))
        .await;
    f.svc
        .ok(Method::DELETE, &format!("/api/v1/agents/{}", id(&agent)), None)
        .await;
    assert!(
        f.double.with(|s| !s.agents.contains_key(&key)),
        "removed from the gateway"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_protocol_3_gateway_takes_every_file_and_the_heartbeat_through_its_restart() {
    let f = Fleet::start(Backend::Sqlite, GatewayDouble::protocol3().await).await;
    let restarts_before = f.double.with(|s| s.restarts);
    let (agent, _) = f.agent("Builder", false).await;
    let key = format!("mc-{}", id(&agent));
    for file in ["AGENTS.md", "TOOLS.md", "HEARTBEAT.md", "BOOTSTRAP.md"] {
        assert!(f.double.file(&key, file).is_some(), "{file} missing on the gateway");
    }
    let patches = f.double.calls_of("config.patch");
    assert!(!patches.is_empty(), "the heartbeat goes into the configuration");
    let list = f.double.with(|s| s.config["agents"]["list"].clone());
    let entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == key.as_str())
        .cloned()
        .unwrap();
    assert_eq!(entry["heartbeat"]["every"], "10m", "{list}");
    // The configuration change restarted the gateway under the provisioning (calls were
    // turned away meanwhile), and the provisioning finished.
    assert!(
        f.double.with(|s| s.restarts) > restarts_before,
        "restarts {} before {restarts_before}, patches {:?}",
        f.double.with(|s| s.restarts),
        f.double.calls_of("config.patch")
    );
    assert!(f.double.with(|s| s.refused) > 0, "no call met the restart");
    assert_eq!(said(&f.double, &format!("agent:{key}:main")).len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn releases_older_than_the_minimum_are_refused_with_the_reason() {
    let svc = Backend::Sqlite.start_with(launch()).await;
    let old = GatewayDouble::start(4, "2026.1.29", DOUBLE_TOKEN).await;
    let (status, body) = svc
        .call(Method::POST, "/api/v1/gateways", Some(old.create_body("Old")))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["detail"][0]["loc"], json!(["body", "url"]), "{body}");
    assert!(
        body["detail"][0]["msg"].as_str().unwrap().contains("2026.2.9"),
        "{body}"
    );
    let listed = svc.ok(Method::GET, "/api/v1/gateways", None).await;
    assert_eq!(listed["total"], 0, "a refused gateway is not stored");

    // A version that does not parse falls back to the configuration's last writer.
    let dev = GatewayDouble::start(4, "dev", DOUBLE_TOKEN).await;
    let (status, body) = svc
        .call(Method::POST, "/api/v1/gateways", Some(dev.create_body("Dev")))
        .await;
    assert_eq!(status, 422, "{body}");
    dev.with(|s| s.meta_version = Some("2026.4.2".into()));
    svc.ok(Method::POST, "/api/v1/gateways", Some(dev.create_body("Dev")))
        .await;
    let silent = GatewayDouble::start(4, "x", DOUBLE_TOKEN).await;
    silent.with(|s| s.version = None);
    let (status, body) = svc
        .call(Method::POST, "/api/v1/gateways", Some(silent.create_body("None")))
        .await;
    assert_eq!(status, 422, "{body}");

    let strict = Backend::Sqlite
        .start_with(launch().env("GATEWAY_MIN_VERSION", "2026.5.1"))
        .await;
    let p3 = GatewayDouble::protocol3().await;
    let (status, body) = strict
        .call(Method::POST, "/api/v1/gateways", Some(p3.create_body("P3")))
        .await;
    assert_eq!(status, 422, "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_that_never_checks_in_is_woken_three_times_then_offline() {
    let f = Fleet::start_with(
        Backend::Sqlite,
        GatewayDouble::current().await,
        launch().env("GATEWAY_CHECKIN_DEADLINE_SECONDS", "0.5"),
    )
    .await;
    let (agent, _) = f.agent("Sleeper", false).await;
    let key = format!("mc-{}", id(&agent));
    let path = format!("/api/v1/agents/{}", id(&agent));
    let offline = eventually(Duration::from_secs(20), || async {
        let got = f.svc.ok(Method::GET, &path, None).await;
        (got["status"] == "offline").then_some(got)
    })
    .await;
    assert!(offline.is_some(), "never marked offline");
    let wakes = said(&f.double, &format!("agent:{key}:main"));
    assert_eq!(wakes.len(), 3, "{wakes:?}");

    // An agent that checks in is left alone.
    let (awake, token) = f.agent("Early bird", false).await;
    f.svc
        .ok_as_agent(&token, Method::POST, "/api/v1/agent/heartbeat", Some(json!({})))
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let wakes = said(&f.double, &format!("agent:mc-{}:main", id(&awake)));
    assert_eq!(wakes.len(), 1, "{wakes:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_a_board_removes_its_agents_from_the_gateway_first() {
    let f = Fleet::start(Backend::Sqlite, GatewayDouble::current().await).await;
    let (agent, _) = f.agent("Builder", false).await;
    let key = format!("mc-{}", id(&agent));
    f.double
        .with(|s| s.faults.fail = Some(("agents.delete".into(), "permission denied".into())));
    let (status, body) = f
        .svc
        .call(Method::DELETE, &format!("/api/v1/boards/{}", f.board), None)
        .await;
    assert_eq!(status, 502, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("permission denied"), "{body}");
    f.svc
        .ok(Method::GET, &format!("/api/v1/boards/{}", f.board), None)
        .await;
    f.double.with(|s| s.faults.fail = None);
    // An agent the gateway no longer knows does not block the delete.
    let (other, _) = f.agent("Gone already", false).await;
    f.double.with(|s| s.agents.remove(&format!("mc-{}", id(&other))));
    f.svc
        .ok(Method::DELETE, &format!("/api/v1/boards/{}", f.board), None)
        .await;
    assert!(f.double.with(|s| !s.agents.contains_key(&key)));
}

/// The web UI's gateway form sends back what it read, token included.
#[tokio::test(flavor = "multi_thread")]
async fn the_gateway_edit_round_trip_keeps_the_real_token() {
    let f = Fleet::start(Backend::Sqlite, GatewayDouble::current().await).await;
    let path = format!("/api/v1/gateways/{}", f.gateway_id());
    let read = f.svc.ok(Method::GET, &path, None).await;
    let mut form = serde_json::Map::new();
    for k in [
        "name",
        "url",
        "token",
        "workspace_root",
        "disable_device_pairing",
        "allow_insecure_tls",
    ] {
        form.insert(k.to_owned(), read[k].clone());
    }
    form.insert("name".into(), json!("Edge renamed"));
    let saved = f.svc.ok(Method::PATCH, &path, Some(Value::Object(form))).await;
    assert_eq!(saved["token"], DOUBLE_TOKEN);
    let status = f
        .svc
        .ok(
            Method::GET,
            &format!("/api/v1/gateways/status?board_id={}", f.board),
            None,
        )
        .await;
    assert_eq!(status["connected"], true, "{status}");
    // The main agent follows the gateway's name.
    let agents = f
        .svc
        .ok(
            Method::GET,
            &format!("/api/v1/agents?gateway_id={}", f.gateway_id()),
            None,
        )
        .await;
    assert!(
        agents["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "Edge renamed Gateway Agent")
    );
}
