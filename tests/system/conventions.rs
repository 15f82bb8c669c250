//! The HTTP conventions on every route: request ids, the error body for every status,
//! security headers, CORS, pagination, metrics and the OpenAPI document.
//!
//! The error bodies and pagination depend on the store and run on both backends; request
//! ids, security headers, CORS, metrics and the docs are the HTTP layer's alone and run on
//! SQLite only.

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::{Backend, Deployment, Launch, TOKEN, json_of, on_both_backends};

on_both_backends!(
    every_error_status_has_the_standard_body,
    lists_page_with_limit_offset_and_a_true_total
);

/// Asserts the standard error body and that its request id is the response header's.
async fn expect_error(res: reqwest::Response, status: u16) -> Value {
    assert_eq!(res.status().as_u16(), status, "unexpected status");
    let header = res
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .expect("x-request-id on an error");
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(ct.starts_with("application/json"), "error content type {ct}");
    let (_, body) = json_of(res).await;
    assert_eq!(body["request_id"], Value::from(header.as_str()), "body {body}");
    assert!(!body["detail"].is_null(), "no detail in {body}");
    body
}

async fn service(backend: Backend) -> Deployment {
    let launch = Launch::new()
        .env("RATE_LIMIT_AGENT_AUTH_REQUESTS", "3")
        .env("REQUEST_MAX_BODY_BYTES", "2048")
        .env("CORS_ORIGINS", "http://ui.example.test")
        .env("SECURITY_HEADER_PERMISSIONS_POLICY", "camera=()");
    backend.start_with(launch).await
}

#[tokio::test]
async fn request_ids_are_kept_when_safe_and_replaced_otherwise() {
    let svc = service(Backend::Sqlite).await;
    let res = svc
        .http
        .get(svc.url("/nope"))
        .header("x-request-id", "client-id-42")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "client-id-42");
    let body = expect_error(res, 404).await;
    assert_eq!(body["request_id"], "client-id-42");

    for bad in ["has space", "x".repeat(129).as_str(), "semi;colon"] {
        let res = svc
            .http
            .get(svc.url("/healthz"))
            .header("x-request-id", bad)
            .send()
            .await
            .unwrap();
        let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert_ne!(id, bad);
        assert_eq!(id.len(), 32);
    }
    // The id is in the request's log lines.
    svc.wait_for_line(
        |l| l.contains("client-id-42") && l.contains("request finished"),
        std::time::Duration::from_secs(5),
    )
    .await
    .unwrap();
}

