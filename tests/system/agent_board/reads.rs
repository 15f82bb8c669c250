//! The board, its agents and the tag catalog as an agent reads them, and the scope of every
//! agent board route: a board-bound agent only its own board (403), an agent bound to no
//! board only boards of its organization (404 for another organization's).

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::{Backend, Deployment, Launch, id, items, on_both_backends};

use super::{foreign_board, main_agent};

on_both_backends!(
    a_board_agent_reads_its_board_its_agents_and_the_tags,
    a_board_agent_is_refused_every_other_board,
    the_main_agent_reaches_its_organization_only,
);

/// A deployment whose agent-auth budget outlasts a test that walks every route.
async fn start(backend: Backend) -> Deployment {
    backend
        .start_with(Launch::new().env("RATE_LIMIT_AGENT_AUTH_REQUESTS", "1000"))
        .await
}

fn names(page: &Value) -> Vec<String> {
    let mut out: Vec<String> = items(page)
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

async fn a_board_agent_reads_its_board_its_agents_and_the_tags(backend: Backend) {
    let svc = start(backend).await;
    let board = id(&svc.create_board("Crew").await);
    let other = id(&svc.create_board("Other").await);
    let (_, token) = svc.create_agent(&board, "Worker").await;
    svc.create_agent(&board, "Lead").await;
    svc.create_agent(&other, "Stranger").await;
    for name in ["zeta", "Alpha"] {
        svc.ok(
            Method::POST,
            "/api/v1/tags",
            Some(json!({"name": name, "color": "#FFAA00"})),
        )
        .await;
    }

    let read = svc
        .ok_as_agent(&token, Method::GET, &format!("/api/v1/agent/boards/{board}"), None)
        .await;
    assert_eq!(read["id"], json!(board), "{read}");
    assert_eq!(read["name"], "Crew", "{read}");

    // The board's agents, with or without naming the board; pages as usual.
    let all = svc.ok_as_agent(&token, Method::GET, "/api/v1/agent/agents", None).await;
    assert_eq!(names(&all), ["Lead", "Worker"], "{all}");
    assert_eq!(all["total"], 2, "{all}");
    let named = svc
        .ok_as_agent(
            &token,
            Method::GET,
            &format!("/api/v1/agent/agents?board_id={board}"),
            None,
        )
        .await;
    assert_eq!(names(&named), ["Lead", "Worker"], "{named}");
    let page = svc
        .ok_as_agent(&token, Method::GET, "/api/v1/agent/agents?limit=1&offset=1", None)
        .await;
    assert_eq!((items(&page).len(), &page["total"]), (1, &json!(2)), "{page}");
    assert!(items(&all).iter().all(|a| a.get("token").is_none()), "{all}");

    // The organization's tags, by name, unpaged, as {id, name, slug, color}.
    let tags = svc
        .ok_as_agent(&token, Method::GET, &format!("/api/v1/agent/boards/{board}/tags"), None)
        .await;
    let list = tags.as_array().expect("a plain array");
    let got: Vec<&str> = list.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(got, ["Alpha", "zeta"], "{tags}");
    let mut keys: Vec<&String> = list[0].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["color", "id", "name", "slug"], "{tags}");
    assert_eq!(list[0]["color"], "ffaa00", "{tags}");
    assert_eq!(list[0]["slug"], "alpha", "{tags}");

    // Board memory as the agent: written, listed, filtered.
    let note = svc
        .ok_as_agent(
            &token,
            Method::POST,
            &format!("/api/v1/agent/boards/{board}/memory"),
            Some(json!({"content": "  remember the milk ", "tags": ["note"]})),
        )
        .await;
    assert_eq!(note["content"], "remember the milk", "{note}");
    assert_eq!(note["source"], "Worker", "the author's name by default: {note}");
    assert_eq!(note["is_chat"], false, "{note}");
    let chat = svc
        .ok_as_agent(
            &token,
            Method::POST,
            &format!("/api/v1/agent/boards/{board}/memory"),
            Some(json!({"content": "hi", "tags": ["chat"], "source": "bot"})),
        )
        .await;
    assert_eq!(
        (&chat["is_chat"], &chat["source"]),
        (&json!(true), &json!("bot")),
        "{chat}"
    );
    let memory = format!("/api/v1/agent/boards/{board}/memory");
    let listed = svc.ok_as_agent(&token, Method::GET, &memory, None).await;
    assert_eq!(listed["total"], 2, "{listed}");
    assert_eq!(items(&listed)[0]["id"], chat["id"], "newest first: {listed}");
    let only_chat = svc
        .ok_as_agent(&token, Method::GET, &format!("{memory}?is_chat=true"), None)
        .await;
    assert_eq!(only_chat["total"], 1, "{only_chat}");
    // The user sees what the agent wrote.
    let seen = svc
        .ok(
            Method::GET,
            &format!("/api/v1/boards/{board}/memory?is_chat=false"),
            None,
        )
        .await;
    assert_eq!(items(&seen)[0]["id"], note["id"], "{seen}");
    // A blank entry is refused.
    let (status, body) = svc
        .call_as_agent(&token, Method::POST, &memory, Some(json!({"content": "   "})))
        .await;
    assert_eq!(status, 422, "{body}");
}

