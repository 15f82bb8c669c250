//! The worker and lead rule sets of an agent's task PATCH (domain.md §3), on both backends.

use serde_json::json;
use system_tests::{Backend, id, on_both_backends};

use super::agent_patch;

on_both_backends!(workers_follow_the_worker_rule_set);

async fn workers_follow_the_worker_rule_set(backend: Backend) {
    let svc = backend.start().await;
    let board = svc
        .board_with("Work", json!({"require_approval_for_done": false}))
        .await;
    let (w1, t1) = svc.create_agent(&board, "Worker one").await;
    let (_, t2) = svc.create_agent(&board, "Worker two").await;
    let (lead, _) = svc.create_agent(&board, "Lead").await;
    svc.database
        .execute("UPDATE agents SET is_board_lead = true WHERE name = 'Lead'")
        .await;
    let task = id(&svc.create_task(&board, json!({"title": "Ship"})).await);

    // Fields outside the worker set.
    let (status, body) = agent_patch(&svc, &t1, &board, &task, json!({"title": "Renamed"})).await;
    assert_eq!(status, 403, "{body}");
    // Claiming assigns the caller; another worker may not touch it afterwards.
    let (status, body) = agent_patch(&svc, &t1, &board, &task, json!({"status": "in_progress"})).await;
    assert_eq!((status, &body["assigned_agent_id"]), (200, &json!(id(&w1))), "{body}");
    let (status, body) = agent_patch(&svc, &t2, &board, &task, json!({"status": "review", "comment": "mine"})).await;
    assert_eq!(status, 403, "{body}");
    // → review hands the task to the lead.
    let (status, body) = agent_patch(&svc, &t1, &board, &task, json!({"status": "review", "comment": "done"})).await;
    assert_eq!((status, &body["assigned_agent_id"]), (200, &json!(id(&lead))), "{body}");

    // A blocked task may not be started.
    let dep = id(&svc.create_task(&board, json!({"title": "First"})).await);
    let blocked = id(&svc
        .create_task(&board, json!({"title": "Then", "depends_on_task_ids": [dep]}))
        .await);
    let (status, body) = agent_patch(&svc, &t2, &board, &blocked, json!({"status": "in_progress"})).await;
    assert_eq!(status, 409, "{body}");

    // A board-bound agent only works its own board.
    let other = svc.board_with("Other", json!({})).await;
    let (_, outsider) = svc.create_agent(&other, "Outsider").await;
    let (status, body) = agent_patch(&svc, &outsider, &board, &dep, json!({"status": "in_progress"})).await;
    assert_eq!(status, 403, "{body}");

    // only_lead_can_change_status is enforced for workers.
    let strict = svc
        .board_with("Strict", json!({"only_lead_can_change_status": true}))
        .await;
    let (_, strict_worker) = svc.create_agent(&strict, "Strict worker").await;
    let strict_task = id(&svc.create_task(&strict, json!({"title": "Held"})).await);
    let (status, body) = agent_patch(
        &svc,
        &strict_worker,
        &strict,
        &strict_task,
        json!({"status": "in_progress"}),
    )
    .await;
    assert_eq!(status, 403, "{body}");
}

on_both_backends!(leads_follow_the_lead_rule_set);

async fn leads_follow_the_lead_rule_set(backend: Backend) {
    let svc = backend.start().await;
    let board = svc
        .board_with("Lead", json!({"require_approval_for_done": false}))
        .await;
    let (worker, wt) = svc.create_agent(&board, "Worker").await;
    let (_, lt) = svc.create_agent(&board, "Lead").await;
    svc.database
        .execute("UPDATE agents SET is_board_lead = true WHERE name = 'Lead'")
        .await;
    let task = id(&svc.create_task(&board, json!({"title": "Ship"})).await);

    // An inline comment is refused; status only changes in review, except inbox → in_progress
    // with an assignment.
    let (status, body) = agent_patch(&svc, &lt, &board, &task, json!({"comment": "hi"})).await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = agent_patch(&svc, &lt, &board, &task, json!({"status": "review"})).await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = agent_patch(&svc, &lt, &board, &task, json!({"status": "in_progress"})).await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = agent_patch(
        &svc,
        &lt,
        &board,
        &task,
        json!({"status": "in_progress", "assigned_agent_id": id(&worker)}),
    )
    .await;
    assert_eq!(
        (status, &body["assigned_agent_id"]),
        (200, &json!(id(&worker))),
        "{body}"
    );
    let (status, body) = agent_patch(&svc, &wt, &board, &task, json!({"status": "review", "comment": "ok"})).await;
    assert_eq!(status, 200, "{body}");
    // From review: only done or inbox.
    let (status, body) = agent_patch(&svc, &lt, &board, &task, json!({"status": "in_progress"})).await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = agent_patch(&svc, &lt, &board, &task, json!({"status": "done"})).await;
    assert_eq!((status, &body["status"]), (200, &json!("done")), "{body}");
}

on_both_backends!(the_user_task_route_takes_an_agent_under_the_same_rules);

async fn the_user_task_route_takes_an_agent_under_the_same_rules(backend: Backend) {
    let svc = backend.start().await;
    let board = svc
        .board_with("Shared", json!({"require_approval_for_done": false}))
        .await;
    let (worker, token) = svc.create_agent(&board, "Worker").await;
    let task = id(&svc.create_task(&board, json!({"title": "Ship"})).await);
    let path = format!("/api/v1/boards/{board}/tasks/{task}");
    let (status, body) = svc
        .call_as_agent(&token, reqwest::Method::PATCH, &path, Some(json!({"title": "Renamed"})))
        .await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = svc
        .call_as_agent(
            &token,
            reqwest::Method::PATCH,
            &path,
            Some(json!({"status": "in_progress"})),
        )
        .await;
    assert_eq!(
        (status, &body["assigned_agent_id"]),
        (200, &json!(id(&worker))),
        "{body}"
    );
}
