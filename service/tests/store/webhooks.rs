//! Webhook ingest in the store: the payload, its memory note and its delivery job are one
//! transaction (a failure after the job was written leaves no job), a sender's delivery key
//! makes a retry a replay within the window, and a delivery is recorded once per job.

use chrono::Duration;
use mission_control::domain::now;
use mission_control::store::{IngestOutcome, MemoryRow, NewJob, Store, WebhookPayloadRow, WebhookRecord};
use serde_json::json;
use uuid::Uuid;

use crate::{TestDb, fixtures, on_both};

async fn webhook(store: &Store) -> WebhookRecord {
    let (_, org, _) = fixtures::user(store).await;
    let board = fixtures::board(store, org).await;
    let t = now();
    let hook = WebhookRecord {
        id: Uuid::new_v4(),
        board_id: board.id,
        agent_id: None,
        description: "Triage".to_owned(),
        enabled: true,
        secret: Some("s".to_owned()),
        signature_header: None,
        created_at: t,
        updated_at: t,
    };
    store.insert_webhook(&hook).await.expect("insert webhook");
    hook
}

fn delivery(hook: &WebhookRecord) -> (WebhookPayloadRow, MemoryRow, NewJob) {
    let t = now();
    let payload = WebhookPayloadRow {
        id: Uuid::new_v4(),
        board_id: hook.board_id,
        webhook_id: hook.id,
        payload: Some(json!({"a": 1})),
        headers: None,
        source_ip: Some("127.0.0.1".to_owned()),
        content_type: Some("application/json".to_owned()),
        received_at: t,
    };
    let memory = MemoryRow {
        id: Uuid::new_v4(),
        board_id: hook.board_id,
        content: "note".to_owned(),
        tags: Some(vec!["webhook".to_owned()]),
        is_chat: false,
        source: Some("webhook".to_owned()),
        created_at: t,
    };
    let job = NewJob {
        id: Uuid::new_v4(),
        kind: "webhook_delivery".to_owned(),
        payload: json!({"payload_id": payload.id}),
        run_at: t,
        traceparent: None,
        dedupe_key: None,
    };
    (payload, memory, job)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failure_after_the_job_was_written_leaves_no_payload_and_no_job() {
    on_both(|db: TestDb| async move {
        let hook = webhook(&db.store).await;
        let since = now() - Duration::hours(24);
        let (p1, m1, j1) = delivery(&hook);
        assert_eq!(
            db.store
                .ingest_webhook_payload(&p1, None, &m1, &j1, since)
                .await
                .expect("ingest"),
            IngestOutcome::Stored
        );
        assert_eq!(
            db.store.get_job(j1.id).await.expect("read").expect("job").kind,
            "webhook_delivery"
        );

        // The memory note is written after the job; a note id already taken fails it.
        let (p2, mut m2, j2) = delivery(&hook);
        m2.id = m1.id;
        assert!(
            db.store
                .ingest_webhook_payload(&p2, None, &m2, &j2, since)
                .await
                .is_err()
        );
        assert!(
            db.store.get_job(j2.id).await.expect("read").is_none(),
            "the job rolled back"
        );
        assert!(
            db.store
                .get_webhook_payload(hook.board_id, hook.id, p2.id)
                .await
                .expect("read")
                .is_none(),
            "the payload rolled back"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_delivery_key_is_a_replay_within_the_window_and_new_after_it() {
    on_both(|db: TestDb| async move {
        let hook = webhook(&db.store).await;
        let since = now() - Duration::hours(24);
        let (p1, m1, j1) = delivery(&hook);
        let stored = db.store.ingest_webhook_payload(&p1, Some("k"), &m1, &j1, since).await;
        assert_eq!(stored.expect("first"), IngestOutcome::Stored);
        let (p2, m2, j2) = delivery(&hook);
        let again = db.store.ingest_webhook_payload(&p2, Some("k"), &m2, &j2, since).await;
        assert_eq!(again.expect("replay"), IngestOutcome::Replayed(p1.id));
        assert!(
            db.store.get_job(j2.id).await.expect("read").is_none(),
            "a replay enqueues nothing"
        );
        // A window that starts after the first delivery: the key is new again.
        let (p3, m3, j3) = delivery(&hook);
        let later = p1.received_at + Duration::seconds(1);
        let fresh = db.store.ingest_webhook_payload(&p3, Some("k"), &m3, &j3, later).await;
        assert_eq!(fresh.expect("after the window"), IngestOutcome::Stored);
        assert!(db.store.get_job(j3.id).await.expect("read").is_some());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_delivery_is_recorded_once_per_job() {
    on_both(|db: TestDb| async move {
        let hook = webhook(&db.store).await;
        let lead = {
            let board = db.store.get_board(hook.board_id).await.expect("read").expect("board");
            fixtures::agent(&db.store, &board, "Lead", "online", true).await
        };
        let job = Uuid::new_v4();
        let record = || {
            db.store.record_webhook_delivery(
                job,
                "webhook.delivery_notify_failed",
                "m",
                lead.id,
                hook.board_id,
                now(),
            )
        };
        assert!(record().await.expect("first"));
        assert!(!record().await.expect("again"), "a rerun records nothing");
    })
    .await;
}
