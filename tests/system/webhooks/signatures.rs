//! The HMAC-SHA256 signature of a webhook with a secret: a missing, a wrong and a right
//! signature under each header choice (the webhook's own header, `X-Hub-Signature-256`,
//! `X-Webhook-Signature`), with and without the `sha256=` prefix; the signature and
//! authorization headers are never stored.

use reqwest::Method;
use serde_json::json;
use system_tests::{Backend, id, on_both_backends};

use super::{create_webhook, deliver, sign};

on_both_backends!(signatures_are_checked_under_each_header_choice);

/// A webhook id, the headers sent, the status expected.
type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, u16);

async fn signatures_are_checked_under_each_header_choice(backend: Backend) {
    let svc = backend.start().await;
    let board = id(&svc.create_board("Signed").await);
    let plain = id(&create_webhook(&svc, &board, json!({"description": "Default headers", "secret": "k1"})).await);
    let custom = id(&create_webhook(
        &svc,
        &board,
        json!({"description": "Own header", "secret": "k2", "signature_header": "X-Signature"}),
    )
    .await);
    let body = r#"{"event":"push"}"#;
    let good1 = sign("k1", body.as_bytes());
    let good2 = sign("k2", body.as_bytes());
    let wrong = sign("nope", body.as_bytes());
    let prefixed1 = format!("sha256={good1}");
    let upper1 = format!(" SHA256={} ", good1.to_uppercase());
    let prefixed_wrong = format!("sha256={wrong}");
    let prefixed2 = format!("sha256={good2}");

    let cases: Vec<Case> = vec![
        (plain.as_str(), vec![], 403),
        (
            plain.as_str(),
            vec![("X-Hub-Signature-256", prefixed_wrong.as_str())],
            403,
        ),
        (plain.as_str(), vec![("X-Hub-Signature-256", prefixed1.as_str())], 202),
        (plain.as_str(), vec![("X-Hub-Signature-256", good1.as_str())], 202),
        (plain.as_str(), vec![("X-Webhook-Signature", wrong.as_str())], 403),
        (plain.as_str(), vec![("X-Webhook-Signature", upper1.as_str())], 202),
        (plain.as_str(), vec![("X-Webhook-Signature", good1.as_str())], 202),
        // X-Hub-Signature-256 comes first: a wrong one there is not saved by the other.
        (
            plain.as_str(),
            vec![
                ("X-Hub-Signature-256", wrong.as_str()),
                ("X-Webhook-Signature", good1.as_str()),
            ],
            403,
        ),
        (plain.as_str(), vec![("X-Signature", good1.as_str())], 403),
        (custom.as_str(), vec![], 403),
        (custom.as_str(), vec![("X-Signature", wrong.as_str())], 403),
        (custom.as_str(), vec![("X-Signature", good2.as_str())], 202),
        (custom.as_str(), vec![("x-signature", prefixed2.as_str())], 202),
        (
            custom.as_str(),
            vec![("X-Signature", wrong.as_str()), ("X-Hub-Signature-256", good2.as_str())],
            403,
        ),
    ];
    for (n, (hook, headers, expected)) in cases.iter().enumerate() {
        let mut all = headers.clone();
        all.push(("content-type", "application/json"));
        let (status, res) = deliver(&svc, &board, hook, body, &all).await;
        assert_eq!(status, *expected, "case {n} {headers:?}: {res}");
        if *expected == 403 {
            assert!(res["detail"].is_string() && res["request_id"].is_string(), "{res}");
        }
    }
    // A body changed after signing is refused.
    let (status, _) = deliver(
        &svc,
        &board,
        &plain,
        r#"{"event":"push!"}"#,
        &[("X-Hub-Signature-256", prefixed1.as_str())],
    )
    .await;
    assert_eq!(status, 403);

    // What is kept of the headers.
    let (status, res) = deliver(
        &svc,
        &board,
        &custom,
        body,
        &[
            ("X-Signature", good2.as_str()),
            ("X-Hub-Signature-256", "sha256=ignored"),
            ("X-Webhook-Signature", "ignored"),
            ("Authorization", "Bearer secret-token"),
            ("X-GitHub-Event", "push"),
            ("User-Agent", "GitHub-Hookshot/1"),
            ("Content-Type", "application/json"),
            ("Accept", "*/*"),
        ],
    )
    .await;
    assert_eq!(status, 202, "{res}");
    let read = svc
        .ok(
            Method::GET,
            &format!(
                "/api/v1/boards/{board}/webhooks/{custom}/payloads/{}",
                res["payload_id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    // The request id this service gives a request without one is an `x-*` header too.
    let mut kept = read["headers"].clone();
    kept.as_object_mut().unwrap().remove("x-request-id");
    assert_eq!(
        kept,
        json!({"content-type": "application/json", "user-agent": "GitHub-Hookshot/1", "x-github-event": "push"}),
        "{read}"
    );
    assert_eq!(read["content_type"], "application/json");
    assert_eq!(read["payload"], json!({"event": "push"}));
}
