//! A board's webhooks as resources: create, read, list, update and delete; the secret is
//! never shown, the target agent must be on the board.

use reqwest::Method;
use serde_json::json;
use system_tests::{Backend, id, items, on_both_backends};

use super::create_webhook;

on_both_backends!(webhooks_are_created_read_updated_and_deleted);

async fn webhooks_are_created_read_updated_and_deleted(backend: Backend) {
    let svc = backend.start().await;
    let board = id(&svc.create_board("Hooks").await);
    let other = id(&svc.create_board("Elsewhere").await);
    let (agent, _) = svc.create_agent(&board, "Hooker").await;
    let (stranger, _) = svc.create_agent(&other, "Stranger").await;

    let created = create_webhook(
        &svc,
        &board,
        json!({"description": "Triage new issues", "agent_id": agent["id"], "secret": "s3cret", "signature_header": "X-Sig"}),
    )
    .await;
    let hook = id(&created);
    assert_eq!(created["board_id"], board.as_str());
    assert_eq!(created["agent_id"], agent["id"]);
    assert_eq!(created["enabled"], true);
    assert_eq!(created["has_secret"], true);
    assert_eq!(created["signature_header"], "X-Sig");
    assert!(created.get("secret").is_none(), "{created}");
    assert_eq!(
        created["endpoint_path"],
        format!("/api/v1/boards/{board}/webhooks/{hook}")
    );

    let path = format!("/api/v1/boards/{board}/webhooks/{hook}");
    let read = svc.ok(Method::GET, &path, None).await;
    assert_eq!(read, created);
    assert!(!read.to_string().contains("s3cret"));
    let listed = svc
        .ok(Method::GET, &format!("/api/v1/boards/{board}/webhooks"), None)
        .await;
    assert_eq!(listed["total"], 1);
    assert_eq!(items(&listed)[0]["id"], hook.as_str());
    // Another board does not see it.
    let (status, _) = svc
        .call(Method::GET, &format!("/api/v1/boards/{other}/webhooks/{hook}"), None)
        .await;
    assert_eq!(status, 404);

    // Bad input: blank description, an agent of another board, a header name no request can carry.
    for (body, field) in [
        (json!({"description": "  "}), "description"),
        (json!({"agent_id": stranger["id"]}), "agent_id"),
        (json!({"signature_header": "bad header"}), "signature_header"),
    ] {
        let (status, err) = svc.call(Method::PATCH, &path, Some(body)).await;
        assert_eq!(status, 422, "{err}");
        assert_eq!(err["detail"][0]["loc"], json!(["body", field]), "{err}");
    }
    let (status, err) = svc
        .call(
            Method::POST,
            &format!("/api/v1/boards/{board}/webhooks"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 422, "{err}");

    // A partial update keeps what it does not name; null clears.
    let updated = svc
        .ok(
            Method::PATCH,
            &path,
            Some(json!({"enabled": false, "secret": null, "agent_id": null})),
        )
        .await;
    assert_eq!(updated["enabled"], false);
    assert_eq!(updated["has_secret"], false);
    assert!(updated["agent_id"].is_null());
    assert_eq!(updated["description"], "Triage new issues");
    assert_eq!(updated["signature_header"], "X-Sig");

    let gone = svc.ok(Method::DELETE, &path, None).await;
    assert_eq!(gone, json!({"ok": true}));
    let (status, _) = svc.call(Method::GET, &path, None).await;
    assert_eq!(status, 404);
    let (status, _) = svc.call(Method::DELETE, &path, None).await;
    assert_eq!(status, 404);
}
