//! Dependencies: a reopened dependency sends its started dependents back to the inbox, and
//! every change leaves an activity row.

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::{Backend, on_both_backends};

use super::gates::patch;

on_both_backends!(reopening_a_done_dependency_sends_started_dependents_back_to_the_inbox);

async fn reopening_a_done_dependency_sends_started_dependents_back_to_the_inbox(backend: Backend) {
    let svc = backend.start().await;
    let board = svc
        .board_with("Cascade", json!({"require_approval_for_done": false}))
        .await;
    let base = svc.create_task(&board, json!({"title": "base"})).await;
    let started = svc
        .create_task(&board, json!({"title": "started", "depends_on_task_ids": [base["id"]]}))
        .await;
    let pristine = svc
        .create_task(
            &board,
            json!({"title": "pristine", "depends_on_task_ids": [base["id"]]}),
        )
        .await;
    assert_eq!(patch(&svc, &board, &base, json!({"status": "done"})).await.0, 200);
    let (status, moved) = patch(&svc, &board, &started, json!({"status": "in_progress"})).await;
    assert_eq!(status, 200, "unblocked once the dependency is done: {moved}");

    let (status, _) = patch(&svc, &board, &base, json!({"status": "inbox"})).await;
    assert_eq!(status, 200);
    let (_, list) = svc
        .call(Method::GET, &format!("/api/v1/boards/{board}/tasks"), None)
        .await;
    let find = |id: &Value| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == *id)
            .unwrap()
            .clone()
    };
    let s = find(&started["id"]);
    assert_eq!(s["status"], "inbox");
    assert!(s["in_progress_at"].is_null());
    assert_eq!(s["is_blocked"], true);
    assert_eq!(s["blocked_by_task_ids"], json!([base["id"]]));
    assert_eq!(find(&pristine["id"])["status"], "inbox");

    // Every change left an activity row.
    let (_, activity) = svc.call(Method::GET, "/api/v1/activity", None).await;
    let types: Vec<String> = activity["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["task_id"] == started["id"])
        .map(|a| a["event_type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        types.iter().filter(|t| *t == "task.status_changed").count(),
        2,
        "moved to in_progress, then back by the cascade: {types:?}"
    );
    assert!(types.contains(&"task.created".to_owned()));
    assert!(
        types.contains(&"task.updated".to_owned()),
        "dependency completion change recorded: {types:?}"
    );
}
