//! Gateways stored as data, and boards on them or without one.

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::gateway_double::GatewayDouble;
use system_tests::{Backend, Service, id, on_both_backends};

on_both_backends!(
    gateways_are_stored_and_their_url_is_validated,
    a_board_takes_the_reference_defaults_and_patches_its_rules,
    boards_filter_by_gateway_and_refuse_blank_names,
    a_gateway_in_use_by_a_board_cannot_be_deleted,
    deleting_a_board_removes_everything_under_it,
);

/// A gateway on a running double (kept alive by the caller).
pub async fn gateway(svc: &Service, double: &GatewayDouble) -> Value {
    svc.ok(Method::POST, "/api/v1/gateways", Some(double.create_body("gw")))
        .await
}

pub async fn board_on(svc: &Service, gw: &Value) -> Value {
    svc.ok(
        Method::POST,
        "/api/v1/boards",
        Some(json!({"name": "Launch", "slug": "launch", "description": "Ship it", "gateway_id": gw["id"]})),
    )
    .await
}

async fn gateways_are_stored_and_their_url_is_validated(backend: Backend) {
    let svc = backend.start().await;
    let double = GatewayDouble::current().await;
    let org = svc.ok(Method::GET, "/api/v1/organizations/me", None).await;
    let gw = gateway(&svc, &double).await;
    assert_eq!(gw["organization_id"], org["id"]);
    assert_eq!(gw["allow_insecure_tls"], false);
    let gws = svc.ok(Method::GET, "/api/v1/gateways", None).await;
    assert_eq!(gws["total"], 1);
    let got = svc
        .ok(Method::GET, &format!("/api/v1/gateways/{}", id(&gw)), None)
        .await;
    assert_eq!(got["url"], double.url.as_str());
    let (status, _) = svc
        .call(
            Method::POST,
            "/api/v1/gateways",
            Some(json!({"name": "x", "url": "nope", "workspace_root": "/"})),
        )
        .await;
    assert_eq!(status, 422);
}

async fn a_board_takes_the_reference_defaults_and_patches_its_rules(backend: Backend) {
    let svc = backend.start().await;
    let double = GatewayDouble::current().await;
    let gw = gateway(&svc, &double).await;
    let on_gw = board_on(&svc, &gw).await;
    assert_eq!(on_gw["gateway_id"], gw["id"]);
    assert_eq!(on_gw["require_approval_for_done"], true, "the reference default");
    let board = svc.create_board("Ops").await;
    assert!(board["gateway_id"].is_null());
    let patched = svc
        .ok(
            Method::PATCH,
            &format!("/api/v1/boards/{}", id(&board)),
            Some(json!({"require_approval_for_done": false, "objective": "Keep the lights on"})),
        )
        .await;
    assert_eq!(patched["require_approval_for_done"], false);
    assert_eq!(patched["objective"], "Keep the lights on");
}

async fn boards_filter_by_gateway_and_refuse_blank_names(backend: Backend) {
    let svc = backend.start().await;
    let double = GatewayDouble::current().await;
    let gw = gateway(&svc, &double).await;
    board_on(&svc, &gw).await;
    svc.create_board("Ops").await;
    let boards = svc
        .ok(Method::GET, &format!("/api/v1/boards?gateway_id={}", id(&gw)), None)
        .await;
    assert_eq!(boards["total"], 1);
    let (status, _) = svc
        .call(
            Method::POST,
            "/api/v1/boards",
            Some(json!({"name": "  ", "slug": "x", "description": "d"})),
        )
        .await;
    assert_eq!(status, 422, "blank names are refused");
}

async fn a_gateway_in_use_by_a_board_cannot_be_deleted(backend: Backend) {
    let svc = backend.start().await;
    let double = GatewayDouble::current().await;
    let gw = gateway(&svc, &double).await;
    board_on(&svc, &gw).await;
    let (status, _) = svc
        .call(Method::DELETE, &format!("/api/v1/gateways/{}", id(&gw)), None)
        .await;
    assert_eq!(status, 409);
}

/// No rows are left pointing at a deleted board.
async fn deleting_a_board_removes_everything_under_it(backend: Backend) {
    let svc = backend.start().await;
    let bid = id(&svc.create_board("Ops").await);
    let tag = svc
        .ok(Method::POST, "/api/v1/tags", Some(json!({"name": "Tagged"})))
        .await;
    let (agent, _) = svc.create_agent(&bid, "Scout").await;
    let first = svc
        .create_task(
            &bid,
            json!({"title": "first", "tag_ids": [tag["id"]], "assigned_agent_id": agent["id"]}),
        )
        .await;
    svc.create_task(&bid, json!({"title": "second", "depends_on_task_ids": [first["id"]]}))
        .await;
    svc.ok(Method::DELETE, &format!("/api/v1/boards/{bid}"), None).await;
    assert_eq!(
        svc.call(Method::GET, &format!("/api/v1/boards/{bid}"), None).await.0,
        404
    );
    let tasks = format!("/api/v1/boards/{bid}/tasks");
    assert_eq!(svc.call(Method::GET, &tasks, None).await.0, 404);
    for (table, column) in [
        ("tasks", "board_id"),
        ("task_dependencies", "board_id"),
        ("activity_events", "board_id"),
        ("tag_assignments", "task_id"),
    ] {
        let parent = if column == "task_id" { "tasks" } else { "boards" };
        let orphans = svc
            .database
            .count(&format!(
                "SELECT count(*) FROM {table} WHERE {column} NOT IN (SELECT id FROM {parent})"
            ))
            .await;
        assert_eq!(orphans, 0, "orphans in {table}");
    }
    let agents = svc
        .database
        .count("SELECT count(*) FROM agents WHERE board_id IS NOT NULL AND board_id NOT IN (SELECT id FROM boards)")
        .await;
    assert_eq!(agents, 0);
}
