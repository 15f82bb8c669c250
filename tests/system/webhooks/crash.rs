//! A replica that dies (SIGKILL) while holding delivery jobs loses them to another replica
//! once their leases pass: every payload that committed has its job, every job finishes, and
//! each delivery is recorded once. PostgreSQL only: replicas share a database only there.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::StreamExt;
use serde_json::json;
use system_tests::{Launch, TestDb, eventually, id, redis_prefix, redis_url};
use tokio::process::Command;
use tokio::sync::Mutex;

use super::create_webhook;

async fn signal(pid: u32, sig: &str) {
    let status = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .await
        .expect("kill");
    assert!(status.success(), "kill {sig} failed");
}

async fn count(db: &TestDb, sql: &str) -> i64 {
    let mut conn = db.connect().await.unwrap();
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut conn)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn jobs_held_by_a_killed_replica_run_on_another() {
    let db = TestDb::create().await.unwrap();
    let prefix = redis_prefix();
    let launch = || {
        Launch::new()
            .postgres(&db)
            .redis(&redis_url(), &prefix)
            .env("RATE_LIMIT_WEBHOOK_REQUESTS", "100000")
            .env("JOBS_LEASE_SECONDS", "2")
    };
    let a = launch().start().await.unwrap();
    let board = id(&a.create_board("Crash").await);
    let (lead, _) = a.create_agent(&board, "Lead").await;
    let hook = id(&create_webhook(&a, &board, json!({"description": "Crash", "agent_id": lead["id"]})).await);

    // A steady stream of deliveries to replica A.
    let url = a.url(&format!("/api/v1/boards/{board}/webhooks/{hook}"));
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .build()
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let accepted = Arc::new(Mutex::new(Vec::<String>::new()));
    let poster = {
        let (stop, accepted) = (stop.clone(), accepted.clone());
        tokio::spawn(async move {
            futures::stream::iter(0..5000)
                .take_while(|_| {
                    let go = !stop.load(Ordering::SeqCst);
                    async move { go }
                })
                .for_each_concurrent(8, |i| {
                    let (http, url, accepted) = (http.clone(), url.clone(), accepted.clone());
                    async move {
                        let res = http.post(&url).json(&json!({"n": i})).send().await;
                        if let Ok(res) = res
                            && res.status() == 202
                            && let Ok(body) = res.json::<serde_json::Value>().await
                        {
                            accepted
                                .lock()
                                .await
                                .push(body["payload_id"].as_str().unwrap().to_owned());
                        }
                    }
                })
                .await;
        })
    };
    let started = eventually(Duration::from_secs(30), || {
        let accepted = accepted.clone();
        async move { (accepted.lock().await.len() >= 40).then_some(()) }
    })
    .await;
    assert!(started.is_some(), "deliveries are accepted");

    // Freeze A at a moment it holds running jobs, then kill it there.
    let pid = a.pid();
    let mut held = 0;
    for _ in 0..200 {
        signal(pid, "-STOP").await;
        held = count(
            &db,
            "SELECT count(*) FROM jobs WHERE kind = 'webhook_delivery' AND status = 'running'",
        )
        .await;
        if held > 0 {
            break;
        }
        signal(pid, "-CONT").await;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(held > 0, "replica A was caught holding running jobs");
    let held_ids: Vec<String> = {
        let mut conn = db.connect().await.unwrap();
        sqlx::query_scalar(
            "SELECT CAST(id AS varchar) FROM jobs WHERE kind = 'webhook_delivery' AND status = 'running'",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap()
    };
    signal(pid, "-KILL").await;
    stop.store(true, Ordering::SeqCst);
    poster.await.unwrap();
    drop(a);

    // Replica B starts and takes over once the dead replica's leases pass.
    let b = launch().start().await.unwrap();
    let payloads = count(&db, "SELECT count(*) FROM board_webhook_payloads").await;
    let finished = eventually(Duration::from_secs(60), || {
        let db = &db;
        async move {
            let done = count(
                db,
                "SELECT count(*) FROM jobs WHERE kind = 'webhook_delivery' AND status = 'done'",
            )
            .await;
            (done == payloads).then_some(())
        }
    })
    .await;
    assert!(
        finished.is_some(),
        "every committed payload's job finished on replica B"
    );

    // Every committed payload has exactly one job and one delivery record; the accepted ones
    // are among them; the jobs A held ran again, on B.
    let jobs = count(&db, "SELECT count(*) FROM jobs WHERE kind = 'webhook_delivery'").await;
    assert_eq!(jobs, payloads, "one job per committed payload");
    let records = count(
        &db,
        "SELECT count(*) FROM activity_events WHERE event_type = 'webhook.delivery_notify_failed'",
    )
    .await;
    assert_eq!(records, payloads, "each delivery recorded once");
    let accepted = accepted.lock().await.clone();
    assert!(accepted.len() as i64 <= payloads);
    for job in &held_ids {
        let retried = count(
            &db,
            &format!(
                "SELECT count(*) FROM jobs WHERE CAST(id AS varchar) = '{job}' AND status = 'done' AND attempts >= 2"
            ),
        )
        .await;
        assert_eq!(
            retried, 1,
            "job {job} held by the killed replica ran again and finished"
        );
    }
    let (status, _) = b.call(reqwest::Method::GET, "/healthz", None).await;
    assert_eq!(status, 200);
}
