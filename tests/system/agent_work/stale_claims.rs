//! Stale claims come back (ours): on a board with `stale_claim_timeout_seconds`, in-progress
//! tasks of an assignee that has made no request for that long return to the inbox,
//! unassigned, with an activity row saying why; the sweep runs on the job runner, and with
//! two replicas each task is released once.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::{Backend, Database, Deployment, Launch, id, on_both_backends, redis_prefix, redis_url};

use super::agent_patch;

/// Long ago, in a form both backends compare correctly with stored timestamps.
const LONG_AGO: &str = "2020-01-01 00:00:00";

fn fast_sweeps(launch: Launch) -> Launch {
    launch.env("STALE_CLAIMS_SWEEP_SECONDS", "1")
}

async fn task_of(svc: &Deployment, board: &str, task: &str) -> Value {
    let page = svc
        .ok(Method::GET, &format!("/api/v1/boards/{board}/tasks?limit=200"), None)
        .await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == task)
        .cloned()
        .expect("the task is listed")
}

/// Polls until the task leaves `in_progress` (or 30 s pass).
async fn wait_until_released(svc: &Deployment, board: &str, task: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let t = task_of(svc, board, task).await;
        if t["status"] != "in_progress" || Instant::now() > deadline {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

on_both_backends!(a_silent_agents_claims_return_to_the_inbox);

async fn a_silent_agents_claims_return_to_the_inbox(backend: Backend) {
    let svc = backend.start_with(fast_sweeps(Launch::new())).await;
    let board = svc
        .board_with("Stale", json!({"require_approval_for_done": false}))
        .await;
    let path = format!("/api/v1/boards/{board}");

    // The setting: off by default, 60 s to a week, null turns it off again.
    let read = svc.ok(Method::GET, &path, None).await;
    assert_eq!(read["stale_claim_timeout_seconds"], json!(null), "{read}");
    for bad in [json!(30), json!(604_801), json!("soon")] {
        let (status, body) = svc
            .call(Method::PATCH, &path, Some(json!({"stale_claim_timeout_seconds": bad})))
            .await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert_eq!(body["detail"][0]["loc"][1], "stale_claim_timeout_seconds", "{body}");
    }
    let set = svc
        .ok(Method::PATCH, &path, Some(json!({"stale_claim_timeout_seconds": 60})))
        .await;
    assert_eq!(set["stale_claim_timeout_seconds"], 60, "{set}");

    // A board without the setting keeps its silent agents' tasks.
    let plain = svc.board_with("Plain", json!({})).await;

    let (silent, silent_token) = svc.create_agent(&board, "Silent").await;
    let (_, live_token) = svc.create_agent(&board, "Live").await;
    let (_, plain_token) = svc.create_agent(&plain, "Elsewhere").await;
    let held = id(&svc.create_task(&board, json!({"title": "Held by the silent"})).await);
    let kept = id(&svc.create_task(&board, json!({"title": "Held by the live"})).await);
    let other = id(&svc.create_task(&plain, json!({"title": "Not watched"})).await);
    for (token, b, task) in [
        (&silent_token, &board, &held),
        (&live_token, &board, &kept),
        (&plain_token, &plain, &other),
    ] {
        let (status, body) = agent_patch(&svc, token, b, task, json!({"status": "in_progress"})).await;
        assert_eq!(status, 200, "{body}");
    }
    // Time passes for all three tasks; only two agents went quiet. The live one makes a
    // request after the clock moved, as a working agent does.
    svc.database
        .execute(&format!(
            "UPDATE tasks SET in_progress_at = '{LONG_AGO}'; \
             UPDATE agents SET last_seen_at = '{LONG_AGO}' WHERE name IN ('Silent', 'Elsewhere'); \
             UPDATE agents SET last_seen_at = NULL WHERE name = 'Live'"
        ))
        .await;
    let (status, _) = svc
        .call_as_agent(&live_token, Method::GET, "/api/v1/agent/healthz", None)
        .await;
    assert_eq!(status, 200);

    let released = wait_until_released(&svc, &board, &held).await;
    assert_eq!(released["status"], "inbox", "{released}");
    assert_eq!(released["assigned_agent_id"], json!(null), "{released}");
    assert_eq!(released["in_progress_at"], json!(null), "{released}");
    let why = svc
        .database
        .count(
            "SELECT count(*) FROM activity_events WHERE event_type = 'task.claim_released' \
             AND message LIKE '%Silent made no request for 60 s%'",
        )
        .await;
    assert_eq!(why, 1, "one activity row says why");
    // Give the sweeps a few more rounds: the others stay where they are.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(task_of(&svc, &board, &kept).await["status"], "in_progress");
    assert_eq!(task_of(&svc, &plain, &other).await["status"], "in_progress");
    let released_rows = svc
        .database
        .count("SELECT count(*) FROM activity_events WHERE event_type = 'task.claim_released'")
        .await;
    assert_eq!(released_rows, 1);
    // The released task can be claimed again, by anyone on the board.
    let (status, body) = agent_patch(&svc, &live_token, &board, &held, json!({"status": "in_progress"})).await;
    assert_eq!(status, 200, "{body}");
    assert_ne!(body["assigned_agent_id"], json!(id(&silent)));
}

#[tokio::test(flavor = "multi_thread")]
async fn two_replicas_release_each_stale_claim_once() {
    let a = Backend::PostgresRedis.start_with(fast_sweeps(Launch::new())).await;
    let Database::Postgres(db) = &a.database else {
        unreachable!("a PostgreSQL deployment")
    };
    let b = fast_sweeps(Launch::new())
        .postgres(db)
        .redis(&redis_url(), &redis_prefix())
        .start()
        .await
        .unwrap();
    let board = a
        .board_with("Replicas", json!({"stale_claim_timeout_seconds": 60}))
        .await;
    let mut tasks = Vec::new();
    for n in 0..12 {
        let (_, token) = a.create_agent(&board, &format!("Gone {n}")).await;
        let task = id(&a.create_task(&board, json!({"title": format!("Work {n}")})).await);
        let (status, body) = agent_patch(&a, &token, &board, &task, json!({"status": "in_progress"})).await;
        assert_eq!(status, 200, "{body}");
        tasks.push(task);
    }
    a.database
        .execute(&format!(
            "UPDATE tasks SET in_progress_at = '{LONG_AGO}'; UPDATE agents SET last_seen_at = '{LONG_AGO}'"
        ))
        .await;
    for task in &tasks {
        let t = wait_until_released(&a, &board, task).await;
        assert_eq!(t["status"], "inbox", "{t}");
    }
    // A few more periods on both replicas, then count.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rows = a
        .database
        .count("SELECT count(*) FROM activity_events WHERE event_type = 'task.claim_released'")
        .await;
    assert_eq!(rows, 12, "each task released exactly once");
    // Both replicas took part in sweeping; every period ran at most one sweep.
    let sweeps = a
        .database
        .count("SELECT count(DISTINCT dedupe_key) - count(*) FROM jobs WHERE kind = 'stale_claims_sweep'")
        .await;
    assert_eq!(sweeps, 0, "every sweep carries its period key");
    let runners = a
        .database
        .count("SELECT count(DISTINCT leased_by) FROM jobs WHERE kind = 'stale_claims_sweep'")
        .await;
    assert!(runners >= 1, "the sweeps ran");
    let (status, _) = b.call(Method::GET, "/healthz", None).await;
    assert_eq!(status, 200);
}
