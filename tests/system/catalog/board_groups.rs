//! Board groups: name and slug rules, partial updates, the group heartbeat (from a user and
//! from a lead agent), and deletion detaching the boards.

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::{Backend, Service, id, items, on_both_backends};

on_both_backends!(
    a_board_group_needs_a_name_and_a_slug,
    patching_a_board_group_keeps_the_fields_not_sent,
    the_group_heartbeat_reaches_every_agent_of_its_boards_and_no_other,
    the_group_heartbeat_is_validated,
    only_a_lead_of_a_board_in_the_group_sets_its_heartbeat,
    deleting_a_group_detaches_its_boards,
);

/// A group and its JSON, and boards moved into it.
pub async fn group_of(svc: &Service, boards: &[&Value]) -> Value {
    let group = svc
        .ok(
            Method::POST,
            "/api/v1/board-groups",
            Some(json!({"name": "Platform", "slug": "platform", "description": "All platform work"})),
        )
        .await;
    for b in boards {
        let moved = svc
            .ok(
                Method::PATCH,
                &format!("/api/v1/boards/{}", id(b)),
                Some(json!({"board_group_id": group["id"], "require_approval_for_done": false})),
            )
            .await;
        assert_eq!(moved["board_group_id"], group["id"]);
    }
    group
}

async fn a_board_group_needs_a_name_and_a_slug(backend: Backend) {
    let svc = backend.start().await;
    let (status, _) = svc
        .call(
            Method::POST,
            "/api/v1/board-groups",
            Some(json!({"name": " ", "slug": "x"})),
        )
        .await;
    assert_eq!(status, 422, "a blank name");
    let (status, _) = svc
        .call(Method::POST, "/api/v1/board-groups", Some(json!({"name": "x"})))
        .await;
    assert_eq!(status, 422, "slug is required");
    group_of(&svc, &[]).await;
    let listed = svc.ok(Method::GET, "/api/v1/board-groups", None).await;
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["slug"], "platform");
}

async fn patching_a_board_group_keeps_the_fields_not_sent(backend: Backend) {
    let svc = backend.start().await;
    let gid = id(&group_of(&svc, &[]).await);
    let renamed = svc
        .ok(
            Method::PATCH,
            &format!("/api/v1/board-groups/{gid}"),
            Some(json!({"name": "Platform team"})),
        )
        .await;
    assert_eq!(renamed["name"], "Platform team");
    assert_eq!(renamed["description"], "All platform work");
    let got = svc.ok(Method::GET, &format!("/api/v1/board-groups/{gid}"), None).await;
    assert_eq!(got["name"], "Platform team");
    let (status, _) = svc
        .call(
            Method::GET,
            &format!("/api/v1/board-groups/{}", uuid::Uuid::new_v4()),
            None,
        )
        .await;
    assert_eq!(status, 404);
}

fn sorted_ids(v: &Value) -> Vec<String> {
    let mut ids: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    ids.sort_unstable();
    ids
}

async fn the_group_heartbeat_reaches_every_agent_of_its_boards_and_no_other(backend: Backend) {
    let svc = backend.start().await;
    let api = svc.create_board("Api").await;
    let web = svc.create_board("Web").await;
    let outside = svc.create_board("Outside").await;
    let gid = id(&group_of(&svc, &[&api, &web]).await);
    let (worker, _) = svc.create_agent(&id(&api), "worker").await;
    let (helper, _) = svc.create_agent(&id(&web), "helper").await;
    svc.create_agent(&id(&outside), "bystander").await;
    let applied = svc
        .ok(
            Method::POST,
            &format!("/api/v1/board-groups/{gid}/heartbeat"),
            Some(json!({"every": "5m"})),
        )
        .await;
    assert_eq!(applied["board_group_id"], json!(gid));
    assert_eq!(
        applied["requested"],
        json!({"every": "5m", "include_board_leads": false})
    );
    assert_eq!(applied["failed_agent_ids"], json!([]));
    assert_eq!(
        sorted_ids(&applied["updated_agent_ids"]),
        sorted_ids(&json!([worker["id"], helper["id"]]))
    );
    let agent = svc
        .ok(Method::GET, &format!("/api/v1/agents/{}", id(&helper)), None)
        .await;
    assert_eq!(agent["heartbeat_config"]["every"], "5m");
    let agents = svc
        .ok(Method::GET, &format!("/api/v1/agents?board_id={}", id(&outside)), None)
        .await;
    assert_ne!(
        agents["items"][0]["heartbeat_config"]["every"], "5m",
        "agents outside the group are untouched"
    );
}

