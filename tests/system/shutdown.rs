//! SIGTERM: readiness fails at once, the request in flight completes, the process exits 0.
//! PostgreSQL only: the request is held in flight by a row lock taken from outside.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use system_tests::{Launch, TestDb};

#[tokio::test]
async fn sigterm_lets_a_slow_request_finish_then_exits_cleanly() {
    let db = TestDb::create().await.unwrap();
    let mut svc = Launch::new()
        .postgres(&db)
        .env("SHUTDOWN_READINESS_DELAY_SECONDS", "2")
        .start()
        .await
        .unwrap();
    let board = svc.create_board("Slow").await;
    let board_id = board["id"].as_str().unwrap().to_owned();
    let tasks = format!("/api/v1/boards/{board_id}/tasks");
    let (_, task) = svc.call(Method::POST, &tasks, Some(json!({"title": "hold"}))).await;

    // Make the next task write slow: hold the board's row lock from outside.
    let mut conn = db.connect().await.unwrap();
    sqlx::raw_sql("BEGIN").execute(&mut conn).await.unwrap();
    sqlx::query("SELECT id FROM boards WHERE id = $1::uuid FOR UPDATE")
        .bind(&board_id)
        .execute(&mut conn)
        .await
        .unwrap();
    let slow = svc
        .user(Method::PATCH, &format!("{tasks}/{}", task["id"].as_str().unwrap()))
        .json(&json!({"title": "finished during shutdown"}))
        .send();
    let slow = tokio::spawn(slow);
    // Know that the request is in flight: poll (from another session, since a transaction
    // sees one snapshot of the activity view) until a backend waits on our lock.
    let holder: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let mut observer = db.connect().await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut blocked = None;
    while blocked.is_none() && std::time::Instant::now() < deadline {
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND $1 = ANY(pg_blocking_pids(pid))",
        )
        .bind(holder)
        .fetch_one(&mut observer)
        .await
        .unwrap();
        if n > 0 {
            blocked = Some(());
        } else {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    if blocked.is_none() {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT concat_ws(' | ', datname, state, wait_event_type, left(query, 120)) FROM pg_stat_activity \
             WHERE backend_type = 'client backend'",
        )
        .fetch_all(&mut observer)
        .await
        .unwrap();
        panic!(
            "within 30 s the request never waited on the row lock; finished: {}; sessions: {rows:#?}; service output: {:#?}",
            slow.is_finished(),
            svc.output()
        );
    }

    svc.terminate().await;
    // Readiness fails first, while the listener still answers (the signal is handled
    // asynchronously, so poll briefly).
    let draining = system_tests::eventually(Duration::from_millis(1500), || async {
        let res = svc.http.get(svc.url("/readyz")).send().await.ok()?;
        (res.status() == 503).then_some(())
    })
    .await;
    assert!(draining.is_some(), "readiness did not turn 503 after SIGTERM");

    // Past the readiness delay the listener closes while the request is still held.
    let closed = system_tests::eventually(Duration::from_secs(10), || async {
        svc.http.get(svc.url("/healthz")).send().await.is_err().then_some(())
    })
    .await;
    assert!(closed.is_some(), "the listener did not close after the readiness delay");
    assert!(!slow.is_finished(), "the request finished before its lock was released");
    sqlx::raw_sql("COMMIT").execute(&mut conn).await.unwrap();
    let res = slow.await.unwrap().unwrap();
    assert_eq!(res.status(), 200, "the in-flight request must complete");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["title"], "finished during shutdown");
    assert_eq!(svc.wait_exit(Duration::from_secs(20)).await.unwrap(), Some(0));
}