async fn every_error_status_has_the_standard_body(backend: Backend) {
    let svc = service(backend).await;
    let http = &svc.http;

    // 401: no token, a wrong token, an agent token on a user route.
    expect_error(http.get(svc.url("/api/v1/users/me")).send().await.unwrap(), 401).await;
    expect_error(
        http.get(svc.url("/api/v1/users/me"))
            .bearer_auth("wrong")
            .send()
            .await
            .unwrap(),
        401,
    )
    .await;

    // 404: unknown path, unknown board.
    expect_error(http.get(svc.url("/api/v1/nothing/here")).send().await.unwrap(), 404).await;
    let missing = uuid::Uuid::new_v4();
    expect_error(
        svc.user(Method::GET, &format!("/api/v1/boards/{missing}"))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;

    // 405: wrong method on a known path.
    expect_error(http.delete(svc.url("/healthz")).send().await.unwrap(), 405).await;

    // 422: malformed JSON, wrong types, missing fields, bad UUIDs, out-of-range pages.
    let board = svc.create_board("Conventions").await;
    let board_id = board["id"].as_str().unwrap();
    let tasks = format!("/api/v1/boards/{board_id}/tasks");
    let raw = |body: &'static str| {
        svc.user(Method::POST, &tasks)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let body = expect_error(raw("{\"title\": ").await.unwrap(), 422).await;
    assert_eq!(body["detail"][0]["type"], "json_invalid");
    let body = expect_error(raw("{\"title\": 5}").await.unwrap(), 422).await;
    assert_eq!(body["detail"][0]["loc"], json!(["body", "title"]));
    let body = expect_error(raw("{}").await.unwrap(), 422).await;
    assert_eq!(body["detail"][0]["loc"], json!(["body", "title"]));
    assert_eq!(body["detail"][0]["type"], "missing");
    let body = expect_error(raw("[1, 2]").await.unwrap(), 422).await;
    assert!(body["detail"][0]["msg"].is_string());
    expect_error(
        svc.user(Method::GET, "/api/v1/boards/not-a-uuid").send().await.unwrap(),
        422,
    )
    .await;
    for q in [
        "limit=0",
        "limit=201",
        "offset=-1",
        "limit=abc",
        "limit=99999999999999999999",
    ] {
        let body = expect_error(
            svc.user(Method::GET, &format!("/api/v1/boards?{q}"))
                .send()
                .await
                .unwrap(),
            422,
        )
        .await;
        assert_eq!(body["detail"][0]["loc"][0], "query", "{q}: {body}");
    }
    let body = expect_error(
        svc.user(Method::GET, &format!("{tasks}?status=sleeping"))
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(body["detail"][0]["loc"], json!(["query", "status"]));

    // 409: a dependency cycle.
    let (_, a) = svc.call(Method::POST, &tasks, Some(json!({"title": "a"}))).await;
    let (_, b) = svc
        .call(
            Method::POST,
            &tasks,
            Some(json!({"title": "b", "depends_on_task_ids": [a["id"]]})),
        )
        .await;
    let res = svc
        .user(Method::PATCH, &format!("{tasks}/{}", a["id"].as_str().unwrap()))
        .json(&json!({"depends_on_task_ids": [b["id"]]}))
        .send()
        .await
        .unwrap();
    let body = expect_error(res, 409).await;
    assert!(body["detail"]["message"].is_string());

    // 413: a body over REQUEST_MAX_BODY_BYTES.
    let huge = json!({"title": "x".repeat(10_000)});
    expect_error(svc.user(Method::POST, &tasks).json(&huge).send().await.unwrap(), 413).await;

    // 415: not JSON.
    let res = svc
        .user(Method::POST, &tasks)
        .header("content-type", "text/plain")
        .body("title")
        .send()
        .await
        .unwrap();
    expect_error(res, 415).await;

    // 403: an agent reaching for another board.
    let other = svc.create_board("Elsewhere").await;
    let (_, token) = svc.create_agent(board_id, "worker").await;
    let res = svc
        .agent(
            Method::GET,
            &format!("/api/v1/agent/boards/{}/tasks", other["id"].as_str().unwrap()),
            &token,
        )
        .send()
        .await
        .unwrap();
    expect_error(res, 403).await;

    // 429: the agent-auth budget (3 per window here) is spent, with the rate-limit headers.
    let mut last = None;
    for _ in 0..3 {
        let res = svc
            .agent(Method::GET, "/api/v1/agent/healthz", &token)
            .send()
            .await
            .unwrap();
        last = Some(res);
    }
    let last = last.unwrap();
    assert!(matches!(last.status().as_u16(), 200 | 429));
    let res = svc
        .agent(Method::GET, "/api/v1/agent/healthz", &token)
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("retry-after").is_some(), "Retry-After missing");
    assert_eq!(res.headers()["ratelimit-policy"], "3;w=60");
    assert!(res.headers().get("ratelimit").is_some());
    expect_error(res, 429).await;
}

#[tokio::test]
async fn security_headers_are_on_every_response_and_blank_disables_them() {
    let svc = service(Backend::Sqlite).await;
    for path in ["/healthz", "/does-not-exist", "/openapi.json"] {
        let res = svc.http.get(svc.url(path)).send().await.unwrap();
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin", "{path}");
        assert_eq!(h["permissions-policy"], "camera=()", "{path}");
    }
    let quiet = Launch::new()
        .env("SECURITY_HEADER_X_FRAME_OPTIONS", "")
        .start()
        .await
        .unwrap();
    let res = quiet.http.get(quiet.url("/healthz")).send().await.unwrap();
    assert!(res.headers().get("x-frame-options").is_none());
    assert!(res.headers().get("permissions-policy").is_none());
}

#[tokio::test]
async fn cors_preflight_answers_configured_origins_only() {
    let svc = service(Backend::Sqlite).await;
    let preflight = |origin: &'static str| {
        svc.http
            .request(Method::OPTIONS, svc.url("/api/v1/boards"))
            .header("origin", origin)
            .header("access-control-request-method", "PATCH")
            .header("access-control-request-headers", "authorization,content-type")
            .send()
    };
    let res = preflight("http://ui.example.test").await.unwrap();
    assert_eq!(res.status(), 200);
    let h = res.headers();
    assert_eq!(h["access-control-allow-origin"], "http://ui.example.test");
    assert_eq!(h["access-control-allow-credentials"], "true");
    assert!(h["vary"].to_str().unwrap().to_ascii_lowercase().contains("origin"));
    let allowed = h["access-control-allow-headers"].to_str().unwrap().to_ascii_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("content-type"),
        "{allowed}"
    );
    let res = preflight("http://evil.example.test").await.unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
    // Simple requests expose the headers clients read.
    let res = svc
        .user(Method::GET, "/api/v1/boards")
        .header("origin", "http://ui.example.test")
        .send()
        .await
        .unwrap();
    let exposed = res.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(exposed.contains("x-request-id"), "{exposed}");
}

