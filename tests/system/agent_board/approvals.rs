//! An agent asks for an approval on its board (the rules of the user route: a reason, a
//! confidence of 0 to 100, one pending approval per task); the user sees it, with the asking
//! agent, and decides it; the agent reads the outcome.

use reqwest::Method;
use serde_json::json;
use system_tests::{Backend, id, items, on_both_backends};

on_both_backends!(an_agent_asks_for_an_approval_and_the_user_decides_it);

async fn an_agent_asks_for_an_approval_and_the_user_decides_it(backend: Backend) {
    let svc = backend.start().await;
    let board = id(&svc.create_board("Crew").await);
    let (worker, token) = svc.create_agent(&board, "Worker").await;
    let task = id(&svc.create_task(&board, json!({"title": "Ship it"})).await);
    let path = format!("/api/v1/agent/boards/{board}/approvals");

    // The reason may come as lead_reasoning, copied into the payload.
    let asked = svc
        .ok_as_agent(
            &token,
            Method::POST,
            &path,
            Some(json!({"action_type": "deploy", "confidence": 85, "task_id": task, "lead_reasoning": "tests pass"})),
        )
        .await;
    assert_eq!(asked["status"], "pending", "{asked}");
    assert_eq!(asked["agent_id"], worker["id"], "the asking agent is recorded: {asked}");
    assert_eq!(asked["payload"]["reason"], "tests pass", "{asked}");
    assert_eq!(asked["task_ids"], json!([task]), "{asked}");
    assert_eq!(asked["task_titles"], json!(["Ship it"]), "{asked}");

    // The user route's rules: one pending approval per task, a reason, a confidence in range.
    for (body, expected) in [
        (
            json!({"action_type": "deploy", "confidence": 50, "task_ids": [task], "payload": {"reason": "again"}}),
            409,
        ),
        (json!({"action_type": "deploy", "confidence": 50}), 422),
        (
            json!({"action_type": "deploy", "confidence": 101, "lead_reasoning": "x"}),
            422,
        ),
        (
            json!({"action_type": "deploy", "confidence": 50, "task_id": uuid::Uuid::new_v4(), "lead_reasoning": "x"}),
            404,
        ),
    ] {
        let (status, answer) = svc.call_as_agent(&token, Method::POST, &path, Some(body.clone())).await;
        assert_eq!(status, expected, "{body}: {answer}");
    }
    let (_, conflict) = svc
        .call_as_agent(
            &token,
            Method::POST,
            &path,
            Some(json!({"action_type": "deploy", "confidence": 50, "task_id": task, "lead_reasoning": "again"})),
        )
        .await;
    assert_eq!(
        conflict["detail"]["conflicts"],
        json!([{"task_id": task, "approval_id": asked["id"]}]),
        "{conflict}"
    );

    // The user sees it, with the agent that asked, and approves it.
    let user_list = svc
        .ok(
            Method::GET,
            &format!("/api/v1/boards/{board}/approvals?status=pending"),
            None,
        )
        .await;
    assert_eq!(user_list["total"], 1, "{user_list}");
    assert_eq!(items(&user_list)[0]["id"], asked["id"], "{user_list}");
    assert_eq!(items(&user_list)[0]["agent_id"], worker["id"], "{user_list}");
    let decided = svc
        .ok(
            Method::PATCH,
            &format!("/api/v1/boards/{board}/approvals/{}", id(&asked)),
            Some(json!({"status": "approved"})),
        )
        .await;
    assert_eq!(decided["status"], "approved", "{decided}");

    // The agent reads the outcome, filtered by status; a bad status is a 422.
    let approved = svc
        .ok_as_agent(&token, Method::GET, &format!("{path}?status=approved"), None)
        .await;
    assert_eq!(approved["total"], 1, "{approved}");
    assert!(items(&approved)[0]["resolved_at"].is_string(), "{approved}");
    let pending = svc
        .ok_as_agent(&token, Method::GET, &format!("{path}?status=pending"), None)
        .await;
    assert_eq!(pending["total"], 0, "{pending}");
    let (status, answer) = svc
        .call_as_agent(&token, Method::GET, &format!("{path}?status=maybe"), None)
        .await;
    assert_eq!(status, 422, "{answer}");
    // With the first one decided, the task may have a pending approval again.
    svc.ok_as_agent(
        &token,
        Method::POST,
        &path,
        Some(json!({"action_type": "deploy", "confidence": 50, "task_id": task, "payload": {"decision": {"reason": "round two"}}})),
    )
    .await;
    // An agent may not decide: the PATCH route is for users.
    let (status, _) = svc
        .call_as_agent(
            &token,
            Method::PATCH,
            &format!("/api/v1/boards/{board}/approvals/{}", id(&asked)),
            Some(json!({"status": "rejected"})),
        )
        .await;
    assert_eq!(status, 401);
}
