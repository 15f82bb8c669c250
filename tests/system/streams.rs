//! Live streams: a write through one replica reaches a subscriber on another (PostgreSQL +
//! Redis pub/sub); streams resume from `Last-Event-ID` or `since`; `since=null` means "from
//! now"; shutdown ends them with a `retry:` hint.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use system_tests::{
    Backend, Launch, Service, SseReader, TestDb, on_both_backends, open_stream, redis_prefix, redis_url,
};

on_both_backends!(
    streams_resume_after_the_last_event_id_and_replay_since,
    shutdown_ends_open_streams_with_a_retry_hint,
);

/// Opens a stream; once this returns the stream is subscribed (see `open_stream`), so the
/// tests write right away.
async fn open(svc: &Service, path: &str, last_event_id: Option<&str>) -> SseReader {
    let mut req = svc.user(Method::GET, path);
    if let Some(id) = last_event_id {
        req = req.header("last-event-id", id);
    }
    open_stream(req).await
}

/// PostgreSQL and Redis only, by nature: replicas share a store and the Redis event bus.
#[tokio::test(flavor = "multi_thread")]
async fn a_write_on_one_replica_reaches_subscribers_on_another() {
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
    let board = a.create_board("Fanout").await;
    let bid = board["id"].as_str().unwrap().to_owned();
    let mut tasks = open(&b, &format!("/api/v1/boards/{bid}/tasks/stream?since=null"), None).await;
    let mut comments = open(&b, "/api/v1/activity/task-comments/stream", None).await;

    let written = Instant::now();
    let (_, task) = a
        .call(
            Method::POST,
            &format!("/api/v1/boards/{bid}/tasks"),
            Some(json!({"title": "relay me"})),
        )
        .await;
    let ev = tasks
        .until(Duration::from_secs(5), |e| e.event == "task")
        .await
        .expect("task event on the other replica");
    let latency = written.elapsed();
    let data = ev.json();
    assert_eq!(data["type"], "task.created");
    assert_eq!(data["task"]["id"], task["id"]);
    assert_eq!(data["activity"]["id"].as_str(), Some(ev.id.as_str()));
    eprintln!("cross-replica delivery: {latency:?}");

    let tid = task["id"].as_str().unwrap();
    a.call(
        Method::PATCH,
        &format!("/api/v1/boards/{bid}/tasks/{tid}"),
        Some(json!({"status": "in_progress"})),
    )
    .await;
    let ev = tasks
        .until(Duration::from_secs(5), |e| e.json()["type"] == "task.status_changed")
        .await
        .expect("status change");
    assert_eq!(ev.json()["task"]["status"], "in_progress");

    let (status, comment) = a
        .call(
            Method::POST,
            &format!("/api/v1/boards/{bid}/tasks/{tid}/comments"),
            Some(json!({"message": "on my way"})),
        )
        .await;
    assert_eq!(status, 200, "{comment}");
    let ev = tasks
        .until(Duration::from_secs(5), |e| e.json()["type"] == "task.comment")
        .await
        .expect("comment on task stream");
    assert_eq!(ev.json()["comment"]["message"], "on my way");
    let ev = comments
        .until(Duration::from_secs(5), |e| e.event == "comment")
        .await
        .expect("comment feed event");
    assert_eq!(ev.json()["comment"]["task_title"], "relay me");
    assert_eq!(ev.json()["comment"]["board_name"], "Fanout");
}

async fn streams_resume_after_the_last_event_id_and_replay_since(backend: Backend) {
    let svc = backend.start().await;
    let board = svc.create_board("Resume").await;
    let bid = board["id"].as_str().unwrap().to_owned();
    let before = "2000-01-01T00:00:00Z";
    let (_, first) = svc
        .call(
            Method::POST,
            &format!("/api/v1/boards/{bid}/tasks"),
            Some(json!({"title": "one"})),
        )
        .await;

    // `since` in the past replays the backlog.
    let mut s = open(&svc, &format!("/api/v1/boards/{bid}/tasks/stream?since={before}"), None).await;
    let ev = s.next_event(Duration::from_secs(5)).await.expect("backlog event");
    assert_eq!(ev.json()["task"]["id"], first["id"]);
    let first_event = ev.id.clone();
    drop(s);

    // `since=null` starts from now: the first event is the next write, not the backlog.
    let mut live = open(&svc, &format!("/api/v1/boards/{bid}/tasks/stream?since=null"), None).await;
    let (_, second) = svc
        .call(
            Method::POST,
            &format!("/api/v1/boards/{bid}/tasks"),
            Some(json!({"title": "two"})),
        )
        .await;
    let ev = live.next_event(Duration::from_secs(5)).await.expect("live event");
    assert_eq!(ev.json()["task"]["id"], second["id"]);
    drop(live);
    let (_, third) = svc
        .call(
            Method::POST,
            &format!("/api/v1/boards/{bid}/tasks"),
            Some(json!({"title": "three"})),
        )
        .await;

    // Reconnecting with Last-Event-ID gets exactly what came after it, in order.
    let mut resumed = open(&svc, &format!("/api/v1/boards/{bid}/tasks/stream"), Some(&first_event)).await;
    let a = resumed.next_event(Duration::from_secs(5)).await.expect("resumed 1");
    let b = resumed.next_event(Duration::from_secs(5)).await.expect("resumed 2");
    assert_eq!(a.json()["task"]["id"], second["id"]);
    assert_eq!(b.json()["task"]["id"], third["id"]);
    assert!(
        resumed.next_event(Duration::from_millis(300)).await.is_none(),
        "nothing else, no repeats"
    );

    let res = svc
        .user(
            Method::GET,
            &format!("/api/v1/boards/{bid}/tasks/stream?since=yesterday"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let res = svc
        .user(
            Method::GET,
            &format!("/api/v1/boards/{}/tasks/stream", uuid::Uuid::new_v4()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

async fn shutdown_ends_open_streams_with_a_retry_hint(backend: Backend) {
    let mut svc = backend.start().await;
    let board = svc.create_board("Closing").await;
    let bid = board["id"].as_str().unwrap().to_owned();
    let mut s = open(&svc, &format!("/api/v1/boards/{bid}/tasks/stream"), None).await;
    svc.terminate().await;
    let ev = s
        .until(Duration::from_secs(10), |e| e.retry.is_some())
        .await
        .expect("a retry hint before the stream ends");
    assert_eq!(ev.retry.as_deref(), Some("2000"));
    assert!(s.next_event(Duration::from_secs(5)).await.is_none(), "the stream ends");
    assert_eq!(svc.service.wait_exit(Duration::from_secs(20)).await.unwrap(), Some(0));
}
