//! Board gates on status changes: review before done, a comment for review, approvals for
//! done, and pending approvals freezing the status.

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::{Backend, Service, id, on_both_backends};

on_both_backends!(
    done_must_come_from_review_when_the_board_requires_review,
    moving_to_review_needs_a_comment_when_the_board_asks_for_one,
    the_default_board_needs_an_approved_approval_for_done,
    a_pending_approval_freezes_the_status_until_it_is_resolved,
);

pub async fn patch(svc: &Service, board: &str, task: &Value, body: Value) -> (u16, Value) {
    svc.call(
        Method::PATCH,
        &format!("/api/v1/boards/{board}/tasks/{}", id(task)),
        Some(body),
    )
    .await
}

async fn done_must_come_from_review_when_the_board_requires_review(backend: Backend) {
    let svc = backend.start().await;
    let strict = svc
        .board_with(
            "Strict",
            json!({"require_approval_for_done": false, "require_review_before_done": true}),
        )
        .await;
    let t = svc
        .create_task(&strict, json!({"title": "t", "status": "in_progress"}))
        .await;
    let (status, body) = patch(&svc, &strict, &t, json!({"status": "done"})).await;
    assert_eq!(status, 409, "done must come from review: {body}");
    assert_eq!(patch(&svc, &strict, &t, json!({"status": "review"})).await.0, 200);
    assert_eq!(patch(&svc, &strict, &t, json!({"status": "done"})).await.0, 200);
}

async fn moving_to_review_needs_a_comment_when_the_board_asks_for_one(backend: Backend) {
    let svc = backend.start().await;
    let chatty = svc
        .board_with(
            "Chatty",
            json!({"require_approval_for_done": false, "comment_required_for_review": true}),
        )
        .await;
    let t = svc
        .create_task(&chatty, json!({"title": "t", "status": "in_progress"}))
        .await;
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
    let comments = svc
        .ok(
            Method::GET,
            &format!("/api/v1/boards/{chatty}/tasks/{}/comments", id(&t)),
            None,
        )
        .await;
    assert_eq!(
        comments["items"][0]["message"], "ready for a look",
        "the inline comment is stored"
    );
}

async fn the_default_board_needs_an_approved_approval_for_done(backend: Backend) {
    let svc = backend.start().await;
    let gated = svc.board_with("Gated", json!({})).await;
    let t = svc.create_task(&gated, json!({"title": "t", "status": "review"})).await;
    let (status, body) = patch(&svc, &gated, &t, json!({"status": "done"})).await;
    assert_eq!(status, 409, "the default board needs an approved approval: {body}");
    assert_eq!(body["detail"]["code"], "approval_required");
}

async fn a_pending_approval_freezes_the_status_until_it_is_resolved(backend: Backend) {
    let svc = backend.start().await;
    let board = svc
        .board_with("Approvals", json!({"block_status_changes_with_pending_approval": true}))
        .await;
    let t = svc
        .create_task(&board, json!({"title": "needs sign-off", "status": "review"}))
        .await;
    let approval = svc
        .ok(
            Method::POST,
            &format!("/api/v1/boards/{board}/approvals"),
            Some(json!({"action_type": "mark_done", "confidence": 90, "task_id": t["id"], "payload": {"reason": "ship it"}})),
        )
        .await;

    let (status, body) = patch(&svc, &board, &t, json!({"status": "inbox"})).await;
    assert_eq!(status, 409, "a pending approval freezes the status: {body}");
    assert_eq!(body["detail"]["code"], "pending_approval");
    let (status, _) = patch(&svc, &board, &t, json!({"title": "renamed while pending"})).await;
    assert_eq!(status, 200, "other fields may still change");
    let (status, body) = patch(&svc, &board, &t, json!({"status": "done"})).await;
    assert_eq!(status, 409, "{body}");

    svc.ok(
        Method::PATCH,
        &format!("/api/v1/boards/{board}/approvals/{}", id(&approval)),
        Some(json!({"status": "approved"})),
    )
    .await;
    let (status, body) = patch(&svc, &board, &t, json!({"status": "done"})).await;
    assert_eq!(status, 200, "an approved approval opens the way to done: {body}");
    let snap = svc
        .ok(Method::GET, &format!("/api/v1/boards/{board}/snapshot"), None)
        .await;
    assert_eq!(snap["tasks"][0]["approvals_count"], 1);
    assert_eq!(snap["tasks"][0]["approvals_pending_count"], 0);
    assert_eq!(snap["pending_approvals_count"], 0);
}
