//! `is_board_lead` on agent create and patch: at most one lead per board (409), backed by a
//! unique index in the database.

use reqwest::Method;
use serde_json::json;
use system_tests::{Backend, id, on_both_backends};

on_both_backends!(a_board_has_at_most_one_lead);

async fn a_board_has_at_most_one_lead(backend: Backend) {
    let svc = backend.start().await;
    let board = id(&svc.create_board("Leads").await);
    let other = id(&svc.create_board("Other").await);
    let lead = svc
        .ok(
            Method::POST,
            "/api/v1/agents",
            Some(json!({"name": "Lead", "board_id": board, "is_board_lead": true})),
        )
        .await;
    assert_eq!(lead["is_board_lead"], true, "{lead}");

    // A second lead on the same board: refused at create and at patch.
    let (status, body) = svc
        .call(
            Method::POST,
            "/api/v1/agents",
            Some(json!({"name": "Second", "board_id": board, "is_board_lead": true})),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    let (worker, _) = svc.create_agent(&board, "Worker").await;
    assert_eq!(worker["is_board_lead"], false, "{worker}");
    let worker_path = format!("/api/v1/agents/{}", id(&worker));
    let (status, body) = svc
        .call(Method::PATCH, &worker_path, Some(json!({"is_board_lead": true})))
        .await;
    assert_eq!(status, 409, "{body}");
    // Re-saving the lead is fine, and so is a lead on another board.
    svc.ok(
        Method::PATCH,
        &format!("/api/v1/agents/{}", id(&lead)),
        Some(json!({"is_board_lead": true})),
    )
    .await;
    let other_lead = svc
        .ok(
            Method::POST,
            "/api/v1/agents",
            Some(json!({"name": "Lead", "board_id": other, "is_board_lead": true})),
        )
        .await;
    assert_eq!(other_lead["is_board_lead"], true);

    // Stepping down frees the place.
    svc.ok(
        Method::PATCH,
        &format!("/api/v1/agents/{}", id(&lead)),
        Some(json!({"is_board_lead": false})),
    )
    .await;
    let promoted = svc
        .ok(Method::PATCH, &worker_path, Some(json!({"is_board_lead": true})))
        .await;
    assert_eq!(promoted["is_board_lead"], true, "{promoted}");

    // The database backs the rule with a partial unique index.
    let index = match backend {
        Backend::Sqlite => "SELECT count(*) FROM sqlite_master WHERE name = 'ux_agents_board_lead'",
        _ => {
            "SELECT count(*) FROM pg_indexes WHERE indexname = 'ux_agents_board_lead' AND schemaname = current_schema()"
        }
    };
    assert_eq!(svc.database.count(index).await, 1);
    let leads = svc
        .database
        .count("SELECT count(*) FROM agents WHERE is_board_lead")
        .await;
    assert_eq!(leads, 2, "the promoted worker and the other board's lead");
}
