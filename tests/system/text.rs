//! Text the databases cannot agree on: a NUL character (`\u0000`) is refused at the edge with
//! 422 and the location of every string holding one, the same on SQLite (which would store it)
//! and PostgreSQL (which cannot), and nothing is written.

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::{Backend, json_of, on_both_backends};

on_both_backends!(nul_characters_are_refused_with_their_location);

async fn nul_characters_are_refused_with_their_location(backend: Backend) {
    let svc = backend.start().await;
    let board = svc.create_board("Text").await;
    let board_id = board["id"].as_str().unwrap();

    let refused = |res: (u16, Value), locs: &[Value]| {
        let (status, body) = res;
        assert_eq!(status, 422, "{body}");
        let found: Vec<Value> = body["detail"]
            .as_array()
            .unwrap_or_else(|| panic!("422 list body expected: {body}"))
            .iter()
            .map(|d| {
                assert_eq!(d["type"], "string_nul", "{body}");
                d["loc"].clone()
            })
            .collect();
        assert_eq!(found, locs, "{body}");
        assert!(!body["request_id"].is_null(), "{body}");
    };

    let post = |path: String, body: Value| svc.user(Method::POST, &path).json(&body).send();

    // A top-level field, a nested array item and several at once.
    refused(
        json_of(post("/api/v1/tags".into(), json!({"name": "a\u{0}b"})).await.unwrap()).await,
        &[json!(["body", "name"])],
    );
    let tasks = format!("/api/v1/boards/{board_id}/tasks");
    refused(
        json_of(
            post(
                tasks.clone(),
                json!({"title": "ok", "description": "x\u{0}", "tag_ids": ["\u{0}"]}),
            )
            .await
            .unwrap(),
        )
        .await,
        &[json!(["body", "description"]), json!(["body", "tag_ids", 0])],
    );
    // A PATCH and a query parameter.
    let res = svc
        .user(Method::PATCH, "/api/v1/users/me")
        .json(&json!({"name": "\u{0}"}))
        .send()
        .await
        .unwrap();
    refused(json_of(res).await, &[json!(["body", "name"])]);
    let res = svc
        .user(Method::GET, &format!("{tasks}?status=in%00box"))
        .send()
        .await
        .unwrap();
    refused(json_of(res).await, &[json!(["query", "status"])]);

    // Nothing was written; the same text without the NUL is accepted.
    let (_, tags) = json_of(svc.user(Method::GET, "/api/v1/tags").send().await.unwrap()).await;
    assert_eq!(tags["total"], 0, "{tags}");
    let (_, listed) = json_of(svc.user(Method::GET, &tasks).send().await.unwrap()).await;
    assert_eq!(listed["total"], 0, "{listed}");
    let (status, _) = json_of(post("/api/v1/tags".into(), json!({"name": "ab"})).await.unwrap()).await;
    assert_eq!(status, 200);
}
