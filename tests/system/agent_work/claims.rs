//! Claims cannot collide: 20 agents racing to move the same unassigned task to `in_progress`
//! get exactly one 200, the rest a 409 naming the conflict, and the task belongs to the winner.

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::{Backend, Launch, TestDb, id, on_both_backends, redis_prefix, redis_url};

use super::agent_patch;

on_both_backends!(twenty_agents_racing_for_one_task_have_one_winner);

async fn twenty_agents_racing_for_one_task_have_one_winner(backend: Backend) {
    let svc = backend.start().await;
    let board = svc.create_board("Race").await;
    let board_id = id(&board);
    let task = svc.create_task(&board_id, json!({"title": "Contended"})).await;
    let task_id = id(&task);
    let mut agents = Vec::new();
    for n in 0..20 {
        let (agent, token) = svc.create_agent(&board_id, &format!("Racer {n}")).await;
        agents.push((id(&agent), token));
    }
    let claims = agents.iter().map(|(agent_id, token)| {
        let (svc, board_id, task_id) = (&svc, &board_id, &task_id);
        async move {
            let res = agent_patch(svc, token, board_id, task_id, json!({"status": "in_progress"})).await;
            (agent_id.clone(), res)
        }
    });
    let results = futures::future::join_all(claims).await;
    let winner = check_one_winner(&results);
    let stored = svc
        .ok(Method::GET, &format!("/api/v1/boards/{board_id}/tasks?limit=10"), None)
        .await;
    assert_eq!(stored["items"][0]["assigned_agent_id"], json!(winner), "{stored}");
    assert_eq!(stored["items"][0]["status"], "in_progress", "{stored}");
}

/// Exactly one 200 (returned with the task assigned to its caller); every other answer a 409
/// whose detail names the claim. Returns the winner's id.
fn check_one_winner(results: &[(String, (u16, Value))]) -> String {
    let winners: Vec<&String> = results.iter().filter(|(_, (s, _))| *s == 200).map(|(a, _)| a).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for (agent, (status, body)) in results {
        if *status == 200 {
            assert_eq!(body["assigned_agent_id"], json!(agent), "{body}");
        } else {
            assert_eq!(*status, 409, "{body}");
            assert!(
                body["detail"].as_str().unwrap_or_default().contains("claimed"),
                "{body}"
            );
        }
    }
    winners[0].clone()
}

/// PostgreSQL with two replicas of the service on the same database: the racing claims are
/// spread over both, one still wins. PostgreSQL only: SQLite has one replica by nature.
#[tokio::test(flavor = "multi_thread")]
async fn racing_claims_over_two_replicas_have_one_winner_on_postgres() {
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
    let board = a.create_board("Replicas").await;
    let board_id = id(&board);
    let task = a.create_task(&board_id, json!({"title": "Contended"})).await;
    let task_id = id(&task);
    let mut agents = Vec::new();
    for n in 0..20 {
        let (agent, token) = a.create_agent(&board_id, &format!("Racer {n}")).await;
        agents.push((id(&agent), token));
    }
    let claims = agents.iter().enumerate().map(|(n, (agent_id, token))| {
        let svc = if n % 2 == 0 { &a } else { &b };
        let path = format!("/api/v1/agent/boards/{board_id}/tasks/{task_id}");
        async move {
            let res = svc
                .call_as_agent(token, Method::PATCH, &path, Some(json!({"status": "in_progress"})))
                .await;
            (agent_id.clone(), res)
        }
    });
    let results = futures::future::join_all(claims).await;
    let winner = check_one_winner(&results);
    let stored = b
        .ok(Method::GET, &format!("/api/v1/boards/{board_id}/tasks?limit=10"), None)
        .await;
    assert_eq!(stored["items"][0]["assigned_agent_id"], json!(winner), "{stored}");
}
