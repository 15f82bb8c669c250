//! Read models built from many rows: the board snapshot, the dashboard, the activity feeds.

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::{Backend, Deployment, on_both_backends};

on_both_backends!(
    the_board_snapshot_shows_tasks_with_assignees_agents_and_approvals,
    the_dashboard_counts_tasks_by_status_and_done_per_day,
    activity_feeds_list_newest_first_and_an_agent_sees_its_own_events,
);

/// A board without the approval gate, an agent that sent a heartbeat, four tasks (a inbox,
/// b in progress assigned to the agent, c review, d done) and a comment on a.
struct Fixture {
    svc: Deployment,
    bid: String,
    board: Value,
    token: String,
    ids: Vec<String>,
}

async fn fixture(backend: Backend) -> Fixture {
    let svc = backend.start().await;
    let board = svc.create_board("Reads").await;
    let bid = board["id"].as_str().unwrap().to_owned();
    svc.call(
        Method::PATCH,
        &format!("/api/v1/boards/{bid}"),
        Some(json!({"require_approval_for_done": false})),
    )
    .await;
    let (agent, token) = svc.create_agent(&bid, "Runner").await;
    svc.agent(Method::POST, "/api/v1/agent/heartbeat", &token)
        .send()
        .await
        .unwrap();
    let tasks = format!("/api/v1/boards/{bid}/tasks");
    let mut ids = Vec::new();
    for (title, status) in [
        ("a", "inbox"),
        ("b", "in_progress"),
        ("c", "review"),
        ("d", "in_progress"),
    ] {
        let (_, t) = svc
            .call(Method::POST, &tasks, Some(json!({"title": title, "status": status})))
            .await;
        ids.push(t["id"].as_str().unwrap().to_owned());
    }
    svc.call(
        Method::PATCH,
        &format!("{tasks}/{}", ids[1]),
        Some(json!({"assigned_agent_id": agent["id"]})),
    )
    .await;
    let (status, _) = svc
        .call(
            Method::PATCH,
            &format!("{tasks}/{}", ids[3]),
            Some(json!({"status": "done"})),
        )
        .await;
    assert_eq!(status, 200);
    svc.call(
        Method::POST,
        &format!("{tasks}/{}/comments", ids[0]),
        Some(json!({"message": "first!"})),
    )
    .await;

    Fixture {
        svc,
        bid,
        board,
        token,
        ids,
    }
}

async fn the_board_snapshot_shows_tasks_with_assignees_agents_and_approvals(backend: Backend) {
    let Fixture {
        svc, bid, board, token, ..
    } = fixture(backend).await;
    let (status, snap) = svc
        .call(Method::GET, &format!("/api/v1/boards/{bid}/snapshot"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(snap["board"]["id"], board["id"]);
    assert_eq!(snap["tasks"].as_array().unwrap().len(), 4);
    let b = snap["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"] == "b")
        .unwrap();
    assert_eq!(b["assignee"], "Runner");
    assert_eq!(snap["agents"][0]["name"], "Runner");
    assert_eq!(snap["approvals"], json!([]));
    // The agent's view of the snapshot (either caller).
    let res = svc
        .agent(Method::GET, &format!("/api/v1/boards/{bid}/snapshot"), &token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

async fn the_dashboard_counts_tasks_by_status_and_done_per_day(backend: Backend) {
    let Fixture { svc, bid, .. } = fixture(backend).await;
    let (status, dash) = svc
        .call(Method::GET, "/api/v1/metrics/dashboard?range_key=7d", None)
        .await;
    assert_eq!(status, 200, "{dash}");
    let k = &dash["kpis"];
    assert_eq!(
        (
            k["inbox_tasks"].as_i64(),
            k["in_progress_tasks"].as_i64(),
            k["review_tasks"].as_i64(),
            k["done_tasks"].as_i64()
        ),
        (Some(1), Some(1), Some(1), Some(1))
    );
    assert_eq!(k["active_agents"], 1);
    assert!(k["median_cycle_time_hours_7d"].is_number(), "{k}");
    assert_eq!(dash["throughput"]["primary"]["bucket"], "day");
    let done: f64 = dash["throughput"]["primary"]["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_f64().unwrap())
        .sum();
    assert_eq!(done, 1.0);
    let (status, _) = svc
        .call(Method::GET, "/api/v1/metrics/dashboard?range_key=2w", None)
        .await;
    assert_eq!(status, 422);
    let (status, dash) = svc
        .call(Method::GET, &format!("/api/v1/metrics/dashboard?board_id={bid}"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(dash["range"], "24h");
}

async fn activity_feeds_list_newest_first_and_an_agent_sees_its_own_events(backend: Backend) {
    let Fixture {
        svc, bid, token, ids, ..
    } = fixture(backend).await;
    let (_, feed) = svc.call(Method::GET, "/api/v1/activity/task-comments", None).await;
    assert_eq!(feed["total"], 1);
    assert_eq!(feed["items"][0]["task_title"], "a");
    assert_eq!(feed["items"][0]["board_name"], "Reads");
    let (_, mine) = svc
        .call(
            Method::GET,
            &format!("/api/v1/activity/task-comments?board_id={bid}"),
            None,
        )
        .await;
    assert_eq!(mine["total"], 1);
    let (_, all) = svc.call(Method::GET, "/api/v1/activity?limit=3", None).await;
    assert_eq!(all["limit"], 3);
    assert!(all["total"].as_i64().unwrap() >= 8, "{all}");
    assert_eq!(all["items"][0]["event_type"], "task.comment", "newest first");
    // An agent sees its own events only.
    let own: serde_json::Value = svc
        .agent(Method::GET, "/api/v1/activity", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Its heartbeat, and the record of the assignment it was not told of (no gateway yet).
    assert_eq!(own["total"], 2, "{own}");
    assert_eq!(own["items"][0]["event_type"], "task.assignee_notify_failed");
    assert_eq!(own["items"][0]["task_id"], json!(ids[1]));
    assert_eq!(own["items"][1]["event_type"], "agent.heartbeat");
}
