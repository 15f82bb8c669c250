//! A board lead manages its board's workers: creates them through `POST /api/v1/agent/agents`
//! (or `POST /api/v1/agents`) within `max_agents`, names unique per board; deletes non-lead
//! workers of its own board through `DELETE /api/v1/agent/boards/{board_id}/agents/{agent_id}`
//! with the admin delete's cascade.

use reqwest::Method;
use serde_json::json;
use system_tests::{Backend, id, items, on_both_backends};

use super::make_lead;

on_both_backends!(a_lead_creates_workers_within_max_agents, a_lead_deletes_its_own_workers);

async fn a_lead_creates_workers_within_max_agents(backend: Backend) {
    let svc = backend.start().await;
    let board = svc.board_with("Crew", json!({"max_agents": 2})).await;
    let other = id(&svc.create_board("Other").await);
    let (_, lead_token) = svc.create_agent(&board, "Lead").await;
    let (_, worker_token) = svc.create_agent(&board, "First").await;
    make_lead(&svc, "Lead").await;

    // A worker may not create agents.
    let (status, body) = svc
        .call_as_agent(
            &worker_token,
            Method::POST,
            "/api/v1/agent/agents",
            Some(json!({"name": "Nope"})),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    // The lead: on its own board (board_id may be left out), not on another.
    let created = svc
        .ok_as_agent(
            &lead_token,
            Method::POST,
            "/api/v1/agent/agents",
            Some(json!({"name": "Second", "identity_profile": {"role": "Tester"}})),
        )
        .await;
    assert_eq!(created["board_id"], json!(board), "{created}");
    assert_eq!(created["is_board_lead"], false, "{created}");
    assert_eq!(created["status"], "provisioning", "{created}");
    assert!(created.get("token").is_none(), "AgentRead carries no token: {created}");
    let (status, body) = svc
        .call_as_agent(
            &lead_token,
            Method::POST,
            "/api/v1/agent/agents",
            Some(json!({"name": "Abroad", "board_id": other})),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    // Two workers now: the cap of 2 is reached, on both routes.
    for path in ["/api/v1/agent/agents", "/api/v1/agents"] {
        let (status, body) = svc
            .call_as_agent(
                &lead_token,
                Method::POST,
                path,
                Some(json!({"name": "Third", "board_id": board})),
            )
            .await;
        assert_eq!(status, 409, "{path}: {body}");
    }
    // The name is taken (case-insensitively) even once a slot is free.
    svc.ok(
        Method::PATCH,
        &format!("/api/v1/boards/{board}"),
        Some(json!({"max_agents": 5})),
    )
    .await;
    let (status, body) = svc
        .call_as_agent(
            &lead_token,
            Method::POST,
            "/api/v1/agent/agents",
            Some(json!({"name": "second"})),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    // The user route as a lead agent; a lead may not add a second lead.
    let third = svc
        .ok_as_agent(
            &lead_token,
            Method::POST,
            "/api/v1/agents",
            Some(json!({"name": "Third", "board_id": board})),
        )
        .await;
    assert_eq!(third["board_id"], json!(board), "{third}");
    let (status, body) = svc
        .call_as_agent(
            &lead_token,
            Method::POST,
            "/api/v1/agent/agents",
            Some(json!({"name": "Deputy", "is_board_lead": true})),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    // A worker through the user route: refused.
    let (status, body) = svc
        .call_as_agent(
            &worker_token,
            Method::POST,
            "/api/v1/agents",
            Some(json!({"name": "X", "board_id": board})),
        )
        .await;
    assert_eq!(status, 403, "{body}");
}

async fn a_lead_deletes_its_own_workers(backend: Backend) {
    let svc = backend.start().await;
    let board = id(&svc.create_board("Crew").await);
    let other = id(&svc.create_board("Other").await);
    let (lead, lead_token) = svc.create_agent(&board, "Lead").await;
    let (worker, worker_token) = svc.create_agent(&board, "Worker").await;
    let (idle, _) = svc.create_agent(&board, "Idle").await;
    let (stranger, _) = svc.create_agent(&other, "Stranger").await;
    make_lead(&svc, "Lead").await;
    let path = |b: &str, a: &serde_json::Value| format!("/api/v1/agent/boards/{b}/agents/{}", id(a));

    // The worker takes a task into progress and owns another.
    let busy = id(&svc.create_task(&board, json!({"title": "Busy"})).await);
    let queued = id(&svc
        .create_task(&board, json!({"title": "Queued", "assigned_agent_id": id(&worker)}))
        .await);
    svc.ok_as_agent(
        &worker_token,
        Method::PATCH,
        &format!("/api/v1/agent/boards/{board}/tasks/{busy}"),
        Some(json!({"status": "in_progress"})),
    )
    .await;

    // Refusals: a worker deleting, a lead target, another board's agent, another board id.
    let (status, body) = svc
        .call_as_agent(&worker_token, Method::DELETE, &path(&board, &idle), None)
        .await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = svc
        .call_as_agent(&lead_token, Method::DELETE, &path(&board, &lead), None)
        .await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = svc
        .call_as_agent(&lead_token, Method::DELETE, &path(&board, &stranger), None)
        .await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = svc
        .call_as_agent(&lead_token, Method::DELETE, &path(&other, &stranger), None)
        .await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = svc
        .call_as_agent(
            &lead_token,
            Method::DELETE,
            &format!("/api/v1/agent/boards/{board}/agents/{}", uuid::Uuid::new_v4()),
            None,
        )
        .await;
    assert_eq!(status, 404, "{body}");

    // The lead deletes its worker: the in-progress task goes back to the inbox, the other
    // loses its assignee, the deletion is recorded.
    let ok = svc
        .ok_as_agent(&lead_token, Method::DELETE, &path(&board, &worker), None)
        .await;
    assert_eq!(ok["ok"], true, "{ok}");
    let (status, _) = svc
        .call(Method::GET, &format!("/api/v1/agents/{}", id(&worker)), None)
        .await;
    assert_eq!(status, 404);
    let listed = svc
        .ok(Method::GET, &format!("/api/v1/boards/{board}/tasks"), None)
        .await;
    let task = |t: &str| {
        items(&listed)
            .iter()
            .find(|x| x["id"] == json!(t))
            .cloned()
            .expect("task listed")
    };
    let busy_now = task(&busy);
    assert_eq!(busy_now["status"], "inbox", "{busy_now}");
    assert!(busy_now["assigned_agent_id"].is_null(), "{busy_now}");
    let queued_now = task(&queued);
    assert!(queued_now["assigned_agent_id"].is_null(), "{queued_now}");
    let recorded = svc
        .database
        .count("SELECT count(*) FROM activity_events WHERE event_type = 'agent.delete.direct'")
        .await;
    assert_eq!(recorded, 1);
    // Deleted already: 404.
    let (status, _) = svc
        .call_as_agent(&lead_token, Method::DELETE, &path(&board, &worker), None)
        .await;
    assert_eq!(status, 404);
}
