//! Where the reference notifies agents through a gateway, the write succeeds without one and
//! the notification is recorded as an activity row naming the agent it was for.

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::{Backend, on_both_backends};

on_both_backends!(gateway_notifications_are_recorded_and_never_fail_a_write);

/// Where the reference notifies agents through a gateway, the write succeeds without one and
/// the notification is recorded as an activity row naming the agent it was for (PostgreSQL).
async fn gateway_notifications_are_recorded_and_never_fail_a_write(backend: Backend) {
    let svc = backend.start().await;
    let bid = svc
        .board_with("Notified", json!({"require_approval_for_done": false}))
        .await;
    let (lead, _) = svc.create_agent(&bid, "Lead").await;
    let (worker, _) = svc.create_agent(&bid, "Worker").await;
    // The API cannot make a lead yet.
    svc.database
        .execute("UPDATE agents SET is_board_lead = true WHERE name = 'Lead'")
        .await;

    // The activity rows of one task about notifications, oldest first: (type, agent, message).
    let notes = |task: String| {
        let svc = &svc;
        async move {
            let (_, all) = svc.call(Method::GET, "/api/v1/activity?limit=200", None).await;
            let mut found: Vec<(String, String, String)> = all["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["task_id"] == json!(task) && e["event_type"].as_str().unwrap().contains("notify"))
                .map(|e| {
                    (
                        e["event_type"].as_str().unwrap().to_owned(),
                        e["agent_id"].as_str().unwrap_or_default().to_owned(),
                        e["message"].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            found.reverse();
            found
        }
    };
    let lead_id = lead["id"].as_str().unwrap().to_owned();
    let worker_id = worker["id"].as_str().unwrap().to_owned();

    // Created with an assignee: the lead hears of it, the assignee is woken.
    let t = svc
        .create_task(&bid, json!({"title": "Wire it", "assigned_agent_id": worker_id}))
        .await;
    let tid = t["id"].as_str().unwrap().to_owned();
    // (Rows of one write share a timestamp, so their order is not asserted.)
    let mut created = notes(tid.clone()).await;
    created.sort();
    assert_eq!(
        created
            .iter()
            .map(|(kind, agent, _)| (kind.as_str(), agent.as_str()))
            .collect::<Vec<_>>(),
        [
            ("task.assignee_notify_failed", worker_id.as_str()),
            ("task.lead_notify_failed", lead_id.as_str())
        ]
    );
    assert_eq!(
        created[1].2,
        "Lead notification (new task: Wire it) not sent, no gateway is connected."
    );

    // Started with the same assignee: woken again.
    let patch = |body: Value| {
        let (svc, path) = (&svc, format!("/api/v1/boards/{bid}/tasks/{tid}"));
        async move {
            let (status, out) = svc.call(Method::PATCH, &path, Some(body)).await;
            assert_eq!(status, 200, "{out}");
        }
    };
    patch(json!({"status": "in_progress"})).await;
    let started = notes(tid.clone()).await;
    assert_eq!(started.len(), 3, "{started:?}");
    assert_eq!(
        (started[2].0.as_str(), started[2].1.as_str()),
        ("task.assignee_notify_failed", worker_id.as_str())
    );
    assert!(started[2].2.contains("task in progress: Wire it"), "{started:?}");

    // Back to the inbox, unassigned: the lead is told.
    patch(json!({"status": "inbox", "assigned_agent_id": null})).await;
    let back = notes(tid.clone()).await;
    assert_eq!(back.len(), 4, "{back:?}");
    assert_eq!(
        (back[3].0.as_str(), back[3].1.as_str()),
        ("task.lead_notify_failed", lead_id.as_str())
    );

    // A title edit tells nobody.
    patch(json!({"title": "Wire it up"})).await;
    assert_eq!(notes(tid.clone()).await.len(), 4);

    // An approval resolved: the lead is told.
    let (status, approval) = svc
        .call(
            Method::POST,
            &format!("/api/v1/boards/{bid}/approvals"),
            Some(json!({"action_type": "ship", "confidence": 90, "task_id": tid, "payload": {"reason": "ready"}})),
        )
        .await;
    assert_eq!(status, 200, "{approval}");
    let (status, _) = svc
        .call(
            Method::PATCH,
            &format!("/api/v1/boards/{bid}/approvals/{}", approval["id"].as_str().unwrap()),
            Some(json!({"status": "rejected"})),
        )
        .await;
    assert_eq!(status, 200);
    let resolved = notes(tid.clone()).await;
    assert_eq!(resolved.len(), 5, "{resolved:?}");
    assert_eq!(
        resolved[4],
        (
            "approval.lead_notify_failed".to_owned(),
            lead_id.clone(),
            "Lead notification (approval rejected) not sent, no gateway is connected.".to_owned()
        )
    );
}
