//! Ingest without authentication: 202 with the ids, 404 for a webhook that is not the
//! board's, 410 when disabled, 413 by `Content-Length` and for a chunked body that grows past
//! the cap (the request body limit of other routes does not apply), 429 after the per-address
//! budget, payload decoding, and replayed delivery keys.

use reqwest::Method;
use serde_json::json;
use system_tests::{Backend, Launch, id, items, on_both_backends};

use super::{create_webhook, deliver};

on_both_backends!(
    ingest_answers_202_404_410_and_decodes_bodies,
    bodies_over_the_cap_are_refused_by_header_and_while_streaming,
    the_sixty_first_delivery_in_a_minute_is_refused,
    a_repeated_delivery_key_returns_the_first_payload,
);

async fn ingest_answers_202_404_410_and_decodes_bodies(backend: Backend) {
    let svc = backend.start().await;
    let board = id(&svc.create_board("Ingest").await);
    let other = id(&svc.create_board("Other").await);
    let hook = id(&create_webhook(&svc, &board, json!({"description": "Watch"})).await);

    let (status, body) = deliver(
        &svc,
        &board,
        &hook,
        r#"{"action":"opened"}"#,
        &[("content-type", "application/json")],
    )
    .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["ok"], true);
    assert_eq!(body["board_id"], board.as_str());
    assert_eq!(body["webhook_id"], hook.as_str());
    let first = body["payload_id"].as_str().unwrap().to_owned();

    // Text stays text, JSON-looking text is parsed, an empty body is `{}`.
    let mut expected = vec![(first, json!({"action": "opened"}))];
    for (raw, ct, stored) in [
        ("hello world", "text/plain", json!("hello world")),
        ("[1, 2]", "text/plain", json!([1, 2])),
        ("{not json", "application/json", json!("{not json")),
        ("", "text/plain", json!({})),
    ] {
        let (status, body) = deliver(&svc, &board, &hook, raw, &[("content-type", ct)]).await;
        assert_eq!(status, 202, "{raw}: {body}");
        expected.push((body["payload_id"].as_str().unwrap().to_owned(), stored));
    }
    for (payload_id, stored) in &expected {
        let read = svc
            .ok(
                Method::GET,
                &format!("/api/v1/boards/{board}/webhooks/{hook}/payloads/{payload_id}"),
                None,
            )
            .await;
        assert_eq!(&read["payload"], stored, "{read}");
        assert_eq!(read["source_ip"], "127.0.0.1");
    }
    let listed = svc
        .ok(
            Method::GET,
            &format!("/api/v1/boards/{board}/webhooks/{hook}/payloads"),
            None,
        )
        .await;
    assert_eq!(listed["total"], 5);

    // Unknown, another board's, disabled.
    let unknown = uuid::Uuid::new_v4().to_string();
    let (status, body) = deliver(&svc, &board, &unknown, "{}", &[]).await;
    assert_eq!(status, 404, "{body}");
    assert!(body["request_id"].is_string(), "{body}");
    let (status, _) = deliver(&svc, &other, &hook, "{}", &[]).await;
    assert_eq!(status, 404);
    svc.ok(
        Method::PATCH,
        &format!("/api/v1/boards/{board}/webhooks/{hook}"),
        Some(json!({"enabled": false})),
    )
    .await;
    let (status, body) = deliver(&svc, &board, &hook, "{}", &[]).await;
    assert_eq!(status, 410, "{body}");
    assert_eq!(body["detail"], "Webhook is disabled");
    let payloads = svc.database.count("SELECT count(*) FROM board_webhook_payloads").await;
    assert_eq!(payloads, 5, "refusals store nothing");
}

