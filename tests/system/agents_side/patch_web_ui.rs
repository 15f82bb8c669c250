//! `PATCH /api/v1/agents/{agent_id}` with the body the reference web UI sends, `?force=true`;
//! status is not user-settable; names stay unique per board; admins only.

use reqwest::Method;
use serde_json::json;
use system_tests::{Backend, id, on_both_backends};

on_both_backends!(the_web_ui_agent_edit_saves);

async fn the_web_ui_agent_edit_saves(backend: Backend) {
    let svc = backend.start().await;
    let board = id(&svc.create_board("Edit").await);
    let (agent, _) = svc.create_agent(&board, "Worker").await;
    let path = format!("/api/v1/agents/{}", id(&agent));

    // The body the web UI's "Save changes" sends, with the toggle's field.
    let body = json!({
        "name": "Bench Worker",
        "heartbeat_config": {"every": "10m", "includeReasoning": false, "target": "last"},
        "identity_profile": {"role": "Generalist", "communication_style": "direct, concise, practical", "emoji": ":gear:"},
        "board_id": board,
        "is_gateway_main": false,
    });
    let saved = svc.ok(Method::PATCH, &format!("{path}?force=true"), Some(body)).await;
    assert_eq!(saved["name"], "Bench Worker", "{saved}");
    assert_eq!(saved["identity_profile"]["emoji"], ":gear:", "{saved}");
    assert_eq!(saved["board_id"], json!(board), "{saved}");
    assert_eq!(saved["status"], "provisioning", "never seen: {saved}");
    let read = svc.ok(Method::GET, &path, None).await;
    assert_eq!(read["name"], "Bench Worker", "{read}");

    // Templates and a partial body; nulls leave fields alone.
    let saved = svc
        .ok(
            Method::PATCH,
            &path,
            Some(json!({"soul_template": "be kind", "identity_template": null, "name": null})),
        )
        .await;
    assert_eq!(saved["soul_template"], "be kind", "{saved}");
    assert_eq!(saved["name"], "Bench Worker", "{saved}");

    // Status is not user-settable.
    let (status, body) = svc.call(Method::PATCH, &path, Some(json!({"status": "online"}))).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["detail"].is_string(), "{body}");
    // Gateway main agents come with gateways.
    let (status, body) = svc
        .call(Method::PATCH, &path, Some(json!({"is_gateway_main": true})))
        .await;
    assert_eq!(status, 422, "{body}");
    // A blank name, a taken name, an unknown board, an unknown agent.
    let (status, _) = svc.call(Method::PATCH, &path, Some(json!({"name": "  "}))).await;
    assert_eq!(status, 422);
    svc.create_agent(&board, "Other").await;
    let (status, body) = svc.call(Method::PATCH, &path, Some(json!({"name": "other"}))).await;
    assert_eq!(status, 409, "{body}");
    let ghost = uuid::Uuid::new_v4();
    let (status, _) = svc.call(Method::PATCH, &path, Some(json!({"board_id": ghost}))).await;
    assert_eq!(status, 404);
    let (status, _) = svc
        .call(Method::PATCH, &format!("/api/v1/agents/{ghost}"), Some(json!({})))
        .await;
    assert_eq!(status, 404);

    // Moving to another board takes the board (and its gateway).
    let other = id(&svc.create_board("Elsewhere").await);
    let moved = svc.ok(Method::PATCH, &path, Some(json!({"board_id": other}))).await;
    assert_eq!(moved["board_id"], json!(other), "{moved}");
}
