//! `POST /api/v1/agents/{agent_id}/heartbeat` (an agent for itself, an admin for any agent of
//! the organization) and `POST /api/v1/agents/heartbeat` (by name; an admin's heartbeat for
//! an unknown name creates the agent on the board).

use reqwest::Method;
use serde_json::json;
use system_tests::{Backend, id, items, on_both_backends};

on_both_backends!(heartbeats_for_one_agent_and_by_name);

async fn heartbeats_for_one_agent_and_by_name(backend: Backend) {
    let svc = backend.start().await;
    let board = id(&svc.create_board("Beats").await);
    let other = id(&svc.create_board("Other").await);
    let (scout, scout_token) = svc.create_agent(&board, "Scout").await;
    let (ranger, _) = svc.create_agent(&board, "Ranger").await;
    let scout_path = format!("/api/v1/agents/{}/heartbeat", id(&scout));

    // An agent for itself (either header), an admin for any agent.
    let beat = svc
        .ok_as_agent(
            &scout_token,
            Method::POST,
            &scout_path,
            Some(json!({"status": "online"})),
        )
        .await;
    assert_eq!(beat["status"], "online", "{beat}");
    assert!(beat["last_seen_at"].is_string(), "{beat}");
    let beat = svc
        .ok_as(&scout_token, Method::POST, &scout_path, Some(json!({})))
        .await;
    assert_eq!(beat["id"], json!(id(&scout)), "{beat}");
    let beat = svc
        .ok(
            Method::POST,
            &format!("/api/v1/agents/{}/heartbeat", id(&ranger)),
            Some(json!({})),
        )
        .await;
    assert_eq!(beat["status"], "online", "{beat}");
    // Not for another agent; not for an unknown one.
    let (status, body) = svc
        .call_as_agent(
            &scout_token,
            Method::POST,
            &format!("/api/v1/agents/{}/heartbeat", id(&ranger)),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    let (status, _) = svc
        .call(
            Method::POST,
            &format!("/api/v1/agents/{}/heartbeat", uuid::Uuid::new_v4()),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 404);
    let heartbeats = svc
        .database
        .count("SELECT count(*) FROM activity_events WHERE event_type = 'agent.heartbeat'")
        .await;
    assert_eq!(heartbeats, 3);

    // By name: an agent names itself (case-insensitively), not another agent or board.
    let beat = svc
        .ok_as_agent(
            &scout_token,
            Method::POST,
            "/api/v1/agents/heartbeat",
            Some(json!({"name": "scout", "board_id": board})),
        )
        .await;
    assert_eq!(beat["id"], json!(id(&scout)), "{beat}");
    for body in [json!({"name": "Ranger"}), json!({"name": "Scout", "board_id": other})] {
        let (status, answer) = svc
            .call_as_agent(&scout_token, Method::POST, "/api/v1/agents/heartbeat", Some(body))
            .await;
        assert_eq!(status, 403, "{answer}");
    }

    // An admin: an existing agent by name, then an unknown name creates the agent.
    let beat = svc
        .ok(
            Method::POST,
            "/api/v1/agents/heartbeat",
            Some(json!({"name": "Ranger", "board_id": board})),
        )
        .await;
    assert_eq!(beat["id"], json!(id(&ranger)), "{beat}");
    let created = svc
        .ok(
            Method::POST,
            "/api/v1/agents/heartbeat",
            Some(json!({"name": "Newcomer", "board_id": board, "status": "online"})),
        )
        .await;
    assert_eq!(created["name"], "Newcomer", "{created}");
    assert_eq!(created["status"], "online", "{created}");
    assert_eq!(created["board_id"], json!(board), "{created}");
    let listed = svc
        .ok(Method::GET, &format!("/api/v1/agents?board_id={board}"), None)
        .await;
    assert_eq!(items(&listed).len(), 3, "{listed}");
    // Without a board, or with a blank name: 422; an unknown board: 404.
    let (status, _) = svc
        .call(Method::POST, "/api/v1/agents/heartbeat", Some(json!({"name": "Lost"})))
        .await;
    assert_eq!(status, 422);
    let (status, _) = svc
        .call(
            Method::POST,
            "/api/v1/agents/heartbeat",
            Some(json!({"name": " ", "board_id": board})),
        )
        .await;
    assert_eq!(status, 422);
    let (status, _) = svc
        .call(
            Method::POST,
            "/api/v1/agents/heartbeat",
            Some(json!({"name": "Lost", "board_id": uuid::Uuid::new_v4()})),
        )
        .await;
    assert_eq!(status, 404);
}
