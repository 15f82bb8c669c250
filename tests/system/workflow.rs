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

#[tokio::test(flavor = "multi_thread")]
async fn approvals_gate_done_and_pending_ones_freeze_the_status_on_postgres() {
    let db = TestDb::create().await.unwrap();
    let svc = Launch::new().postgres(&db).start().await.unwrap();
    let board = board_with(
        &svc,
        "Approvals",
        json!({"block_status_changes_with_pending_approval": true}),
    )
    .await;
    let t = task(&svc, &board, json!({"title": "needs sign-off", "status": "review"})).await;
    let tid = t["id"].as_str().unwrap();
    // Approvals have no API in this slice: record them as an agent would, in the database.
    let mut conn = db.connect().await.unwrap();
    let approval = uuid::Uuid::new_v4();
    sqlx::query(
        "INSERT INTO approvals (id, board_id, task_id, action_type, payload, confidence, status, created_at) \
         VALUES ($1, $2::uuid, $3::uuid, 'mark_done', '{\"reason\": \"ship it\"}', 90, 'pending', now())",
    )
    .bind(approval)
    .bind(&board)
    .bind(tid)
    .execute(&mut conn)
    .await
    .unwrap();

    let (status, body) = patch(&svc, &board, &t, json!({"status": "inbox"})).await;
    assert_eq!(status, 409, "a pending approval freezes the status: {body}");
    assert_eq!(body["detail"]["code"], "pending_approval");
    let (status, _) = patch(&svc, &board, &t, json!({"title": "renamed while pending"})).await;
    assert_eq!(status, 200, "other fields may still change");
    let (status, body) = patch(&svc, &board, &t, json!({"status": "done"})).await;
    assert_eq!(status, 409, "{body}");

    sqlx::query("UPDATE approvals SET status = 'approved', resolved_at = now() WHERE id = $1")
        .bind(approval)
        .execute(&mut conn)
        .await
        .unwrap();
    let (status, body) = patch(&svc, &board, &t, json!({"status": "done"})).await;
    assert_eq!(status, 200, "an approved approval opens the way to done: {body}");
    let (_, snap) = svc
        .call(Method::GET, &format!("/api/v1/boards/{board}/snapshot"), None)
        .await;
    assert_eq!(snap["tasks"][0]["approvals_count"], 1);
    assert_eq!(snap["tasks"][0]["approvals_pending_count"], 0);
    assert_eq!(snap["pending_approvals_count"], 0);
}

/// Where the reference notifies agents through a gateway, the write succeeds without one and
/// the notification is recorded as an activity row naming the agent it was for (PostgreSQL).
#[tokio::test]
async fn gateway_notifications_are_recorded_and_never_fail_a_write() {
    let db = TestDb::create().await.unwrap();
    let svc = Launch::new().postgres(&db).start().await.unwrap();
    let bid = board_with(&svc, "Notified", json!({"require_approval_for_done": false})).await;
    let (lead, _) = svc.create_agent(&bid, "Lead").await;
    let (worker, _) = svc.create_agent(&bid, "Worker").await;
    let mut conn = db.connect().await.unwrap();
    sqlx::query("UPDATE agents SET is_board_lead = true WHERE id = $1::uuid")
        .bind(lead["id"].as_str().unwrap())
        .execute(&mut conn)
        .await
        .unwrap();

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
    let t = task(&svc, &bid, json!({"title": "Wire it", "assigned_agent_id": worker_id})).await;
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
    let resolved: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT agent_id::text, message FROM activity_events WHERE event_type = 'approval.lead_notify_failed' AND task_id = $1::uuid",
    )
    .bind(&tid)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        resolved,
        [(
            lead_id.clone(),
            Some("Lead notification (approval rejected) not sent, no gateway is connected.".to_owned())
        )]
    );
}
