//! The agent side through the gateway: a lead nudges, reads and writes souls, asks the human
//! through the main agent, creates and deletes workers; the main agent messages leads.

use reqwest::Method;
use serde_json::json;
use system_tests::gateway_double::GatewayDouble;
use system_tests::{Backend, id, on_both_backends};

use super::{Fleet, said};

on_both_backends!(
    a_lead_works_its_board_through_the_gateway,
    the_main_agent_reaches_the_leads
);

async fn a_lead_works_its_board_through_the_gateway(backend: Backend) {
    let f = Fleet::start(backend, GatewayDouble::current().await).await;
    let (_, lead) = f.agent("Lead", true).await;
    let (worker, worker_token) = f.agent("Worker", false).await;
    let worker_session = format!("agent:mc-{}:main", id(&worker));
    let board = &f.board;

    f.svc
        .ok_as_agent(
            &lead,
            Method::POST,
            &format!("/api/v1/agent/boards/{board}/agents/{}/nudge", id(&worker)),
            Some(json!({"message": "Pick up the release notes"})),
        )
        .await;
    assert!(
        said(&f.double, &worker_session)
            .iter()
            .any(|m| m.contains("Pick up the release notes")),
        "{:?}",
        said(&f.double, &worker_session)
    );
    let (status, _) = f
        .svc
        .call_as_agent(
            &worker_token,
            Method::POST,
            &format!("/api/v1/agent/boards/{board}/agents/{}/nudge", id(&worker)),
            Some(json!({"message": "me"})),
        )
        .await;
    assert_eq!(status, 403, "only the lead nudges");

    let soul_path = format!("/api/v1/agent/boards/{board}/agents/{}/soul", id(&worker));
    f.svc
        .ok_as_agent(
            &lead,
            Method::PUT,
            &soul_path,
            Some(json!({"content": "# Calm and exact\n", "reason": "tone"})),
        )
        .await;
    assert_eq!(
        f.double.file(&format!("mc-{}", id(&worker)), "SOUL.md").as_deref(),
        Some("# Calm and exact\n")
    );
    let own = f.svc.ok_as_agent(&worker_token, Method::GET, &soul_path, None).await;
    assert_eq!(own, json!("# Calm and exact\n"));
    let stored = f
        .svc
        .ok(Method::GET, &format!("/api/v1/agents/{}", id(&worker)), None)
        .await;
    assert_eq!(stored["soul_template"], "# Calm and exact\n");
    let (status, _) = f
        .svc
        .call_as_agent(&worker_token, Method::PUT, &soul_path, Some(json!({"content": "x"})))
        .await;
    assert_eq!(status, 403, "only the lead writes souls");

    let asked = f
        .svc
        .ok_as_agent(
            &lead,
            Method::POST,
            &format!("/api/v1/agent/boards/{board}/gateway/main/ask-user"),
            Some(json!({"content": "May we ship on Friday?", "correlation_id": "q-1"})),
        )
        .await;
    assert_eq!(asked["ok"], true);
    let main_session = format!("agent:{}:main", f.main_key());
    assert!(
        said(&f.double, &main_session)
            .iter()
            .any(|m| m.contains("May we ship on Friday?"))
    );

    // Workers made and removed by the lead are made and removed on the gateway too.
    let hired = f
        .svc
        .ok_as_agent(
            &lead,
            Method::POST,
            "/api/v1/agent/agents",
            Some(json!({"name": "Helper"})),
        )
        .await;
    let key = format!("mc-{}", id(&hired));
    assert!(f.double.file(&key, "AGENTS.md").is_some());
    f.svc
        .ok_as_agent(
            &lead,
            Method::DELETE,
            &format!("/api/v1/agent/boards/{board}/agents/{}", id(&hired)),
            None,
        )
        .await;
    assert!(f.double.with(|s| !s.agents.contains_key(&key)));
}

async fn the_main_agent_reaches_the_leads(backend: Backend) {
    let f = Fleet::start(backend, GatewayDouble::current().await).await;
    let (lead, lead_token) = f.agent("Lead", true).await;
    let main = f.token_of(&f.main_key());
    let lead_session = format!("agent:mc-{}:main", id(&lead));
    let sent = f
        .svc
        .ok_as_agent(
            &main,
            Method::POST,
            &format!("/api/v1/agent/gateway/boards/{}/lead/message", f.board),
            Some(json!({"kind": "handoff", "content": "The user wants a status report"})),
        )
        .await;
    assert_eq!(sent["lead_agent_id"], lead["id"]);
    assert!(
        said(&f.double, &lead_session)
            .iter()
            .any(|m| m.contains("status report"))
    );

    // A second board without a lead: the broadcast reports it, and still reaches the first.
    let other = f
        .svc
        .ok(
            Method::POST,
            "/api/v1/boards",
            Some(json!({"name": "Other", "slug": "other", "description": "d", "gateway_id": f.gateway["id"]})),
        )
        .await;
    let result = f
        .svc
        .ok_as_agent(
            &main,
            Method::POST,
            "/api/v1/agent/gateway/leads/broadcast",
            Some(json!({"content": "Freeze merges tonight"})),
        )
        .await;
    assert_eq!(result["sent"], 1, "{result}");
    assert_eq!(result["failed"], 1, "{result}");
    assert_eq!(result["ok"], false);
    let failed = result["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["board_id"] == other["id"])
        .unwrap();
    assert!(failed["error"].is_string());
    assert!(
        said(&f.double, &lead_session)
            .iter()
            .any(|m| m.contains("Freeze merges tonight"))
    );

    // Leads cannot use the main agent's routes.
    let (status, _) = f
        .svc
        .call_as_agent(
            &lead_token,
            Method::POST,
            "/api/v1/agent/gateway/leads/broadcast",
            Some(json!({"content": "x"})),
        )
        .await;
    assert_eq!(status, 403);
}
