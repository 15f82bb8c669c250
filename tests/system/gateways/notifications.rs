//! Notifications are sent for real on a board with a gateway: a job enqueued with the write
//! sends `chat.send` and records `*_notified` (or `*_notify_failed` with the reason).

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::gateway_double::GatewayDouble;
use system_tests::{Backend, eventually, id, on_both_backends};

use super::{Fleet, said};

on_both_backends!(an_assignment_reaches_the_assignee_and_is_recorded);

async fn activity_of(f: &Fleet, event: &str) -> Option<Value> {
    let feed = f.svc.ok(Method::GET, "/api/v1/activity?limit=200", None).await;
    feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["event_type"] == event)
        .cloned()
}

async fn an_assignment_reaches_the_assignee_and_is_recorded(backend: Backend) {
    let f = Fleet::start(backend, GatewayDouble::current().await).await;
    let (lead, _) = f.agent("Lead", true).await;
    let (worker, _) = f.agent("Worker", false).await;
    let task = f
        .svc
        .create_task(
            &f.board,
            json!({"title": "Cut the release", "assigned_agent_id": worker["id"]}),
        )
        .await;
    let worker_session = format!("agent:mc-{}:main", id(&worker));
    let heard = eventually(Duration::from_secs(10), || async {
        said(&f.double, &worker_session)
            .into_iter()
            .find(|m| m.contains("Cut the release"))
    })
    .await
    .expect("the assignee was never told");
    assert!(heard.contains(&id(&task)), "the message names the task: {heard}");
    let row = eventually(Duration::from_secs(10), || activity_of(&f, "task.assignee_notified"))
        .await
        .expect("no task.assignee_notified row");
    assert_eq!(row["agent_id"], worker["id"]);
    let lead_row = eventually(Duration::from_secs(10), || activity_of(&f, "task.lead_notified"))
        .await
        .expect("no task.lead_notified row");
    assert_eq!(lead_row["agent_id"], lead["id"]);
    assert!(activity_of(&f, "task.assignee_notify_failed").await.is_none());

    // Board chat mentioning the worker reaches it too.
    f.svc
        .ok(
            Method::POST,
            &format!("/api/v1/boards/{}/memory", f.board),
            Some(json!({"content": "@worker the notes are in", "tags": ["chat"]})),
        )
        .await;
    eventually(Duration::from_secs(10), || async {
        said(&f.double, &worker_session)
            .into_iter()
            .find(|m| m.contains("the notes are in"))
    })
    .await
    .expect("the mention was not delivered");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gateway_that_refuses_leaves_a_failed_row_with_the_reason() {
    let f = Fleet::start(Backend::Sqlite, GatewayDouble::current().await).await;
    let (lead, _) = f.agent("Lead", true).await;
    f.double
        .with(|s| s.faults.fail = Some(("chat.send".into(), "session is locked".into())));
    f.svc.create_task(&f.board, json!({"title": "Unheard"})).await;
    let row = eventually(Duration::from_secs(10), || activity_of(&f, "task.lead_notify_failed"))
        .await
        .expect("no failed row");
    assert_eq!(row["agent_id"], lead["id"]);
    assert!(row["message"].as_str().unwrap().contains("session is locked"), "{row}");
}