async fn a_board_agent_is_refused_every_other_board(backend: Backend) {
    let svc = start(backend).await;
    let board = id(&svc.create_board("Crew").await);
    let other = id(&svc.create_board("Other").await);
    let foreign = foreign_board(&svc).await;
    let (_, token) = svc.create_agent(&board, "Worker").await;
    let missing = uuid::Uuid::new_v4().to_string();

    for target in [&other, &foreign, &missing] {
        let base = format!("/api/v1/agent/boards/{target}");
        for (method, path, body) in [
            (Method::GET, base.clone(), None),
            (Method::GET, format!("{base}/tags"), None),
            (Method::GET, format!("{base}/memory"), None),
            (Method::POST, format!("{base}/memory"), Some(json!({"content": "x"}))),
            (Method::GET, format!("{base}/approvals"), None),
            (
                Method::POST,
                format!("{base}/approvals"),
                Some(json!({"action_type": "deploy", "confidence": 50, "lead_reasoning": "why"})),
            ),
            (Method::GET, format!("/api/v1/agent/agents?board_id={target}"), None),
        ] {
            let (status, answer) = svc.call_as_agent(&token, method.clone(), &path, body).await;
            assert_eq!(status, 403, "{method} {path}: {answer}");
            assert!(
                answer["detail"].is_string() && answer["request_id"].is_string(),
                "{answer}"
            );
        }
    }
    // Nothing was written on the other board.
    let memory = svc
        .ok(Method::GET, &format!("/api/v1/boards/{other}/memory"), None)
        .await;
    assert_eq!(memory["total"], 0, "{memory}");
    // No token, or a wrong one: 401.
    let (status, _) = svc
        .call_as_agent(
            "not-a-token",
            Method::GET,
            &format!("/api/v1/agent/boards/{board}"),
            None,
        )
        .await;
    assert_eq!(status, 401);
    let (status, _) = svc
        .call(Method::GET, &format!("/api/v1/agent/boards/{board}/tags"), None)
        .await;
    assert_eq!(status, 401, "a user's token is not an agent's");
}

async fn the_main_agent_reaches_its_organization_only(backend: Backend) {
    let svc = start(backend).await;
    let crew = id(&svc.create_board("Crew").await);
    let other = id(&svc.create_board("Other").await);
    let foreign = foreign_board(&svc).await;
    svc.create_agent(&crew, "Worker").await;
    svc.create_agent(&other, "Stranger").await;
    let (main_id, token) = main_agent(&svc, &crew, "Main").await;
    svc.ok(Method::POST, "/api/v1/tags", Some(json!({"name": "home-tag"})))
        .await;

    // Every agent of its organization, or one board's; never another organization's.
    let all = svc.ok_as_agent(&token, Method::GET, "/api/v1/agent/agents", None).await;
    assert_eq!(names(&all), ["Main", "Stranger", "Worker"], "{all}");
    let one = svc
        .ok_as_agent(
            &token,
            Method::GET,
            &format!("/api/v1/agent/agents?board_id={other}"),
            None,
        )
        .await;
    assert_eq!(names(&one), ["Stranger"], "{one}");
    assert!(
        items(&all)
            .iter()
            .any(|a| a["id"] == json!(main_id) && a["board_id"].is_null())
    );

    // Any board of its organization: read, write memory, list approvals and tags.
    for board in [&crew, &other] {
        let read = svc
            .ok_as_agent(&token, Method::GET, &format!("/api/v1/agent/boards/{board}"), None)
            .await;
        assert_eq!(read["id"], json!(board), "{read}");
        let tags = svc
            .ok_as_agent(&token, Method::GET, &format!("/api/v1/agent/boards/{board}/tags"), None)
            .await;
        let got: Vec<&str> = tags
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(got, ["home-tag"], "the organization's tags only: {tags}");
        svc.ok_as_agent(
            &token,
            Method::POST,
            &format!("/api/v1/agent/boards/{board}/memory"),
            Some(json!({"content": "main was here"})),
        )
        .await;
        svc.ok_as_agent(
            &token,
            Method::GET,
            &format!("/api/v1/agent/boards/{board}/approvals"),
            None,
        )
        .await;
    }

    // Another organization's board is not found, on every route.
    let base = format!("/api/v1/agent/boards/{foreign}");
    for (method, path, body) in [
        (Method::GET, base.clone(), None),
        (Method::GET, format!("{base}/tags"), None),
        (Method::GET, format!("{base}/memory"), None),
        (Method::POST, format!("{base}/memory"), Some(json!({"content": "x"}))),
        (Method::GET, format!("{base}/approvals"), None),
        (
            Method::POST,
            format!("{base}/approvals"),
            Some(json!({"action_type": "deploy", "confidence": 50, "lead_reasoning": "why"})),
        ),
        (Method::GET, format!("/api/v1/agent/agents?board_id={foreign}"), None),
    ] {
        let (status, answer) = svc.call_as_agent(&token, method.clone(), &path, body).await;
        assert_eq!(status, 404, "{method} {path}: {answer}");
    }
}
