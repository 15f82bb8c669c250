//! SIGTERM: readiness fails at once, the request in flight completes, the process exits 0.

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
    // Wait until the request is blocked on the lock inside the service (or, where the
    // server's activity view lags, has been in flight for a while without finishing).
    let mut waiting = false;
    for round in 0..1200 {
        if round >= 60 && !slow.is_finished() {
            waiting = true;
            break;
        }
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        if n > 0 {
            waiting = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if !waiting {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT concat_ws(' | ', datname, state, wait_event_type, left(query, 120)) FROM pg_stat_activity \
             WHERE backend_type = 'client backend'",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        panic!(
            "the request never reached the database lock; finished: {}; sessions: {rows:#?}; service output: {:#?}",
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

    tokio::time::sleep(Duration::from_millis(2500)).await;
    sqlx::raw_sql("COMMIT").execute(&mut conn).await.unwrap();
    let res = slow.await.unwrap().unwrap();
    assert_eq!(res.status(), 200, "the in-flight request must complete");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["title"], "finished during shutdown");
    assert_eq!(svc.wait_exit(Duration::from_secs(20)).await.unwrap(), Some(0));
}