async fn lists_page_with_limit_offset_and_a_true_total(backend: Backend) {
    let svc = service(backend).await;
    for name in ["Alpha", "Beta", "Gamma"] {
        svc.create_board(name).await;
    }
    let (status, page) = svc.call(Method::GET, "/api/v1/boards?limit=2", None).await;
    assert_eq!(status, 200);
    assert_eq!(page["total"], 3);
    assert_eq!(page["limit"], 2);
    assert_eq!(page["offset"], 0);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["items"][0]["name"], "Alpha", "boards list by name");
    let (_, page) = svc.call(Method::GET, "/api/v1/boards?limit=2&offset=2", None).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["total"], 3);
    let (_, page) = svc.call(Method::GET, "/api/v1/boards?offset=10", None).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 0);
    assert_eq!(page["total"], 3, "total must be right past the end too");
    let (_, page) = svc.call(Method::GET, "/api/v1/boards", None).await;
    assert_eq!(page["limit"], 200, "default limit");
}

#[tokio::test]
async fn metrics_expose_requests_limiter_decisions_and_pool() {
    let svc = service(Backend::Sqlite).await;
    svc.http.get(svc.url("/healthz")).send().await.unwrap();
    svc.http.get(svc.url("/no/such/route")).send().await.unwrap();
    for _ in 0..5 {
        svc.agent(Method::GET, "/api/v1/agent/healthz", "bogus")
            .send()
            .await
            .unwrap();
    }
    let text = svc
        .http
        .get(svc.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(r#"http_requests_total{method="GET",route="/healthz",status="200"}"#),
        "{text}"
    );
    assert!(text.contains(r#"route="unmatched",status="404""#), "{text}");
    assert!(text.contains("http_request_duration_seconds_bucket"), "{text}");
    assert!(text.contains("http_requests_in_flight"), "{text}");
    assert!(
        text.contains(r#"rate_limit_decisions_total{limiter="agent_auth",outcome="limited"}"#),
        "{text}"
    );
    assert!(
        text.contains(r#"rate_limit_decisions_total{limiter="agent_auth",outcome="allowed"} 3"#),
        "{text}"
    );
    assert!(text.contains(r#"db_pool_connections{state="max"}"#), "{text}");
}

#[tokio::test]
async fn openapi_document_and_docs_are_served_offline() {
    let svc = service(Backend::Sqlite).await;
    let (status, doc) = json_of(svc.http.get(svc.url("/openapi.json")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["HTTPBearer"]["scheme"], "bearer");
    assert_eq!(schemes["AgentToken"]["name"], "X-Agent-Token");
    assert!(doc["paths"]["/api/v1/boards/{board_id}/tasks"]["get"].is_object());

    let res = svc.http.get(svc.url("/docs/")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("cdn") && !html.contains("unpkg"),
        "docs must not load from the internet"
    );
    for asset in [
        "/docs/swagger-ui.css",
        "/docs/swagger-ui-bundle.js",
        "/docs/swagger-initializer.js",
    ] {
        let res = svc.http.get(svc.url(asset)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{asset}");
    }
    let init = svc
        .http
        .get(svc.url("/docs/swagger-initializer.js"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(init.contains("/openapi.json"), "{init}");
    // The token in the docs is never needed to read them.
    assert!(!html.contains(TOKEN));
}
