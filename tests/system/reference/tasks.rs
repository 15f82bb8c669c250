//! Tasks: created in the inbox, blocked by unfinished dependencies, assigned within their
//! board, filtered, and deleted with their dependency edges.

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::{Backend, Service, id, items, on_both_backends};

on_both_backends!(
    a_task_starts_in_the_inbox_created_by_the_caller,
    an_unfinished_dependency_blocks_a_task,
    dependencies_must_exist,
    an_assignee_must_be_on_the_tasks_board,
    a_done_dependency_no_longer_blocks,
    tasks_filter_by_status_assignee_and_page_newest_first,
    the_agent_side_lists_the_boards_tasks,
    deleting_a_task_removes_its_dependency_edges,
);

/// A board without the approval gate, and its task path.
async fn board(svc: &Service) -> (String, String) {
    let bid = svc.board_with("Ops", json!({"require_approval_for_done": false})).await;
    let tasks = format!("/api/v1/boards/{bid}/tasks");
    (bid, tasks)
}

/// `first`, and `second` depending on it.
async fn chain(svc: &Service, bid: &str) -> (Value, Value) {
    let first = svc
        .create_task(bid, json!({"title": "Write the plan", "priority": "high"}))
        .await;
    let second = svc
        .create_task(bid, json!({"title": "Execute", "depends_on_task_ids": [first["id"]]}))
        .await;
    (first, second)
}

async fn a_task_starts_in_the_inbox_created_by_the_caller(backend: Backend) {
    let svc = backend.start().await;
    let me = svc.ok(Method::GET, "/api/v1/users/me", None).await;
    let (bid, _) = board(&svc).await;
    let task = svc.create_task(&bid, json!({"title": "Write the plan"})).await;
    assert_eq!(task["status"], "inbox");
    assert_eq!(task["created_by_user_id"], me["id"]);
    assert_eq!(task["is_blocked"], false);
}

async fn an_unfinished_dependency_blocks_a_task(backend: Backend) {
    let svc = backend.start().await;
    let (bid, tasks) = board(&svc).await;
    let (first, second) = chain(&svc, &bid).await;
    assert_eq!(second["depends_on_task_ids"], json!([first["id"]]));
    assert_eq!(second["blocked_by_task_ids"], json!([first["id"]]));
    assert_eq!(second["is_blocked"], true);
    let (status, body) = svc
        .call(
            Method::POST,
            &tasks,
            Some(json!({"title": "Too eager", "depends_on_task_ids": [first["id"]], "status": "in_progress"})),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(body["detail"]["blocked_by_task_ids"], json!([first["id"]]));
}

async fn dependencies_must_exist(backend: Backend) {
    let svc = backend.start().await;
    let (_, tasks) = board(&svc).await;
    let (status, body) = svc
        .call(
            Method::POST,
            &tasks,
            Some(json!({"title": "Ghost", "depends_on_task_ids": [uuid::Uuid::new_v4()]})),
        )
        .await;
    assert_eq!(status, 404);
    assert!(body["detail"]["missing_task_ids"].is_array());
}

async fn an_assignee_must_be_on_the_tasks_board(backend: Backend) {
    let svc = backend.start().await;
    let (bid, tasks) = board(&svc).await;
    let other = id(&svc.create_board("Other").await);
    let (agent, _) = svc.create_agent(&bid, "Scout").await;
    let (stranger, _) = svc.create_agent(&other, "Pilot").await;
    let task = svc.create_task(&bid, json!({"title": "t"})).await;
    let path = format!("{tasks}/{}", id(&task));
    let started = svc
        .ok(
            Method::PATCH,
            &path,
            Some(json!({"status": "in_progress", "assigned_agent_id": agent["id"]})),
        )
        .await;
    assert_eq!(started["status"], "in_progress");
    assert!(started["in_progress_at"].is_string());
    assert_eq!(started["assigned_agent_id"], agent["id"]);
    let (status, _) = svc
        .call(Method::PATCH, &path, Some(json!({"assigned_agent_id": stranger["id"]})))
        .await;
    assert_eq!(status, 409, "an assignee from another board is refused");
}

async fn a_done_dependency_no_longer_blocks(backend: Backend) {
    let svc = backend.start().await;
    let (bid, tasks) = board(&svc).await;
    let (first, _) = chain(&svc, &bid).await;
    let done = svc
        .ok(
            Method::PATCH,
            &format!("{tasks}/{}", id(&first)),
            Some(json!({"status": "done"})),
        )
        .await;
    assert_eq!(done["status"], "done");
    let inbox = svc.ok(Method::GET, &format!("{tasks}?status=inbox"), None).await;
    assert_eq!(inbox["total"], 1);
    assert_eq!(inbox["items"][0]["is_blocked"], false);
}

async fn tasks_filter_by_status_assignee_and_page_newest_first(backend: Backend) {
    let svc = backend.start().await;
    let (bid, tasks) = board(&svc).await;
    let (agent, _) = svc.create_agent(&bid, "Scout").await;
    let (first, second) = chain(&svc, &bid).await;
    svc.ok(
        Method::PATCH,
        &format!("{tasks}/{}", id(&first)),
        Some(json!({"status": "done", "assigned_agent_id": agent["id"]})),
    )
    .await;
    let both = svc
        .ok(Method::GET, &format!("{tasks}?status=inbox,done&limit=1"), None)
        .await;
    assert_eq!(both["total"], 2);
    assert_eq!(items(&both).len(), 1);
    assert_eq!(both["items"][0]["id"], second["id"], "newest first");
    let assigned = svc
        .ok(Method::GET, &format!("{tasks}?assigned_agent_id={}", id(&agent)), None)
        .await;
    assert_eq!(assigned["total"], 1);
    let unassigned = svc.ok(Method::GET, &format!("{tasks}?unassigned=true"), None).await;
    assert_eq!(unassigned["total"], 1);
    assert_eq!(unassigned["items"][0]["id"], second["id"]);
}

async fn the_agent_side_lists_the_boards_tasks(backend: Backend) {
    let svc = backend.start().await;
    let (bid, tasks) = board(&svc).await;
    let (_, token) = svc.create_agent(&bid, "Scout").await;
    let (first, _) = chain(&svc, &bid).await;
    svc.ok(
        Method::PATCH,
        &format!("{tasks}/{}", id(&first)),
        Some(json!({"status": "done"})),
    )
    .await;
    let listed = svc
        .ok_as_agent(
            &token,
            Method::GET,
            &format!("/api/v1/agent/boards/{bid}/tasks?status=inbox&limit=10&offset=0"),
            None,
        )
        .await;
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["limit"], 10);
}

async fn deleting_a_task_removes_its_dependency_edges(backend: Backend) {
    let svc = backend.start().await;
    let (bid, tasks) = board(&svc).await;
    let (first, _) = chain(&svc, &bid).await;
    let path = format!("{tasks}/{}", id(&first));
    svc.ok(Method::DELETE, &path, None).await;
    let remaining = svc.ok(Method::GET, &tasks, None).await;
    assert_eq!(remaining["total"], 1);
    assert_eq!(remaining["items"][0]["depends_on_task_ids"], json!([]));
    assert_eq!(svc.call(Method::DELETE, &path, None).await.0, 404);
}
