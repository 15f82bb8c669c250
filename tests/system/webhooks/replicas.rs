//! Many deliveries spread over two replicas on one PostgreSQL database and one Redis: every
//! payload is stored once, has its memory note, and its delivery job runs and records once.
//! PostgreSQL only, by nature: replicas share a database only there.

use std::time::Duration;

use futures::StreamExt;
use serde_json::json;
use system_tests::{Launch, TestDb, eventually, id, redis_prefix, redis_url};

use super::{create_webhook, deliver, sign};

const N: usize = 1_000;

#[tokio::test(flavor = "multi_thread")]
async fn deliveries_over_two_replicas_are_stored_and_delivered_exactly_once() {
    let db = TestDb::create().await.unwrap();
    let prefix = redis_prefix();
    let launch = || {
        Launch::new()
            .postgres(&db)
            .redis(&redis_url(), &prefix)
            .env("RATE_LIMIT_WEBHOOK_REQUESTS", "100000")
    };
    let a = launch().start().await.unwrap();
    let b = launch().start().await.unwrap();
    let board = id(&a.create_board("Twins").await);
    let (lead, _) = a.create_agent(&board, "Lead").await;
    let hook = id(&create_webhook(
        &a,
        &board,
        json!({"description": "Fan in", "secret": "shared", "agent_id": lead["id"]}),
    )
    .await);

    let results: Vec<(u16, serde_json::Value)> = futures::stream::iter(0..N)
        .map(|i| {
            let svc = if i % 2 == 0 { &a } else { &b };
            let board = &board;
            let hook = &hook;
            async move {
                let body = format!("{{\"n\":{i}}}");
                let sig = format!("sha256={}", sign("shared", body.as_bytes()));
                deliver(svc, board, hook, body, &[("X-Hub-Signature-256", sig.as_str())]).await
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let mut ids: Vec<String> = Vec::new();
    for (status, body) in &results {
        assert_eq!(*status, 202, "{body}");
        ids.push(body["payload_id"].as_str().unwrap().to_owned());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), N, "every delivery has its own payload");

    let mut conn = db.connect().await.unwrap();
    let count = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql);
    assert_eq!(
        count("SELECT count(*) FROM board_webhook_payloads")
            .fetch_one(&mut conn)
            .await
            .unwrap(),
        N as i64
    );
    assert_eq!(
        count("SELECT count(*) FROM board_memory WHERE source = 'webhook'")
            .fetch_one(&mut conn)
            .await
            .unwrap(),
        N as i64
    );
    assert_eq!(
        count("SELECT count(*) FROM jobs WHERE kind = 'webhook_delivery'")
            .fetch_one(&mut conn)
            .await
            .unwrap(),
        N as i64
    );
    let done = eventually(Duration::from_secs(60), || {
        let db = &db;
        async move {
            let mut conn = db.connect().await.unwrap();
            let done: i64 =
                sqlx::query_scalar("SELECT count(*) FROM jobs WHERE kind = 'webhook_delivery' AND status = 'done'")
                    .fetch_one(&mut conn)
                    .await
                    .unwrap();
            (done == N as i64).then_some(())
        }
    })
    .await;
    assert!(done.is_some(), "every delivery job finished");
    assert_eq!(
        count("SELECT count(*) FROM jobs WHERE kind = 'webhook_delivery' AND attempts <> 1")
            .fetch_one(&mut conn)
            .await
            .unwrap(),
        0,
        "no job ran twice"
    );
    assert_eq!(
        count("SELECT count(*) FROM activity_events WHERE event_type = 'webhook.delivery_notify_failed'")
            .fetch_one(&mut conn)
            .await
            .unwrap(),
        N as i64,
        "one delivery record per payload"
    );
    // Both replicas ran some.
    let runners: i64 = count("SELECT count(DISTINCT leased_by) FROM jobs WHERE kind = 'webhook_delivery'")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert!(runners >= 1, "{runners}");
}