async fn the_group_heartbeat_is_validated(backend: Backend) {
    let svc = backend.start().await;
    let gid = id(&group_of(&svc, &[]).await);
    let path = format!("/api/v1/board-groups/{gid}/heartbeat");
    assert_eq!(svc.call(Method::POST, &path, Some(json!({"every": " "}))).await.0, 422);
    assert_eq!(svc.call(Method::POST, &path, Some(json!({}))).await.0, 422);
    let (status, _) = svc
        .call(
            Method::POST,
            &format!("/api/v1/board-groups/{}/heartbeat", uuid::Uuid::new_v4()),
            Some(json!({"every": "5m"})),
        )
        .await;
    assert_eq!(status, 404);
}

/// Leads are included only when asked. The API cannot make a lead yet, so the test promotes
/// them in the database.
async fn only_a_lead_of_a_board_in_the_group_sets_its_heartbeat(backend: Backend) {
    let svc = backend.start().await;
    let mine = svc.create_board("Mine").await;
    let sibling = svc.create_board("Sibling").await;
    let stranger = svc.create_board("Stranger").await;
    let gid = id(&group_of(&svc, &[&mine, &sibling]).await);
    let (lead, lead_token) = svc.create_agent(&id(&mine), "lead").await;
    let (worker, worker_token) = svc.create_agent(&id(&mine), "worker").await;
    let (sib_worker, _) = svc.create_agent(&id(&sibling), "sib-worker").await;
    let (_, stranger_lead_token) = svc.create_agent(&id(&stranger), "stranger-lead").await;
    svc.database
        .execute("UPDATE agents SET is_board_lead = true WHERE name IN ('lead', 'stranger-lead')")
        .await;

    let path = format!("/api/v1/board-groups/{gid}/heartbeat");
    let heartbeat = async |token: &str, body: Value| svc.call_as_agent(token, Method::POST, &path, Some(body)).await;
    let (status, _) = heartbeat(&worker_token, json!({"every": "1m"})).await;
    assert_eq!(status, 403, "workers may not");
    let (status, _) = heartbeat(&stranger_lead_token, json!({"every": "1m"})).await;
    assert_eq!(status, 403, "leads of boards outside the group may not");

    let (status, applied) = heartbeat(&lead_token, json!({"every": "2m"})).await;
    assert_eq!(status, 200, "{applied}");
    assert_eq!(
        sorted_ids(&applied["updated_agent_ids"]),
        sorted_ids(&json!([worker["id"], sib_worker["id"]])),
        "leads are left out by default"
    );
    let (status, applied) = heartbeat(&lead_token, json!({"every": "3m", "include_board_leads": true})).await;
    assert_eq!(status, 200);
    assert_eq!(items(&applied["updated_agent_ids"]).len(), 3);
    let read = svc
        .ok(Method::GET, &format!("/api/v1/agents/{}", id(&lead)), None)
        .await;
    assert_eq!(
        read["heartbeat_config"],
        json!({"every": "3m", "target": "last", "includeReasoning": false})
    );
}

async fn deleting_a_group_detaches_its_boards(backend: Backend) {
    let svc = backend.start().await;
    let api = svc.create_board("Api").await;
    let web = svc.create_board("Web").await;
    let gid = id(&group_of(&svc, &[&api, &web]).await);
    svc.ok(Method::DELETE, &format!("/api/v1/board-groups/{gid}"), None)
        .await;
    let (status, _) = svc
        .call(Method::GET, &format!("/api/v1/board-groups/{gid}"), None)
        .await;
    assert_eq!(status, 404);
    for b in [&api, &web] {
        let board = svc.ok(Method::GET, &format!("/api/v1/boards/{}", id(b)), None).await;
        assert!(board["board_group_id"].is_null(), "{board}");
    }
    let listed = svc.ok(Method::GET, "/api/v1/board-groups", None).await;
    assert_eq!(listed["total"], 0);
}
