//! Gateway figures against a real gateway (bench/gateway.sh starts one and the service):
//! provisioning time per agent (POST /api/v1/agents answers once the agent is provisioned),
//! notification delivery latency (task write answered → message in the assignee's session
//! on the gateway), and the cost of one gateway call on a fresh connection vs a kept one.
//!
//! Environment: MC_URL, MC_TOKEN (the service and its local token), GW_URL, GW_TOKEN,
//! BENCH_AGENTS (default 20), BENCH_NOTIFICATIONS (default 10), BENCH_CALLS (default 50).

#![allow(clippy::unwrap_used, clippy::disallowed_methods)]

use std::time::{Duration, Instant};

use mission_control::domain::gateway_version::CalVer;
use mission_control::gateway::{DeviceIdentity, GatewayClient, GatewaySettings, GatewayTarget};
use serde_json::{Value, json};

fn env(key: &str, default: &str) -> String {
    std::env::var(key).unwrap_or_else(|_| default.to_owned())
}

fn pct(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i].as_secs_f64() * 1000.0
}

fn report(name: &str, samples: &mut [Duration]) {
    println!(
        "{name}: n={} p50={:.1} ms p99={:.1} ms max={:.1} ms",
        samples.len(),
        pct(samples, 0.5),
        pct(samples, 0.99),
        pct(samples, 1.0)
    );
}

#[tokio::main]
async fn main() {
    let base = env("MC_URL", "http://127.0.0.1:8000");
    let token = env("MC_TOKEN", "");
    let gw_url = env("GW_URL", "ws://127.0.0.1:18789");
    let gw_token = env("GW_TOKEN", "");
    let agents: usize = env("BENCH_AGENTS", "20").parse().unwrap();
    let notifications: usize = env("BENCH_NOTIFICATIONS", "10").parse().unwrap();
    let calls: usize = env("BENCH_CALLS", "50").parse().unwrap();
    system_tests::init();
    let http = reqwest::Client::new();
    let post = |path: String, body: Value| {
        let req = http.post(format!("{base}{path}")).bearer_auth(&token).json(&body);
        async move {
            let res = req.send().await.unwrap();
            let status = res.status();
            let body: Value = res.json().await.unwrap();
            assert!(status.is_success(), "{status} {body}");
            body
        }
    };
    let started = Instant::now();
    let gateway = post(
        "/api/v1/gateways".into(),
        json!({"name": "Bench", "url": gw_url, "token": gw_token, "workspace_root": "/tmp/mc-bench-agents"}),
    )
    .await;
    println!(
        "gateway create (check + main agent): {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let board = post(
        "/api/v1/boards".into(),
        json!({"name": "Bench", "slug": "bench", "description": "d", "gateway_id": gateway["id"], "max_agents": 100}),
    )
    .await;
    let board_id = board["id"].as_str().unwrap().to_owned();

    let mut provisioning = Vec::new();
    let mut ids = Vec::new();
    for i in 0..agents {
        let t = Instant::now();
        let agent = post(
            "/api/v1/agents".into(),
            json!({"name": format!("bench-{i}"), "board_id": board_id}),
        )
        .await;
        provisioning.push(t.elapsed());
        ids.push(agent["id"].as_str().unwrap().to_owned());
    }
    report("provisioning per agent", &mut provisioning);

    let client = GatewayClient::new(
        DeviceIdentity::from_text(&DeviceIdentity::generate_text()).unwrap(),
        GatewaySettings {
            connect_timeout: Duration::from_secs(5),
            call_timeout: Duration::from_secs(20),
            retry_for: Duration::from_secs(20),
            min_version: CalVer {
                year: 2026,
                month: 2,
                day: 9,
                rev: 0,
            },
        },
    );
    let target = GatewayTarget {
        url: gw_url.clone(),
        token: Some(gw_token.clone()),
        disable_device_pairing: false,
        allow_insecure_tls: false,
    };
    let mut conn = client.open(&target).await.unwrap();
    let mut latency = Vec::new();
    for i in 0..notifications {
        let agent = &ids[i % ids.len()];
        let title = format!("bench-notification-{i}-{}", uuid::Uuid::new_v4());
        post(
            format!("/api/v1/boards/{board_id}/tasks"),
            json!({"title": title, "assigned_agent_id": agent}),
        )
        .await;
        let answered = Instant::now();
        let session = format!("agent:mc-{agent}:main");
        loop {
            let h = conn
                .call(
                    "chat.history",
                    json!({"sessionKey": session, "limit": 50}),
                    Duration::from_secs(10),
                )
                .await
                .unwrap();
            let text = h.to_string();
            if text.contains(&title) {
                latency.push(answered.elapsed());
                break;
            }
            assert!(answered.elapsed() < Duration::from_secs(30), "not delivered: {title}");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    report("notification, write answered -> in chat.history", &mut latency);

    let mut fresh = Vec::new();
    for _ in 0..calls {
        let t = Instant::now();
        client.call(&target, "health", json!({})).await.unwrap();
        fresh.push(t.elapsed());
    }
    report("health on a fresh connection (handshake included)", &mut fresh);
    let mut kept = Vec::new();
    for _ in 0..calls {
        let t = Instant::now();
        conn.call("health", json!({}), Duration::from_secs(10)).await.unwrap();
        kept.push(t.elapsed());
    }
    report("health on a kept connection", &mut kept);
}
