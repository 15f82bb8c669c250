//! Agents: created on a board, their token issued once and rotated, the agent side working
//! with it (health, heartbeat, its own board), deletion recorded in the feed.

use reqwest::Method;
use serde_json::json;
use system_tests::{Backend, id, items, on_both_backends};

use super::boards::{board_on, gateway};
use system_tests::gateway_double::GatewayDouble;

on_both_backends!(
    an_agent_takes_the_gateway_of_its_board,
    agent_names_are_unique_per_board_case_insensitively,
    an_agent_token_works_as_a_header_or_a_bearer,
    a_heartbeat_marks_the_agent_online_and_is_in_the_feed,
    a_board_agent_sees_its_own_board_only,
    rotating_the_token_retires_the_old_one,
    deleting_an_agent_unassigns_its_tasks_and_is_recorded,
);

async fn an_agent_takes_the_gateway_of_its_board(backend: Backend) {
    let svc = backend.start().await;
    let double = GatewayDouble::current().await;
    let gw = gateway(&svc, &double).await;
    let on_gw = board_on(&svc, &gw).await;
    let bid = id(&svc.create_board("Ops").await);
    let (agent, _) = svc.create_agent(&bid, "Scout").await;
    assert!(
        agent["gateway_id"].is_null(),
        "an agent on a board without gateway has none"
    );
    assert_eq!(agent["status"], "provisioning");
    let (pilot, _) = svc.create_agent(&id(&on_gw), "Pilot").await;
    assert_eq!(pilot["gateway_id"], gw["id"]);
    let agents = svc
        .ok(Method::GET, &format!("/api/v1/agents?board_id={bid}"), None)
        .await;
    assert_eq!(agents["total"], 1);
}

async fn agent_names_are_unique_per_board_case_insensitively(backend: Backend) {
    let svc = backend.start().await;
    let bid = id(&svc.create_board("Ops").await);
    svc.create_agent(&bid, "Scout").await;
    let (status, _) = svc
        .call(
            Method::POST,
            "/api/v1/agents",
            Some(json!({"name": "scout", "board_id": bid})),
        )
        .await;
    assert_eq!(status, 409);
}

async fn an_agent_token_works_as_a_header_or_a_bearer(backend: Backend) {
    let svc = backend.start().await;
    let bid = id(&svc.create_board("Ops").await);
    let (agent, token) = svc.create_agent(&bid, "Scout").await;
    let health = svc
        .ok_as_agent(&token, Method::GET, "/api/v1/agent/healthz", None)
        .await;
    assert_eq!(health["agent_id"], agent["id"]);
    assert_eq!(health["ok"], true);
    let (status, _) = svc.call_as(&token, Method::GET, "/api/v1/agent/healthz", None).await;
    assert_eq!(status, 200);
}

async fn a_heartbeat_marks_the_agent_online_and_is_in_the_feed(backend: Backend) {
    let svc = backend.start().await;
    let bid = id(&svc.create_board("Ops").await);
    let (agent, token) = svc.create_agent(&bid, "Scout").await;
    let beat = svc
        .ok_as_agent(&token, Method::POST, "/api/v1/agent/heartbeat", None)
        .await;
    assert_eq!(beat["status"], "online");
    assert!(beat["last_seen_at"].is_string());
    let seen = svc
        .ok(Method::GET, &format!("/api/v1/agents/{}", id(&agent)), None)
        .await;
    assert_eq!(seen["status"], "online");
    let activity = svc.ok_as_agent(&token, Method::GET, "/api/v1/activity", None).await;
    let beats: Vec<_> = items(&activity)
        .iter()
        .filter(|e| e["event_type"] == "agent.heartbeat")
        .collect();
    assert_eq!(beats.len(), 1, "{activity}");
    assert_eq!(beats[0]["message"], "Heartbeat received from Scout.");
    assert_eq!(beats[0]["agent_id"], agent["id"]);
}

async fn a_board_agent_sees_its_own_board_only(backend: Backend) {
    let svc = backend.start().await;
    let board = svc.create_board("Ops").await;
    svc.create_board("Other").await;
    let (_, token) = svc.create_agent(&id(&board), "Scout").await;
    let boards = svc.ok_as_agent(&token, Method::GET, "/api/v1/agent/boards", None).await;
    assert_eq!(boards["total"], 1);
    assert_eq!(boards["items"][0]["id"], board["id"]);
}

async fn rotating_the_token_retires_the_old_one(backend: Backend) {
    let svc = backend.start().await;
    let bid = id(&svc.create_board("Ops").await);
    let (agent, token) = svc.create_agent(&bid, "Scout").await;
    let rotated = svc
        .ok(Method::POST, &format!("/api/v1/agents/{}/token", id(&agent)), None)
        .await;
    let new_token = rotated["token"].as_str().unwrap();
    assert_ne!(new_token, token);
    let (status, _) = svc
        .call_as_agent(&token, Method::GET, "/api/v1/agent/healthz", None)
        .await;
    assert_eq!(status, 401);
    let (status, _) = svc
        .call_as_agent(new_token, Method::GET, "/api/v1/agent/healthz", None)
        .await;
    assert_eq!(status, 200);
}

async fn deleting_an_agent_unassigns_its_tasks_and_is_recorded(backend: Backend) {
    let svc = backend.start().await;
    let board = svc.create_board("Ops").await;
    let bid = id(&board);
    let (agent, _) = svc.create_agent(&bid, "Scout").await;
    let task = svc
        .create_task(&bid, json!({"title": "t", "assigned_agent_id": agent["id"]}))
        .await;
    let path = format!("/api/v1/agents/{}", id(&agent));
    svc.ok(Method::DELETE, &path, None).await;
    assert_eq!(svc.call(Method::GET, &path, None).await.0, 404);
    let feed = svc.ok(Method::GET, "/api/v1/activity?limit=1", None).await;
    assert_eq!(feed["items"][0]["event_type"], "agent.delete.direct", "{feed}");
    assert_eq!(feed["items"][0]["message"], "Deleted agent Scout.");
    assert_eq!(feed["items"][0]["board_id"], board["id"]);
    assert!(feed["items"][0]["agent_id"].is_null());
    let tasks = svc.ok(Method::GET, &format!("/api/v1/boards/{bid}/tasks"), None).await;
    assert_eq!(tasks["items"][0]["id"], task["id"]);
    assert!(tasks["items"][0]["assigned_agent_id"].is_null());
}
