//! The calls the existing web UI makes, answered the way it reads them: 200 with the
//! contract's body shapes and `application/json`, list headers, CORS preflights from its
//! origin, and the four live streams it keeps open with `fetch`.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::{Backend, Launch, Service, SseReader, on_both_backends, open_stream};

on_both_backends!(every_call_of_the_web_ui_is_served_as_it_expects);

const ORIGIN: &str = "http://ui.example.test";

async fn get_ok(svc: &Service, path: &str) -> (reqwest::header::HeaderMap, Value) {
    let res = svc
        .user(Method::GET, path)
        .header("origin", ORIGIN)
        .send()
        .await
        .unwrap();
    let headers = res.headers().clone();
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(status, 200, "GET {path}: {body}");
    let ct = headers["content-type"].to_str().unwrap();
    assert!(ct.starts_with("application/json"), "GET {path}: content type {ct}");
    assert_eq!(headers["access-control-allow-origin"], ORIGIN, "GET {path}");
    (headers, body)
}

fn has(body: &Value, fields: &[&str]) {
    for f in fields {
        assert!(body.get(*f).is_some(), "missing {f} in {body}");
    }
}

/// Opens a stream as the UI does; subscribed once this returns (see `open_stream`).
async fn open(svc: &Service, path: &str) -> SseReader {
    open_stream(svc.user(Method::GET, path).header("origin", ORIGIN)).await
}

