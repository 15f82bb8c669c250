//! Against real OpenClaw gateways: the two pinned releases, `openclaw@2026.9.6` (protocol 4)
//! and `openclaw@2026.4.2` (protocol 3), installed and started by `tests/gateway/openclaw.sh`.
//! Run through `tests/gateway/real.sh` (what `make test` does), which installs them, runs this
//! binary inside a network namespace with only loopback (as root) and names the cache in
//! `OPENCLAW_CACHE`; run directly, the tests fail and say so.
//!
//! Each release goes through the same suite: gateway create (compatibility check, main agent),
//! agent create with its files read back from the gateway, nudge into the session history,
//! soul round trip, template sync, a task assignment notification in the assignee's history,
//! onboarding start, a restart of the gateway in the middle of a provisioning, agent delete.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::time::Duration;

use mission_control::domain::gateway_version::CalVer;
use mission_control::gateway::{DeviceIdentity, GatewayClient, GatewaySettings, GatewayTarget};
use reqwest::Method;
use serde_json::{Value, json};
use system_tests::{Backend, Deployment, Launch, eventually, free_port, id, workspace_root};

const TOKEN: &str = "real-gateway-test-token";

/// A running gateway, stopped on drop.
struct RealGateway {
    dir: tempfile::TempDir,
    url: String,
    version: &'static str,
}

fn script() -> PathBuf {
    workspace_root().join("tests/gateway/openclaw.sh")
}

impl RealGateway {
    fn start(version: &'static str) -> Self {
        assert!(
            system_tests::environment::environment().openclaw_cache.is_some(),
            "real-gateway tests run through tests/gateway/real.sh (it installs the releases)"
        );
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let status = std::process::Command::new("bash")
            .arg(script())
            .args(["start", version])
            .arg(dir.path())
            .args([port.to_string(), TOKEN.to_owned()])
            .status()
            .unwrap();
        assert!(status.success(), "openclaw {version} did not start");
        Self {
            dir,
            url: format!("ws://127.0.0.1:{port}"),
            version,
        }
    }

    fn target(&self) -> GatewayTarget {
        GatewayTarget {
            url: self.url.clone(),
            token: Some(TOKEN.to_owned()),
            disable_device_pairing: false,
            allow_insecure_tls: false,
        }
    }
}

impl RealGateway {
    /// Restarts seen in the gateway's log so far.
    fn restarts(&self) -> usize {
        std::fs::read_to_string(self.dir.path().join("gateway.log"))
            .unwrap_or_default()
            .lines()
            .filter(|l| {
                l.contains("restart") && (l.contains("signal") || l.contains("restarting") || l.contains("SIGUSR1"))
            })
            .count()
    }
}

impl Drop for RealGateway {
    fn drop(&mut self) {
        let _ = std::process::Command::new("bash")
            .arg(script())
            .arg("stop")
            .arg(self.dir.path())
            .status();
        if std::thread::panicking()
            && let Ok(log) = std::fs::read_to_string(self.dir.path().join("gateway.log"))
        {
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!("--- openclaw {} log (last lines) ---", self.version);
            for line in tail.iter().rev() {
                eprintln!("{line}");
            }
        }
    }
}

/// A client of our own, to read back what the service wrote on the gateway.
fn probe() -> GatewayClient {
    GatewayClient::new(
        DeviceIdentity::from_text(&DeviceIdentity::generate_text()).unwrap(),
        GatewaySettings {
            connect_timeout: Duration::from_secs(5),
            call_timeout: Duration::from_secs(20),
            retry_for: Duration::from_secs(30),
            min_version: CalVer {
                year: 2026,
                month: 2,
                day: 9,
                rev: 0,
            },
        },
    )
}

