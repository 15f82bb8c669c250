//! Task comments through the agent's own routes
//! (`GET|POST /api/v1/agent/boards/{id}/tasks/{id}/comments`): an agent comments on its
//! board's tasks, not on another board's; a board lead only on tasks in review, tasks it
//! created, or where it was mentioned; the comment reaches the user's comment list.

use reqwest::Method;
use serde_json::json;
use system_tests::{Backend, id, items, on_both_backends};

on_both_backends!(agents_comment_through_their_own_routes);

async fn agents_comment_through_their_own_routes(backend: Backend) {
    let svc = backend.start().await;
    let board = id(&svc.create_board("Comments").await);
    let other = id(&svc.create_board("Elsewhere").await);
    let (worker, worker_token) = svc.create_agent(&board, "Worker").await;
    let (_, lead_token) = svc.create_agent(&board, "Lead").await;
    svc.database
        .execute("UPDATE agents SET is_board_lead = true WHERE name = 'Lead'")
        .await;
    let task = id(&svc.create_task(&board, json!({"title": "Write docs"})).await);
    let path = format!("/api/v1/agent/boards/{board}/tasks/{task}/comments");

    let created = svc
        .ok_as_agent(&worker_token, Method::POST, &path, Some(json!({"message": "On it"})))
        .await;
    assert_eq!(created["agent_id"], json!(id(&worker)), "{created}");
    let listed = svc.ok_as_agent(&worker_token, Method::GET, &path, None).await;
    assert_eq!(items(&listed).len(), 1, "{listed}");
    let user_view = svc
        .ok(
            Method::GET,
            &format!("/api/v1/boards/{board}/tasks/{task}/comments"),
            None,
        )
        .await;
    assert_eq!(items(&user_view)[0]["message"], "On it", "{user_view}");

    // Another board's task: refused.
    let foreign = id(&svc.create_task(&other, json!({"title": "Not yours"})).await);
    let (status, body) = svc
        .call_as_agent(
            &worker_token,
            Method::POST,
            &format!("/api/v1/agent/boards/{other}/tasks/{foreign}/comments"),
            Some(json!({"message": "Hi"})),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    // The user's bearer token is not an agent token.
    let (status, body) = svc.call(Method::GET, &path, None).await;
    assert_eq!(status, 401, "{body}");

    // The lead: not on an inbox task it neither created nor was mentioned on...
    let (status, body) = svc
        .call_as_agent(&lead_token, Method::POST, &path, Some(json!({"message": "Looks fine"})))
        .await;
    assert_eq!(status, 403, "{body}");
    // ...but once mentioned, yes.
    svc.ok_as_agent(
        &worker_token,
        Method::POST,
        &path,
        Some(json!({"message": "@Lead please look"})),
    )
    .await;
    svc.ok_as_agent(&lead_token, Method::POST, &path, Some(json!({"message": "Looks fine"})))
        .await;
    let listed = svc.ok_as_agent(&lead_token, Method::GET, &path, None).await;
    assert_eq!(items(&listed).len(), 3, "{listed}");
}