async fn every_call_of_the_web_ui_is_served_as_it_expects(backend: Backend) {
    let svc = backend.start_with(Launch::new().env("CORS_ORIGINS", ORIGIN)).await;

    // Login and onboarding.
    let (_, me) = get_ok(&svc, "/api/v1/users/me").await;
    has(
        &me,
        &["id", "clerk_user_id", "email", "name", "timezone", "is_super_admin"],
    );
    assert!(me["timezone"].is_null(), "a fresh user is sent to onboarding");
    let (status, me) = svc
        .call(
            Method::PATCH,
            "/api/v1/users/me",
            Some(json!({"name": "Ada", "preferred_name": "Ada", "timezone": "Europe/Paris"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(me["timezone"], "Europe/Paris");
    let res = svc
        .http
        .get(svc.url("/api/v1/users/me"))
        .bearer_auth("wrong-token")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "a bad token is recognised as invalid");

    // Organization pages.
    let (_, list) = get_ok(&svc, "/api/v1/organizations/me/list").await;
    has(&list[0], &["id", "name", "role", "is_active"]);
    has(
        &get_ok(&svc, "/api/v1/organizations/me/member").await.1,
        &["id", "role", "board_access", "user"],
    );
    has(
        &get_ok(&svc, "/api/v1/organizations/me").await.1,
        &["id", "name", "created_at"],
    );
    for path in [
        "/api/v1/organizations/me/members?limit=200",
        "/api/v1/organizations/me/invites?limit=200",
    ] {
        let (headers, page) = get_ok(&svc, path).await;
        has(&page, &["items", "total", "limit", "offset"]);
        assert_eq!(headers["x-total-count"], page["total"].to_string().as_str(), "{path}");
        assert_eq!(headers["x-limit"], "200");
        assert_eq!(headers["x-offset"], "0");
    }

    // Boards, kanban, tasks, comments, approvals, chat.
    let board = svc.create_board("Kanban").await;
    let bid = board["id"].as_str().unwrap().to_owned();
    let (_, boards) = get_ok(&svc, "/api/v1/boards?limit=200&offset=0").await;
    assert_eq!(boards["total"], 1);
    has(
        &get_ok(&svc, &format!("/api/v1/boards/{bid}")).await.1,
        &["id", "name", "slug", "require_approval_for_done"],
    );
    let (agent, token) = svc.create_agent(&bid, "Helper").await;
    let aid = agent["id"].as_str().unwrap().to_owned();

    let mut task_stream = open(&svc, &format!("/api/v1/boards/{bid}/tasks/stream?since=null")).await;
    let mut approval_stream = open(&svc, &format!("/api/v1/boards/{bid}/approvals/stream")).await;
    let mut chat_stream = open(&svc, &format!("/api/v1/boards/{bid}/memory/stream?is_chat=true")).await;
    let mut agent_stream = open(&svc, "/api/v1/agents/stream?board_id=&since=null").await;

    let (status, task) = svc
        .call(
            Method::POST,
            &format!("/api/v1/boards/{bid}/tasks"),
            Some(json!({"title": "Drag me"})),
        )
        .await;
    assert_eq!(status, 200);
    let tid = task["id"].as_str().unwrap().to_owned();
    let (status, moved) = svc
        .call(
            Method::PATCH,
            &format!("/api/v1/boards/{bid}/tasks/{tid}"),
            Some(json!({"status": "in_progress"})),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    let ev = task_stream
        .until(Duration::from_secs(5), |e| e.event == "task")
        .await
        .expect("task stream event");
    assert_eq!(ev.json()["task"]["id"], task["id"]);
    let (status, _) = svc
        .call(
            Method::POST,
            &format!("/api/v1/boards/{bid}/tasks/{tid}/comments"),
            Some(json!({"message": "looks good"})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, comments) = get_ok(&svc, &format!("/api/v1/boards/{bid}/tasks/{tid}/comments")).await;
    assert_eq!(comments["items"][0]["message"], "looks good");

    // An agent asks for approval; the UI lists it and sees it on the stream.
    let res = svc
        .agent(Method::POST, &format!("/api/v1/boards/{bid}/approvals"), &token)
        .json(&json!({"action_type": "mark_done", "confidence": 85, "task_id": tid, "payload": {"reason": "all checks green"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let approval: Value = res.json().await.unwrap();
    assert_eq!(approval["task_titles"], json!(["Drag me"]));
    let ev = approval_stream
        .until(Duration::from_secs(5), |e| e.event == "approval")
        .await
        .expect("approval event");
    assert_eq!(ev.json()["approval"]["id"], approval["id"]);
    assert_eq!(ev.json()["pending_approvals_count"], 1);
    let (headers, approvals) = get_ok(&svc, &format!("/api/v1/boards/{bid}/approvals?limit=200")).await;
    assert_eq!(approvals["total"], 1);
    assert_eq!(headers["x-total-count"], "1");
    let res = svc
        .agent(Method::POST, &format!("/api/v1/boards/{bid}/approvals"), &token)
        .json(&json!({"action_type": "again", "confidence": 50, "task_ids": [tid], "lead_reasoning": "twice"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409, "one pending approval per task");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["detail"]["conflicts"][0]["approval_id"], approval["id"]);
    let (status, decided) = svc
        .call(
            Method::PATCH,
            &format!("/api/v1/boards/{bid}/approvals/{}", approval["id"].as_str().unwrap()),
            Some(json!({"status": "approved"})),
        )
        .await;
    assert_eq!(status, 200);
    assert!(decided["resolved_at"].is_string());

    let (status, chat) = svc
        .call(
            Method::POST,
            &format!("/api/v1/boards/{bid}/memory"),
            Some(json!({"content": "hello team", "tags": ["chat"]})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(chat["is_chat"], true);
    assert_eq!(chat["source"], "Ada");
    let ev = chat_stream
        .until(Duration::from_secs(5), |e| e.event == "memory")
        .await
        .expect("chat event");
    assert_eq!(ev.json()["memory"]["content"], "hello team");

    svc.agent(Method::POST, "/api/v1/agent/heartbeat", &token)
        .send()
        .await
        .unwrap();
    let ev = agent_stream
        .until(Duration::from_secs(5), |e| e.event == "agent")
        .await
        .expect("agent event");
    assert_eq!(ev.json()["agent"]["id"], agent["id"]);

    let (_, snapshot) = get_ok(&svc, &format!("/api/v1/boards/{bid}/snapshot")).await;
    has(
        &snapshot,
        &[
            "board",
            "tasks",
            "agents",
            "approvals",
            "chat_messages",
            "pending_approvals_count",
        ],
    );
    let (headers, _) = get_ok(&svc, &format!("/api/v1/boards/{bid}/webhooks?limit=50")).await;
    assert_eq!(headers["x-total-count"], "0");

    // Agents, activity, dashboard, gateways, skills.
    let (_, agents) = get_ok(&svc, &format!("/api/v1/agents?limit=200&board_id={bid}&gateway_id=")).await;
    assert_eq!(agents["total"], 1);
    has(
        &get_ok(&svc, &format!("/api/v1/agents/{aid}")).await.1,
        &["id", "name", "status", "board_id", "gateway_id"],
    );
    let (_, activity) = get_ok(&svc, "/api/v1/activity?limit=200&offset=0").await;
    assert!(activity["total"].as_i64().unwrap() > 0);
    has(
        &get_ok(&svc, "/api/v1/metrics/dashboard?range_key=7d").await.1,
        &["range", "kpis", "throughput", "wip", "pending_approvals"],
    );
    let double = system_tests::gateway_double::GatewayDouble::current().await;
    let (status, gw) = svc
        .call(Method::POST, "/api/v1/gateways", Some(double.create_body("gw")))
        .await;
    assert_eq!(status, 200);
    get_ok(&svc, "/api/v1/gateways").await;
    get_ok(&svc, &format!("/api/v1/gateways/{}", gw["id"].as_str().unwrap())).await;
    let (_, st) = get_ok(&svc, &format!("/api/v1/gateways/status?board_id={bid}")).await;
    assert_eq!(st["connected"], false);
    let (_, st) = get_ok(
        &svc,
        "/api/v1/gateways/status?gateway_url=ws%3A%2F%2F127.0.0.1%3A9&gateway_allow_insecure_tls=false&gateway_disable_device_pairing=false",
    )
    .await;
    assert_eq!(st["connected"], false);
    assert_eq!(st["gateway_url"], "ws://127.0.0.1:9");
    assert!(st["error"].is_string());
    let (_, packs) = get_ok(&svc, "/api/v1/skills/packs").await;
    assert!(packs.is_array());
    let (headers, market) = get_ok(
        &svc,
        &format!(
            "/api/v1/skills/marketplace?gateway_id={}&limit=25&offset=0&risk=safe",
            gw["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(market, json!([]));
    assert_eq!(headers["x-total-count"], "0");

    // Tags, custom fields, board groups and the group snapshot.
    let (status, tag) = svc
        .call(Method::POST, "/api/v1/tags", Some(json!({"name": "Urgent"})))
        .await;
    assert_eq!(status, 200, "{tag}");
    let (_, tags) = get_ok(&svc, "/api/v1/tags").await;
    assert!(tags.to_string().contains("urgent"), "{tags}");
    has(
        &get_ok(&svc, &format!("/api/v1/tags/{}", tag["id"].as_str().unwrap()))
            .await
            .1,
        &["id", "name", "slug", "color"],
    );
    let (_, fields) = get_ok(&svc, "/api/v1/organizations/me/custom-fields").await;
    assert!(fields.is_array(), "{fields}");
    let (headers, groups) = get_ok(&svc, "/api/v1/board-groups?limit=200").await;
    has(&groups, &["items", "total", "limit", "offset"]);
    assert_eq!(headers["x-total-count"], groups["total"].to_string().as_str());
    let (_, group_snapshot) = get_ok(
        &svc,
        &format!("/api/v1/boards/{bid}/group-snapshot?include_self=false&include_done=false&per_board_task_limit=5"),
    )
    .await;
    assert!(group_snapshot.get("boards").is_some(), "{group_snapshot}");
    let (_, tasks) = get_ok(&svc, &format!("/api/v1/boards/{bid}/tasks")).await;
    assert_eq!(tasks["total"], 1);

    // The maximum page is 200; more is a 422 the UI can show.
    let (status, body) = svc.call(Method::GET, "/api/v1/boards?limit=201", None).await;
    assert_eq!(status, 422);
    assert!(body["detail"][0]["msg"].is_string());
}

/// SQLite only: preflights are answered by the HTTP layer before any store is involved.
#[tokio::test]
async fn preflights_from_the_ui_origin_are_answered_on_every_path() {
    let svc = Launch::new().env("CORS_ORIGINS", ORIGIN).start().await.unwrap();
    let id = uuid::Uuid::new_v4();
    for path in [
        "/api/v1/users/me".to_owned(),
        "/api/v1/boards".to_owned(),
        format!("/api/v1/boards/{id}/tasks/{id}"),
        format!("/api/v1/boards/{id}/memory"),
        format!("/api/v1/boards/{id}/tasks/stream"),
        "/api/v1/metrics/dashboard".to_owned(),
        "/api/v1/skills/marketplace".to_owned(),
    ] {
        for method in ["GET", "POST", "PATCH", "DELETE"] {
            let res = svc
                .http
                .request(Method::OPTIONS, svc.url(&path))
                .header("origin", ORIGIN)
                .header("access-control-request-method", method)
                .header("access-control-request-headers", "authorization,content-type")
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "{method} {path}");
            let h = res.headers();
            assert_eq!(h["access-control-allow-origin"], ORIGIN, "{method} {path}");
            assert_eq!(h["access-control-allow-credentials"], "true");
            assert!(h["vary"].to_str().unwrap().to_ascii_lowercase().contains("origin"));
            let methods = h["access-control-allow-methods"].to_str().unwrap();
            assert!(methods.contains(method), "{methods}");
        }
    }
    // Clients can read the list headers cross-origin.
    let res = svc
        .user(Method::GET, "/api/v1/boards")
        .header("origin", ORIGIN)
        .send()
        .await
        .unwrap();
    let exposed = res.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for h in ["x-total-count", "x-limit", "x-offset"] {
        assert!(exposed.contains(h), "{exposed}");
    }
}
