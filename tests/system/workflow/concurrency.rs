//! Concurrent writes that must not break an invariant. PostgreSQL only, by nature: these
//! exercise its row locks and isolation under parallel transactions; SQLite runs one writer
//! at a time, so the races they provoke cannot happen there.

use reqwest::Method;
use serde_json::json;
use system_tests::{Launch, TestDb};

use super::gates::patch;

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_dependency_changes_never_form_a_cycle_on_postgres() {
    let db = TestDb::create().await.unwrap();
    let svc = Launch::new().postgres(&db).start().await.unwrap();
    let board = svc
        .board_with("Race", json!({"require_approval_for_done": false}))
        .await;
    for round in 0..12 {
        let a = svc.create_task(&board, json!({"title": format!("a{round}")})).await;
        let b = svc.create_task(&board, json!({"title": format!("b{round}")})).await;
        let (ra, rb) = tokio::join!(
            patch(&svc, &board, &a, json!({"depends_on_task_ids": [b["id"]]})),
            patch(&svc, &board, &b, json!({"depends_on_task_ids": [a["id"]]})),
        );
        let mut statuses = [ra.0, rb.0];
        statuses.sort_unstable();
        assert_eq!(
            statuses,
            [200, 409],
            "round {round}: exactly one edge wins ({ra:?} / {rb:?})"
        );
        let mut conn = db.connect().await.unwrap();
        let edges: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM task_dependencies WHERE (task_id = $1::uuid AND depends_on_task_id = $2::uuid) \
             OR (task_id = $2::uuid AND depends_on_task_id = $1::uuid)",
        )
        .bind(a["id"].as_str().unwrap())
        .bind(b["id"].as_str().unwrap())
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert_eq!(edges, 1, "round {round}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_writes_to_one_task_lose_nothing_on_postgres() {
    let db = TestDb::create().await.unwrap();
    let svc = Launch::new().postgres(&db).start().await.unwrap();
    let board = svc
        .board_with("Busy", json!({"require_approval_for_done": false}))
        .await;
    let t = svc.create_task(&board, json!({"title": "hot"})).await;
    let tid = t["id"].as_str().unwrap().to_owned();
    let writes = (0..24).map(|i| {
        let svc = &svc;
        let board = &board;
        let tid = &tid;
        async move {
            if i % 2 == 0 {
                svc.call(
                    Method::POST,
                    &format!("/api/v1/boards/{board}/tasks/{tid}/comments"),
                    Some(json!({"message": format!("note {i}")})),
                )
                .await
                .0
            } else {
                let status = if i % 4 == 1 { "in_progress" } else { "review" };
                svc.call(
                    Method::PATCH,
                    &format!("/api/v1/boards/{board}/tasks/{tid}"),
                    Some(json!({"status": status, "priority": format!("p{i}")})),
                )
                .await
                .0
            }
        }
    });
    let results = futures::future::join_all(writes).await;
    assert!(results.iter().all(|s| *s == 200), "{results:?}");
    let (_, comments) = svc
        .call(
            Method::GET,
            &format!("/api/v1/boards/{board}/tasks/{tid}/comments"),
            None,
        )
        .await;
    assert_eq!(comments["total"], 12, "every comment is kept");
    let mut conn = db.connect().await.unwrap();
    let changes: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM activity_events WHERE task_id = $1::uuid AND event_type IN ('task.updated', 'task.status_changed')",
    )
    .bind(&tid)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(changes, 12, "every update is recorded");
    // The task reflects one of the writes entirely (status and in_progress_at agree).
    let (_, list) = svc
        .call(Method::GET, &format!("/api/v1/boards/{board}/tasks"), None)
        .await;
    let now = &list["items"][0];
    match now["status"].as_str().unwrap() {
        "in_progress" => assert!(now["in_progress_at"].is_string()),
        "review" => assert!(now["in_progress_at"].is_null()),
        other => panic!("unexpected status {other}"),
    }
}
