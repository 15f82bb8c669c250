//! Task workflow rules through the API: board gates on status changes, dependency blocking
//! and the reopen cascade, activity rows for every change, and concurrent writes that must
//! not break an invariant (PostgreSQL).

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::{Launch, Service, TestDb};

async fn board_with(svc: &Service, name: &str, rules: Value) -> String {
    let b = svc.create_board(name).await;
    let id = b["id"].as_str().unwrap().to_owned();
    let (status, body) = svc
        .call(Method::PATCH, &format!("/api/v1/boards/{id}"), Some(rules))
        .await;
    assert_eq!(status, 200, "{body}");
    id
}

async fn task(svc: &Service, board: &str, body: Value) -> Value {
    let (status, t) = svc
        .call(Method::POST, &format!("/api/v1/boards/{board}/tasks"), Some(body))
        .await;
    assert_eq!(status, 200, "{t}");
    t
}

async fn patch(svc: &Service, board: &str, task: &Value, body: Value) -> (u16, Value) {
    svc.call(
        Method::PATCH,
        &format!("/api/v1/boards/{board}/tasks/{}", task["id"].as_str().unwrap()),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn board_rules_gate_status_changes() {
    let svc = Launch::new().start().await.unwrap();

    let strict = board_with(
        &svc,
        "Strict",
        json!({"require_approval_for_done": false, "require_review_before_done": true}),
    )
    .await;
    let t = task(&svc, &strict, json!({"title": "t", "status": "in_progress"})).await;
    let (status, body) = patch(&svc, &strict, &t, json!({"status": "done"})).await;
    assert_eq!(status, 409, "done must come from review: {body}");
    assert_eq!(patch(&svc, &strict, &t, json!({"status": "review"})).await.0, 200);
    assert_eq!(patch(&svc, &strict, &t, json!({"status": "done"})).await.0, 200);

    let chatty = board_with(
        &svc,
        "Chatty",
        json!({"require_approval_for_done": false, "comment_required_for_review": true}),
    )
    .await;
    let t = task(&svc, &chatty, json!({"title": "t", "status": "in_progress"})).await;
    let (status, body) = patch(&svc, &chatty, &t, json!({"status": "review"})).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["detail"][0]["msg"], "Comment is required.");
    let (status, body) = patch(
        &svc,
        &chatty,
        &t,
        json!({"status": "review", "comment": "ready for a look"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, comments) = svc
        .call(
            Method::GET,
            &format!("/api/v1/boards/{chatty}/tasks/{}/comments", t["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(
        comments["items"][0]["message"], "ready for a look",
        "the inline comment is stored"
    );

    let gated = board_with(&svc, "Gated", json!({})).await;
    let t = task(&svc, &gated, json!({"title": "t", "status": "review"})).await;
    let (status, body) = patch(&svc, &gated, &t, json!({"status": "done"})).await;
    assert_eq!(status, 409, "the default board needs an approved approval: {body}");
    assert_eq!(body["detail"]["code"], "approval_required");
}

#[tokio::test]
async fn reopening_a_done_dependency_sends_started_dependents_back_to_the_inbox() {
    let svc = Launch::new().start().await.unwrap();
    let board = board_with(&svc, "Cascade", json!({"require_approval_for_done": false})).await;
    let base = task(&svc, &board, json!({"title": "base"})).await;
    let started = task(
        &svc,
        &board,
        json!({"title": "started", "depends_on_task_ids": [base["id"]]}),
    )
    .await;
    let pristine = task(
        &svc,
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

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_dependency_changes_never_form_a_cycle_on_postgres() {
    let db = TestDb::create().await.unwrap();
    let svc = Launch::new().postgres(&db).start().await.unwrap();
    let board = board_with(&svc, "Race", json!({"require_approval_for_done": false})).await;
    for round in 0..12 {
        let a = task(&svc, &board, json!({"title": format!("a{round}")})).await;
        let b = task(&svc, &board, json!({"title": format!("b{round}")})).await;
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
    let board = board_with(&svc, "Busy", json!({"require_approval_for_done": false})).await;
    let t = task(&svc, &board, json!({"title": "hot"})).await;
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