fn text_of(message: &Value) -> String {
    match &message["content"] {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p["text"].as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// A session's history as the gateway keeps it.
async fn history(gw: &RealGateway, session: &str) -> Value {
    probe()
        .call(
            &gw.target(),
            "chat.history",
            json!({"sessionKey": session, "limit": 100}),
        )
        .await
        .unwrap()
}

/// The user messages of a session, read from the gateway: those in the transcript, and those
/// still queued (with no model configured, newer releases keep them as pending inputs).
async fn said(gw: &RealGateway, session: &str) -> Vec<String> {
    let h = history(gw, session).await;
    let transcript = h["messages"].as_array().cloned().unwrap_or_default();
    let pending = h
        .pointer("/pendingInputs/items")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|item| item["message"].clone());
    transcript
        .into_iter()
        .chain(pending)
        .filter(|m| m["role"] == "user")
        .map(|m| text_of(&m))
        .collect()
}

/// How many turns a session holds (transcript and queued).
async fn turns(gw: &RealGateway, session: &str) -> usize {
    let h = history(gw, session).await;
    h["messages"].as_array().map_or(0, Vec::len)
        + h.pointer("/pendingInputs/items")
            .and_then(Value::as_array)
            .map_or(0, Vec::len)
}

/// Whether a message containing `needle` reached the session. Protocol-3 releases with no
/// model configured keep only the (failed) reply of each turn, not the message itself: there
/// a new turn since `before` is the evidence.
async fn delivered(gw: &RealGateway, session: &str, needle: &str, before: usize) -> bool {
    if said(gw, session).await.iter().any(|m| m.contains(needle)) {
        return true;
    }
    gw.version.starts_with("2026.4.") && turns(gw, session).await > before
}

async fn file(gw: &RealGateway, key: &str, name: &str) -> Result<String, String> {
    probe()
        .call(&gw.target(), "agents.files.get", json!({"agentId": key, "name": name}))
        .await
        .map(|v| v["file"]["content"].as_str().unwrap_or_default().to_owned())
        .map_err(|e| e.to_string())
}

fn token_in(text: &str) -> String {
    let at = text.find("X-Agent-Token: ").expect("a token in AGENTS.md") + "X-Agent-Token: ".len();
    text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

async fn service() -> Deployment {
    Backend::Sqlite
        .start_with(
            Launch::new()
                .env("GATEWAY_CALL_TIMEOUT_SECONDS", "20")
                .env("LOG_LEVEL", "debug")
                .env("GATEWAY_RETRY_SECONDS", "30")
                .env("JOBS_POLL_SECONDS", "0.2")
                .env("SOULS_DIRECTORY_BASE_URL", "off"),
        )
        .await
}

async fn create_agent(svc: &Deployment, board: &str, name: &str, lead: bool) -> Value {
    svc.ok(
        Method::POST,
        "/api/v1/agents",
        Some(json!({"name": name, "board_id": board, "is_board_lead": lead})),
    )
    .await
}

async fn suite(version: &'static str) {
    let gw = RealGateway::start(version);
    let svc = service().await;
    let (status, gateway) = svc
        .call(
            Method::POST,
            "/api/v1/gateways",
            Some(
                json!({"name": "Real", "url": gw.url, "token": TOKEN, "workspace_root": gw.dir.path().join("agents")}),
            ),
        )
        .await;
    if status != 200 {
        for line in svc.output() {
            eprintln!("{line}");
        }
        panic!("gateway create: {status} {gateway}");
    }
    let main_key = format!("mc-gateway-{}", id(&gateway));
    let main_manual = file(&gw, &main_key, "AGENTS.md").await.unwrap();
    assert!(main_manual.contains("onboarding"), "{main_manual}");
    let board = id(&svc
        .ok(
            Method::POST,
            "/api/v1/boards",
            Some(json!({"name": "Real board", "slug": "real", "description": "d", "gateway_id": gateway["id"], "max_agents": 5})),
        )
        .await);

    // Agents and their files.
    let lead = create_agent(&svc, &board, "Lead", true).await;
    let worker = create_agent(&svc, &board, "Worker", false).await;
    let (lead_key, worker_key) = (format!("mc-{}", id(&lead)), format!("mc-{}", id(&worker)));
    let manual = file(&gw, &worker_key, "AGENTS.md").await.unwrap();
    assert!(manual.contains(&board), "the manual names the board");
    let lead_token = token_in(&file(&gw, &lead_key, "AGENTS.md").await.unwrap());
    let worker_token = token_in(&manual);
    svc.ok_as_agent(&worker_token, Method::POST, "/api/v1/agent/heartbeat", Some(json!({})))
        .await;
    let worker_session = format!("agent:{worker_key}:main");
    assert!(
        delivered(&gw, &worker_session, "Mission Control", 0).await,
        "the wake-up is not in the session: {}",
        history(&gw, &worker_session).await
    );

    // Nudge.
    let before = turns(&gw, &worker_session).await;
    svc.ok_as_agent(
        &lead_token,
        Method::POST,
        &format!("/api/v1/agent/boards/{board}/agents/{}/nudge", id(&worker)),
        Some(json!({"message": "Please start on the changelog"})),
    )
    .await;
    let nudged = eventually(Duration::from_secs(20), || async {
        delivered(&gw, &worker_session, "Please start on the changelog", before)
            .await
            .then_some(())
    })
    .await;
    assert!(nudged.is_some(), "{}", history(&gw, &worker_session).await);

    // Soul round trip.
    let soul_path = format!("/api/v1/agent/boards/{board}/agents/{}/soul", id(&worker));
    svc.ok_as_agent(
        &lead_token,
        Method::PUT,
        &soul_path,
        Some(json!({"content": "# Steady\nCareful and kind.\n"})),
    )
    .await;
    assert_eq!(
        file(&gw, &worker_key, "SOUL.md").await.unwrap(),
        "# Steady\nCareful and kind.\n"
    );
    let soul = svc.ok_as_agent(&worker_token, Method::GET, &soul_path, None).await;
    assert_eq!(soul, json!("# Steady\nCareful and kind.\n"));

    // Template sync.
    let synced = svc
        .ok(
            Method::POST,
            &format!("/api/v1/gateways/{}/templates/sync", id(&gateway)),
            None,
        )
        .await;
    assert_eq!(synced["errors"], json!([]), "{synced}");
    assert_eq!(synced["agents_updated"], 2, "{synced}");
    assert_eq!(synced["main_updated"], true);

    // A task assignment reaches the assignee's session.
    let before = turns(&gw, &worker_session).await;
    svc.create_task(
        &board,
        json!({"title": "Write the changelog", "assigned_agent_id": worker["id"]}),
    )
    .await;
    let heard = eventually(Duration::from_secs(60), || async {
        delivered(&gw, &worker_session, "Write the changelog", before)
            .await
            .then_some(())
    })
    .await;
    assert!(heard.is_some(), "the assignment never reached the worker");

    // Onboarding starts a conversation with the main agent.
    let onboarding = svc
        .ok(
            Method::POST,
            &format!("/api/v1/boards/{board}/onboarding/start"),
            Some(json!({})),
        )
        .await;
    assert_eq!(onboarding["status"], "active");
    let sessions = probe().call(&gw.target(), "sessions.list", json!({})).await.unwrap();
    let main_session = format!("agent:{main_key}:main");
    assert!(
        sessions["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["key"] == main_session.as_str()),
        "{sessions}"
    );
    assert!(
        delivered(&gw, &main_session, "Board onboarding", 0).await,
        "{}",
        history(&gw, &main_session).await
    );

    // Protocol-3 releases take the heartbeat in their configuration, and the change restarts
    // them: here the restart is timed to land in the middle of a provisioning, which still
    // completes. (Protocol-4 provisioning changes no configuration; the double covers a
    // restart mid-call there.)
    if gw.version.starts_with("2026.4.") {
        let restarts_before = gw.restarts();
        restart_soon(&gw).await;
        let late = create_agent(&svc, &board, "Late", false).await;
        let late_key = format!("mc-{}", id(&late));
        for name in [
            "AGENTS.md",
            "SOUL.md",
            "IDENTITY.md",
            "BOOTSTRAP.md",
            "TOOLS.md",
            "HEARTBEAT.md",
        ] {
            assert!(
                file(&gw, &late_key, name).await.is_ok(),
                "{name} missing after the restart"
            );
        }
        assert!(gw.restarts() > restarts_before, "the gateway did not restart");
    }

    // Delete: gone from the gateway.
    svc.ok(Method::DELETE, &format!("/api/v1/agents/{}", id(&worker)), None)
        .await;
    let gone = file(&gw, &worker_key, "AGENTS.md").await;
    assert!(gone.is_err(), "still on the gateway: {gone:?}");
}

/// Makes the gateway restart shortly (a real configuration change), as a provisioning starts.
async fn restart_soon(gw: &RealGateway) {
    let client = probe();
    let config = client.call(&gw.target(), "config.get", json!({})).await.unwrap();
    let hash = config["hash"].as_str().map(str::to_owned);
    let current = config
        .pointer("/config/gateway/reload/debounceMs")
        .and_then(Value::as_u64)
        .unwrap_or(300);
    let debounce = if current == 300 { 301 } else { 300 };
    let raw = json!({"gateway": {"reload": {"mode": "hot", "debounceMs": debounce}}}).to_string();
    let answer = client
        .call(&gw.target(), "config.patch", json!({"raw": raw, "baseHash": hash}))
        .await
        .unwrap_or_else(|e| panic!("config.patch: {e}; config: {config}"));
    eprintln!("config.patch restart: {}", answer["restart"]);
    // The restart comes `delayMs` after the patch (later when the gateway coalesces several):
    // provisioning starts just before it.
    let delay = answer
        .pointer("/restart/delayMs")
        .and_then(Value::as_u64)
        .unwrap_or(2000);
    tokio::time::sleep(Duration::from_millis(delay.saturating_sub(400))).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn openclaw_2026_9_6_protocol_4() {
    suite("2026.9.6").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn openclaw_2026_4_2_protocol_3() {
    suite("2026.4.2").await;
}
