//! What a stored payload becomes: a board-memory note (tagged, the payload fenced as external
//! data), a payload agents of the board may read (others are refused), and a
//! `webhook_delivery` job that records the message for the webhook's agent — or the board
//! lead — once, even when the job runs again.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use system_tests::{Backend, Deployment, eventually, id, items, on_both_backends};

use super::{create_webhook, deliver};

on_both_backends!(
    a_payload_becomes_a_memory_note_and_one_delivery_record,
    agents_read_payloads_of_their_own_board_only,
);

const DELIVERED: &str = "SELECT count(*) FROM activity_events WHERE event_type = 'webhook.delivery_notify_failed'";

async fn jobs_done(svc: &Deployment, n: i64) {
    let done = eventually(Duration::from_secs(20), || async {
        let c = svc
            .database
            .count("SELECT count(*) FROM jobs WHERE kind = 'webhook_delivery' AND status = 'done' AND finished_at IS NOT NULL")
            .await;
        (c == n).then_some(())
    })
    .await;
    assert!(done.is_some(), "{n} delivery jobs done");
}

/// The agents the recorded deliveries name, newest first.
async fn delivered_to(svc: &Deployment) -> Vec<serde_json::Value> {
    let feed = svc.ok(Method::GET, "/api/v1/activity?limit=200", None).await;
    items(&feed)
        .iter()
        .filter(|e| e["event_type"] == "webhook.delivery_notify_failed")
        .map(|e| e["agent_id"].clone())
        .collect()
}

async fn a_payload_becomes_a_memory_note_and_one_delivery_record(backend: Backend) {
    let svc = backend.start().await;
    let board = id(&svc.create_board("Deliver").await);
    let (lead, _) = svc.create_agent(&board, "Lead").await;
    svc.database
        .execute("UPDATE agents SET is_board_lead = true WHERE name = 'Lead'")
        .await;
    let (worker, _) = svc.create_agent(&board, "Worker").await;
    let hook = id(&create_webhook(
        &svc,
        &board,
        json!({"description": "Triage new issues", "agent_id": worker["id"]}),
    )
    .await);
    let (status, res) = deliver(&svc, &board, &hook, r#"{"issue":{"title":"Broken build"}}"#, &[]).await;
    assert_eq!(status, 202, "{res}");
    let payload_id = res["payload_id"].as_str().unwrap().to_owned();

    let memory = svc
        .ok(
            Method::GET,
            &format!("/api/v1/boards/{board}/memory?is_chat=false"),
            None,
        )
        .await;
    let note = &items(&memory)[0];
    assert_eq!(note["source"], "webhook");
    assert_eq!(note["is_chat"], false);
    assert_eq!(
        note["tags"],
        json!(["webhook", format!("webhook:{hook}"), format!("payload:{payload_id}")])
    );
    let content = note["content"].as_str().unwrap();
    assert!(content.contains("Triage new issues"), "{content}");
    let begin = content.find("BEGIN EXTERNAL DATA").unwrap();
    let end = content.find("END EXTERNAL DATA").unwrap();
    assert!(content[begin..end].contains("\"title\": \"Broken build\""), "{content}");

    // The job runs once and records one message, for the webhook's agent.
    jobs_done(&svc, 1).await;
    assert_eq!(svc.database.count(DELIVERED).await, 1);
    assert_eq!(delivered_to(&svc).await, [worker["id"].clone()]);

    // Run the same job again (as after a lost lease): nothing more is recorded.
    svc.database
        .execute(
            "UPDATE jobs SET status = 'ready', run_at = created_at, finished_at = NULL WHERE kind = 'webhook_delivery'",
        )
        .await;
    jobs_done(&svc, 1).await;
    let attempts = svc
        .database
        .count("SELECT CAST(max(attempts) AS BIGINT) FROM jobs WHERE kind = 'webhook_delivery'")
        .await;
    assert_eq!(attempts, 2, "the job did run again");
    assert_eq!(svc.database.count(DELIVERED).await, 1);

    // With the webhook's agent gone, the lead is told.
    svc.ok(Method::DELETE, &format!("/api/v1/agents/{}", id(&worker)), None)
        .await;
    let (status, _) = deliver(&svc, &board, &hook, "second", &[]).await;
    assert_eq!(status, 202);
    jobs_done(&svc, 2).await;
    let mut to = delivered_to(&svc).await;
    to.retain(|a| *a == lead["id"]);
    assert_eq!(to.len(), 1, "the lead is told of the second payload");
}

async fn agents_read_payloads_of_their_own_board_only(backend: Backend) {
    let svc = backend.start().await;
    let board = id(&svc.create_board("Mine").await);
    let other = id(&svc.create_board("Theirs").await);
    let (_, token) = svc.create_agent(&board, "Reader").await;
    let (_, stranger) = svc.create_agent(&other, "Stranger").await;
    let hook = id(&create_webhook(&svc, &board, json!({"description": "Read me"})).await);
    let (_, res) = deliver(&svc, &board, &hook, r#"{"text":"abcdefghij"}"#, &[]).await;
    let payload_id = res["payload_id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/agent/boards/{board}/webhooks/{hook}/payloads/{payload_id}");

    let read = svc.ok_as_agent(&token, Method::GET, &path, None).await;
    assert_eq!(read["id"], payload_id.as_str());
    assert_eq!(read["payload"], json!({"text": "abcdefghij"}));
    let cut = svc
        .ok_as_agent(&token, Method::GET, &format!("{path}?max_chars=5"), None)
        .await;
    assert_eq!(cut["payload"], json!("{\"tex"));
    for bad in ["0", "1000001", "x"] {
        let (status, body) = svc
            .call_as_agent(&token, Method::GET, &format!("{path}?max_chars={bad}"), None)
            .await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert_eq!(body["detail"][0]["loc"], json!(["query", "max_chars"]), "{body}");
    }
    let (status, body) = svc.call_as_agent(&stranger, Method::GET, &path, None).await;
    assert_eq!(status, 403, "{body}");
    let missing = format!(
        "/api/v1/agent/boards/{board}/webhooks/{hook}/payloads/{}",
        uuid::Uuid::new_v4()
    );
    let (status, _) = svc.call_as_agent(&token, Method::GET, &missing, None).await;
    assert_eq!(status, 404);
    // Users read it on their side.
    let user = svc
        .ok(
            Method::GET,
            &format!("/api/v1/boards/{board}/webhooks/{hook}/payloads/{payload_id}"),
            None,
        )
        .await;
    assert_eq!(user, read);
}
