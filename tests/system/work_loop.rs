//! One full agent work loop on PostgreSQL with two replicas, every step checked through the
//! API and the live streams: a lead creates a worker and a task and assigns it; the worker
//! claims it, comments with an @mention, asks for an approval; the user approves; the worker
//! moves it to review; the lead sends it back with a comment; the worker finishes; the lead
//! marks it done. Writes go to one replica, the streams are read from the other.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::{Launch, Service, SseEvent, SseReader, TestDb, id, open_stream, redis_prefix, redis_url};

const WAIT: Duration = Duration::from_secs(10);

/// The next task-stream event of `kind` about `task`.
async fn task_event(stream: &mut SseReader, kind: &str, task: &str) -> Value {
    let ev: SseEvent = stream
        .until(WAIT, |e| {
            let d = e.json();
            e.event == "task" && d["type"] == kind && (d["task"]["id"] == task || d["comment"]["task_id"] == task)
        })
        .await
        .unwrap_or_else(|| panic!("no {kind} event for {task} on the task stream"));
    ev.json()
}

async fn patch(svc: &Service, token: &str, board: &str, task: &str, body: Value) -> Value {
    svc.ok_as_agent(
        token,
        Method::PATCH,
        &format!("/api/v1/agent/boards/{board}/tasks/{task}"),
        Some(body),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn one_task_goes_round_the_whole_agent_work_loop_over_two_replicas() {
    let db = TestDb::create().await.unwrap();
    let prefix = redis_prefix();
    let a = Launch::new()
        .postgres(&db)
        .redis(&redis_url(), &prefix)
        .start()
        .await
        .unwrap();
    let b = Launch::new()
        .postgres(&db)
        .redis(&redis_url(), &prefix)
        .start()
        .await
        .unwrap();

    // The user sets up a board with a lead (no gateway: designated with is_board_lead).
    let board = id(&a
        .ok(
            Method::POST,
            "/api/v1/boards",
            Some(
                json!({"name": "Loop", "slug": "loop", "description": "the loop", "max_agents": 3,
                        "require_review_before_done": true, "comment_required_for_review": true}),
            ),
        )
        .await);
    let lead = a
        .ok(
            Method::POST,
            "/api/v1/agents",
            Some(json!({"name": "Lead", "board_id": board, "is_board_lead": true})),
        )
        .await;
    let lead_token = a
        .ok(Method::POST, &format!("/api/v1/agents/{}/token", id(&lead)), None)
        .await["token"]
        .as_str()
        .unwrap()
        .to_owned();

    // Streams on the other replica: the user's task and approvals streams, and the lead's
    // own view of the task stream.
    let mut tasks = open_stream(b.user(Method::GET, &format!("/api/v1/boards/{board}/tasks/stream?since=null"))).await;
    let mut approvals = open_stream(b.user(
        Method::GET,
        &format!("/api/v1/boards/{board}/approvals/stream?since=null"),
    ))
    .await;
    let mut lead_view = open_stream(b.agent(
        Method::GET,
        &format!("/api/v1/boards/{board}/tasks/stream?since=null"),
        &lead_token,
    ))
    .await;

    // 1. The lead creates a worker; the user issues its token (a gateway would provision it).
    let worker = a
        .ok_as_agent(
            &lead_token,
            Method::POST,
            "/api/v1/agent/agents",
            Some(json!({"name": "Builder Bee"})),
        )
        .await;
    assert_eq!(worker["board_id"], json!(board), "{worker}");
    let worker_id = id(&worker);
    let worker_token = a
        .ok(Method::POST, &format!("/api/v1/agents/{worker_id}/token"), None)
        .await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let listed = b
        .ok_as_agent(&worker_token, Method::GET, "/api/v1/agent/agents", None)
        .await;
    assert_eq!(listed["total"], 2, "the worker sees the lead and itself: {listed}");

    // 2. The lead creates a task, then assigns it and starts it.
    let task = a
        .ok_as_agent(
            &lead_token,
            Method::POST,
            &format!("/api/v1/agent/boards/{board}/tasks"),
            Some(json!({"title": "Write the release notes", "priority": "high"})),
        )
        .await;
    let task_id = id(&task);
    let created = task_event(&mut tasks, "task.created", &task_id).await;
    assert_eq!(created["task"]["status"], "inbox", "{created}");
    let assigned = patch(
        &a,
        &lead_token,
        &board,
        &task_id,
        json!({"status": "in_progress", "assigned_agent_id": worker_id}),
    )
    .await;
    assert_eq!(assigned["assigned_agent_id"], json!(worker_id), "{assigned}");
    let ev = task_event(&mut tasks, "task.status_changed", &task_id).await;
    assert_eq!(ev["task"]["status"], "in_progress", "{ev}");

    // 3. The worker sees it as its own and claims it (already its own: it stays in progress).
    let mine = b
        .ok_as_agent(
            &worker_token,
            Method::GET,
            &format!("/api/v1/agent/boards/{board}/tasks?assigned_agent_id={worker_id}"),
            None,
        )
        .await;
    assert_eq!(mine["total"], 1, "{mine}");
    let claimed = patch(&b, &worker_token, &board, &task_id, json!({"status": "in_progress"})).await;
    assert_eq!(claimed["assigned_agent_id"], json!(worker_id), "{claimed}");

    // 4. The worker comments, mentioning the lead; the lead sees the comment on its stream.
    let comment = a
        .ok_as_agent(
            &worker_token,
            Method::POST,
            &format!("/api/v1/agent/boards/{board}/tasks/{task_id}/comments"),
            Some(json!({"message": "@lead first draft is up, one question on scope"})),
        )
        .await;
    assert_eq!(comment["agent_id"], json!(worker_id), "{comment}");
    let seen = task_event(&mut lead_view, "task.comment", &task_id).await;
    assert_eq!(seen["comment"]["message"], comment["message"], "{seen}");
    // Mentioned, the lead may answer although the task is not in review.
    a.ok_as_agent(
        &lead_token,
        Method::POST,
        &format!("/api/v1/agent/boards/{board}/tasks/{task_id}/comments"),
        Some(json!({"message": "Scope is the public API only"})),
    )
    .await;

    // 5. The worker asks for an approval; the user sees it and approves it.
    let approval = a
        .ok_as_agent(
            &worker_token,
            Method::POST,
            &format!("/api/v1/agent/boards/{board}/approvals"),
            Some(
                json!({"action_type": "publish_notes", "confidence": 80, "task_id": task_id,
                        "lead_reasoning": "the notes name every change"}),
            ),
        )
        .await;
    assert_eq!(approval["status"], "pending", "{approval}");
    let ev = approvals
        .until(WAIT, |e| {
            e.event == "approval" && e.json()["approval"]["id"] == approval["id"]
        })
        .await
        .expect("the approval reaches the user's stream");
    assert_eq!(ev.json()["pending_approvals_count"], 1, "{}", ev.data);
    let decided = b
        .ok(
            Method::PATCH,
            &format!("/api/v1/boards/{board}/approvals/{}", id(&approval)),
            Some(json!({"status": "approved"})),
        )
        .await;
    assert_eq!(decided["status"], "approved", "{decided}");
    let ev = approvals
        .until(WAIT, |e| {
            e.event == "approval" && e.json()["approval"]["status"] == "approved"
        })
        .await
        .expect("the decision reaches the stream");
    assert_eq!(ev.json()["pending_approvals_count"], 0, "{}", ev.data);
    let read_back = a
        .ok_as_agent(
            &worker_token,
            Method::GET,
            &format!("/api/v1/agent/boards/{board}/approvals"),
            None,
        )
        .await;
    assert_eq!(read_back["items"][0]["status"], "approved", "{read_back}");

    // 6. The worker moves it to review: the lead gets it.
    let review = patch(
        &b,
        &worker_token,
        &board,
        &task_id,
        json!({"status": "review", "comment": "Ready: notes cover all public API changes"}),
    )
    .await;
    assert_eq!(review["status"], "review", "{review}");
    assert_eq!(review["assigned_agent_id"], json!(id(&lead)), "{review}");
    let ev = task_event(&mut lead_view, "task.status_changed", &task_id).await;
    assert_eq!(ev["task"]["status"], "review", "{ev}");

    // 7. The lead sends it back with a comment: it returns to the worker, in the inbox.
    a.ok_as_agent(
        &lead_token,
        Method::POST,
        &format!("/api/v1/agent/boards/{board}/tasks/{task_id}/comments"),
        Some(json!({"message": "Add the migration notes, please"})),
    )
    .await;
    let back = patch(&a, &lead_token, &board, &task_id, json!({"status": "inbox"})).await;
    assert_eq!(back["status"], "inbox", "{back}");
    assert_eq!(back["assigned_agent_id"], json!(worker_id), "{back}");
    let ev = tasks
        .until(WAIT, |e| {
            let d = e.json();
            d["type"] == "task.status_changed" && d["task"]["id"] == task_id.as_str() && d["task"]["status"] == "inbox"
        })
        .await
        .expect("the return reaches the user's stream")
        .json();
    assert_eq!(ev["task"]["assigned_agent_id"], json!(worker_id), "{ev}");
    let feed = b.ok(Method::GET, "/api/v1/activity?limit=200", None).await;
    let told = feed["items"].as_array().unwrap().iter().any(|r| {
        r["event_type"] == "task.assignee_notify_failed"
            && r["message"].as_str().unwrap_or_default().contains("changes requested")
    });
    assert!(told, "the worker's changes-requested notification is recorded: {feed}");

    // 8. The worker finishes: back in progress, then to review with a comment.
    patch(&b, &worker_token, &board, &task_id, json!({"status": "in_progress"})).await;
    let again = patch(
        &b,
        &worker_token,
        &board,
        &task_id,
        json!({"status": "review", "comment": "Migration notes added"}),
    )
    .await;
    assert_eq!(again["assigned_agent_id"], json!(id(&lead)), "{again}");

    // 9. The lead marks it done (approved, reviewed); the user's stream shows it done.
    let done = patch(&a, &lead_token, &board, &task_id, json!({"status": "done"})).await;
    assert_eq!(done["status"], "done", "{done}");
    let ev = tasks
        .until(WAIT, |e| {
            let d = e.json();
            d["type"] == "task.status_changed" && d["task"]["id"] == task_id.as_str() && d["task"]["status"] == "done"
        })
        .await
        .expect("done reaches the user's stream");
    assert_eq!(ev.json()["task"]["status"], "done");

    // The comment thread holds the whole conversation, oldest first.
    let thread = b
        .ok(
            Method::GET,
            &format!("/api/v1/boards/{board}/tasks/{task_id}/comments"),
            None,
        )
        .await;
    let messages: Vec<&str> = thread["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "@lead first draft is up, one question on scope",
            "Scope is the public API only",
            "Ready: notes cover all public API changes",
            "Add the migration notes, please",
            "Migration notes added",
        ]
    );
}