async fn bodies_over_the_cap_are_refused_by_header_and_while_streaming(backend: Backend) {
    // Other routes take at most 1000 bytes; ingest keeps its own cap (the default 1 MiB).
    let svc = backend
        .start_with(Launch::new().env("REQUEST_MAX_BODY_BYTES", "1000"))
        .await;
    let board = id(&svc.create_board("Sizes").await);
    let hook = id(&create_webhook(&svc, &board, json!({"description": "Big"})).await);
    const CAP: usize = 1_048_576;

    let (status, body) = deliver(&svc, &board, &hook, "x".repeat(5000), &[]).await;
    assert_eq!(
        status, 202,
        "the request body limit of other routes does not apply: {body}"
    );
    let (status, body) = deliver(&svc, &board, &hook, "x".repeat(CAP), &[]).await;
    assert_eq!(status, 202, "exactly the cap is accepted: {body}");
    let (status, body) = deliver(&svc, &board, &hook, "x".repeat(CAP + 1), &[]).await;
    assert_eq!(status, 413, "{body}");
    assert!(body["detail"].is_string() && body["request_id"].is_string(), "{body}");

    // 2 MiB in 64 KiB chunks, no Content-Length.
    let chunks = (0..32).map(|_| Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b'y'; 64 * 1024])));
    let stream = futures::stream::iter(chunks);
    let (status, body) = deliver(&svc, &board, &hook, reqwest::Body::wrap_stream(stream), &[]).await;
    assert_eq!(status, 413, "{body}");
    assert!(body["detail"].is_string() && body["request_id"].is_string(), "{body}");
    // A chunked body under the cap is fine.
    let chunks = (0..4).map(|_| Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b'z'; 1024])));
    let stream = futures::stream::iter(chunks);
    let (status, body) = deliver(&svc, &board, &hook, reqwest::Body::wrap_stream(stream), &[]).await;
    assert_eq!(status, 202, "{body}");

    let stored = svc.database.count("SELECT count(*) FROM board_webhook_payloads").await;
    assert_eq!(stored, 3);
}

async fn the_sixty_first_delivery_in_a_minute_is_refused(backend: Backend) {
    let svc = backend.start().await;
    let board = id(&svc.create_board("Budget").await);
    let hook = id(&create_webhook(&svc, &board, json!({"description": "Busy"})).await);
    for n in 1..=60 {
        let (status, body) = deliver(&svc, &board, &hook, "{}", &[]).await;
        assert_eq!(status, 202, "delivery {n}: {body}");
    }
    let res = svc
        .http
        .post(svc.url(&format!("/api/v1/boards/{board}/webhooks/{hook}")))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 429);
    assert!(res.headers().get("retry-after").is_some());
    // Unknown webhooks spend the same budget: refused before the lookup.
    let (status, _) = deliver(&svc, &board, &uuid::Uuid::new_v4().to_string(), "{}", &[]).await;
    assert_eq!(status, 429);
}

async fn a_repeated_delivery_key_returns_the_first_payload(backend: Backend) {
    let svc = backend.start().await;
    let board = id(&svc.create_board("Replay").await);
    let hook = id(&create_webhook(&svc, &board, json!({"description": "Once"})).await);
    let mut ids = Vec::new();
    for header in ["Idempotency-Key", "X-GitHub-Delivery"] {
        let (s1, b1) = deliver(&svc, &board, &hook, "{\"n\":1}", &[(header, "delivery-1")]).await;
        let (s2, b2) = deliver(&svc, &board, &hook, "{\"n\":1}", &[(header, "delivery-1")]).await;
        assert_eq!((s1, s2), (202, 202), "{b1} {b2}");
        assert_eq!(b1["payload_id"], b2["payload_id"], "{header}");
        ids.push(b1["payload_id"].clone());
    }
    // The key is the same text under either header.
    assert_eq!(ids[0], ids[1]);
    let (_, fresh) = deliver(&svc, &board, &hook, "{\"n\":2}", &[("Idempotency-Key", "delivery-2")]).await;
    assert_ne!(fresh["payload_id"], ids[0]);
    let listed = svc
        .ok(
            Method::GET,
            &format!("/api/v1/boards/{board}/webhooks/{hook}/payloads"),
            None,
        )
        .await;
    assert_eq!(listed["total"], 2, "{listed}");
    assert_eq!(items(&listed).len(), 2);
    let memory = svc
        .database
        .count("SELECT count(*) FROM board_memory WHERE source = 'webhook'")
        .await;
    assert_eq!(memory, 2);
    let jobs = svc
        .database
        .count("SELECT count(*) FROM jobs WHERE kind = 'webhook_delivery'")
        .await;
    assert_eq!(jobs, 2);
}
