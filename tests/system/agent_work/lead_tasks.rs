//! A board lead's own task routes: create (`auto_created`, `auto_reason`, assignee rules) and
//! delete, lead only; and a task the lead sends back from review going to its last worker
//! with the "changes requested" notification recorded.

use reqwest::Method;
use serde_json::json;
use system_tests::{Backend, id, on_both_backends};

use super::agent_patch;

on_both_backends!(a_lead_creates_and_deletes_tasks_on_its_board);

async fn a_lead_creates_and_deletes_tasks_on_its_board(backend: Backend) {
    let svc = backend.start().await;
    let board = svc.board_with("Led", json!({})).await;
    let (worker, wt) = svc.create_agent(&board, "Worker").await;
    let (lead, lt) = svc.create_agent(&board, "Lead").await;
    svc.ok(
        Method::PATCH,
        &format!("/api/v1/agents/{}", id(&lead)),
        Some(json!({"is_board_lead": true})),
    )
    .await;
    let other = svc.board_with("Elsewhere", json!({})).await;
    let (stranger, _) = svc.create_agent(&other, "Stranger").await;
    let tasks = format!("/api/v1/agent/boards/{board}/tasks");

    // Only the lead.
    let (status, body) = svc
        .call_as_agent(&wt, Method::POST, &tasks, Some(json!({"title": "Mine"})))
        .await;
    assert_eq!(status, 403, "{body}");
    // Assignee rules: not a lead (403), on this board (409), existing (404).
    for (assignee, expected) in [
        (id(&lead), 403),
        (id(&stranger), 409),
        (uuid::Uuid::new_v4().to_string(), 404),
    ] {
        let (status, body) = svc
            .call_as_agent(
                &lt,
                Method::POST,
                &tasks,
                Some(json!({"title": "Assigned", "assigned_agent_id": assignee})),
            )
            .await;
        assert_eq!(status, expected, "{assignee}: {body}");
    }
    // A blank title is a 422 naming the field.
    let (status, body) = svc
        .call_as_agent(&lt, Method::POST, &tasks, Some(json!({"title": "  "})))
        .await;
    assert_eq!(status, 422, "{body}");

    let created = svc
        .ok_as_agent(
            &lt,
            Method::POST,
            &tasks,
            Some(json!({"title": "Split the work", "assigned_agent_id": id(&worker)})),
        )
        .await;
    // `auto_created`/`auto_reason` are stored (the read model does not carry them).
    let marked = svc
        .database
        .count(&format!(
            "SELECT count(*) FROM tasks WHERE auto_created AND auto_reason = 'lead_agent:{}'",
            id(&lead)
        ))
        .await;
    assert_eq!(marked, 1);
    assert_eq!(created["assigned_agent_id"], json!(id(&worker)), "{created}");
    assert_eq!(created["created_by_user_id"], json!(null), "{created}");
    // The user's board view has it.
    let listed = svc
        .ok(Method::GET, &format!("/api/v1/boards/{board}/tasks"), None)
        .await;
    assert_eq!(listed["total"], 1, "{listed}");

    // Delete: a worker may not, the lead may, once.
    let one = format!("{tasks}/{}", id(&created));
    let (status, body) = svc.call_as_agent(&wt, Method::DELETE, &one, None).await;
    assert_eq!(status, 403, "{body}");
    let gone = svc.ok_as_agent(&lt, Method::DELETE, &one, None).await;
    assert_eq!(gone, json!({"ok": true}));
    let (status, body) = svc.call_as_agent(&lt, Method::DELETE, &one, None).await;
    assert_eq!(status, 404, "{body}");
    // Not on another board.
    let foreign = id(&svc.create_task(&other, json!({"title": "Theirs"})).await);
    let (status, body) = svc
        .call_as_agent(
            &lt,
            Method::DELETE,
            &format!("/api/v1/agent/boards/{other}/tasks/{foreign}"),
            None,
        )
        .await;
    assert_eq!(status, 403, "{body}");

    // A lead may not hand an existing task to a lead either.
    let task = id(&svc.create_task(&board, json!({"title": "Keep"})).await);
    let (status, body) = agent_patch(
        &svc,
        &lt,
        &board,
        &task,
        json!({"status": "in_progress", "assigned_agent_id": id(&lead)}),
    )
    .await;
    assert_eq!(status, 403, "{body}");
}

on_both_backends!(a_task_sent_back_from_review_returns_to_its_worker);

async fn a_task_sent_back_from_review_returns_to_its_worker(backend: Backend) {
    let svc = backend.start().await;
    let board = svc
        .board_with("Review", json!({"require_approval_for_done": false}))
        .await;
    let (worker, wt) = svc.create_agent(&board, "Worker").await;
    let (_, other_token) = svc.create_agent(&board, "Helper").await;
    let (lead, lt) = svc.create_agent(&board, "Lead").await;
    svc.ok(
        Method::PATCH,
        &format!("/api/v1/agents/{}", id(&lead)),
        Some(json!({"is_board_lead": true})),
    )
    .await;
    let task = id(&svc.create_task(&board, json!({"title": "Polish"})).await);

    // The worker claims and hands in; the lead has it in review.
    let (status, body) = agent_patch(&svc, &wt, &board, &task, json!({"status": "in_progress"})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = agent_patch(
        &svc,
        &wt,
        &board,
        &task,
        json!({"status": "review", "comment": "ready"}),
    )
    .await;
    assert_eq!((status, &body["assigned_agent_id"]), (200, &json!(id(&lead))), "{body}");

    // The lead asks for changes: back to the inbox, to the worker, not in progress.
    svc.ok_as_agent(
        &lt,
        Method::POST,
        &format!("/api/v1/agent/boards/{board}/tasks/{task}/comments"),
        Some(json!({"message": "Tighten the wording"})),
    )
    .await;
    let (status, body) = agent_patch(&svc, &lt, &board, &task, json!({"status": "inbox"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "inbox", "{body}");
    assert_eq!(body["assigned_agent_id"], json!(id(&worker)), "{body}");
    assert_eq!(body["in_progress_at"], json!(null), "{body}");
    let told = svc
        .database
        .count(
            "SELECT count(*) FROM activity_events WHERE event_type = 'task.assignee_notify_failed' \
             AND message LIKE '%changes requested: Polish%'",
        )
        .await;
    assert_eq!(told, 1, "one changes-requested notification is recorded for the worker");

    // The task is the worker's again: another worker may not take it; the worker may.
    let (status, body) = agent_patch(&svc, &other_token, &board, &task, json!({"status": "in_progress"})).await;
    assert_eq!(status, 409, "{body}");
    let (status, body) = agent_patch(&svc, &wt, &board, &task, json!({"status": "in_progress"})).await;
    assert_eq!(
        (status, &body["assigned_agent_id"]),
        (200, &json!(id(&worker))),
        "{body}"
    );
}
