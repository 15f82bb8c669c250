//! Group snapshots: the open work of every board in a group, and a board's view of its
//! siblings, for users and for the board's agents.

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::{Backend, Service, id, items, on_both_backends};

use super::board_groups::group_of;

on_both_backends!(
    a_group_snapshot_lists_open_work_in_progress_first_then_by_priority,
    a_group_snapshot_takes_done_tasks_and_a_per_board_limit_on_request,
    a_board_sees_its_siblings_and_itself_only_when_asked,
    a_boards_agent_reads_its_groups_snapshot_and_no_other,
);

/// Boards Api and Web in a group, Outside not; four tasks on Api (one in progress by an
/// agent, one high priority with a tag, one low, one done) and one on Outside.
struct Fixture {
    group: Value,
    api: Value,
    outside: Value,
    doing: Value,
    done: Value,
}

async fn fixture(svc: &Service) -> Fixture {
    let api = svc.create_board("Api").await;
    let web = svc.create_board("Web").await;
    let outside = svc.create_board("Outside").await;
    let group = group_of(svc, &[&api, &web]).await;
    let bid = id(&api);
    let (worker, _) = svc.create_agent(&bid, "worker").await;
    let tag = svc
        .ok(Method::POST, "/api/v1/tags", Some(json!({"name": "Urgent"})))
        .await;
    svc.create_task(&bid, json!({"title": "Low", "priority": "low"})).await;
    svc.create_task(
        &bid,
        json!({"title": "High", "priority": "high", "tag_ids": [tag["id"]]}),
    )
    .await;
    let doing = svc
        .create_task(
            &bid,
            json!({"title": "Doing", "status": "in_progress", "assigned_agent_id": worker["id"]}),
        )
        .await;
    let done = svc.create_task(&bid, json!({"title": "Done"})).await;
    svc.ok(
        Method::PATCH,
        &format!("/api/v1/boards/{bid}/tasks/{}", id(&done)),
        Some(json!({"status": "done"})),
    )
    .await;
    svc.create_task(&id(&outside), json!({"title": "Not in group"})).await;
    Fixture {
        group,
        api,
        outside,
        doing,
        done,
    }
}

fn board_names(snapshot: &Value) -> Vec<&str> {
    items(&snapshot["boards"])
        .iter()
        .map(|b| b["board"]["name"].as_str().unwrap())
        .collect()
}

async fn a_group_snapshot_lists_open_work_in_progress_first_then_by_priority(backend: Backend) {
    let svc = backend.start().await;
    let f = fixture(&svc).await;
    let snap = svc
        .ok(
            Method::GET,
            &format!("/api/v1/board-groups/{}/snapshot", id(&f.group)),
            None,
        )
        .await;
    assert_eq!(snap["group"]["id"], f.group["id"]);
    assert_eq!(board_names(&snap), ["Api", "Web"]);
    let api_snap = &snap["boards"][0];
    assert_eq!(
        api_snap["task_counts"],
        json!({"inbox": 2, "in_progress": 1, "review": 0, "done": 1})
    );
    let titles: Vec<&str> = items(&api_snap["tasks"])
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        ["Doing", "High", "Low"],
        "in progress first, then by priority; done left out"
    );
    let first = &api_snap["tasks"][0];
    assert_eq!(first["assignee"], "worker");
    assert_eq!(first["board_name"], "Api");
    assert_eq!(first["board_id"], f.api["id"]);
    assert!(first["in_progress_at"].is_string());
    assert_eq!(api_snap["tasks"][1]["tags"][0]["slug"], "urgent");
    assert_eq!(snap["boards"][1]["tasks"], json!([]));
}

async fn a_group_snapshot_takes_done_tasks_and_a_per_board_limit_on_request(backend: Backend) {
    let svc = backend.start().await;
    let f = fixture(&svc).await;
    let path = format!("/api/v1/board-groups/{}/snapshot", id(&f.group));
    let snap = svc
        .ok(
            Method::GET,
            &format!("{path}?include_done=true&per_board_task_limit=2"),
            None,
        )
        .await;
    assert_eq!(items(&snap["boards"][0]["tasks"]).len(), 2);
    let snap = svc
        .ok(
            Method::GET,
            &format!("{path}?include_done=true&per_board_task_limit=10"),
            None,
        )
        .await;
    assert_eq!(items(&snap["boards"][0]["tasks"]).len(), 4);
    assert_eq!(
        snap["boards"][0]["tasks"][3]["id"], f.done["id"],
        "done tasks come last"
    );
    let (status, _) = svc
        .call(Method::GET, &format!("{path}?per_board_task_limit=-1"), None)
        .await;
    assert_eq!(status, 422);
}

async fn a_board_sees_its_siblings_and_itself_only_when_asked(backend: Backend) {
    let svc = backend.start().await;
    let f = fixture(&svc).await;
    let view = |board: &Value, query: &str| format!("/api/v1/boards/{}/group-snapshot{query}", id(board));
    let from_api = svc.ok(Method::GET, &view(&f.api, ""), None).await;
    assert_eq!(from_api["group"]["id"], f.group["id"]);
    assert_eq!(board_names(&from_api), ["Web"]);
    let with_self = svc
        .ok(
            Method::GET,
            &view(&f.api, "?include_self=true&per_board_task_limit=1"),
            None,
        )
        .await;
    assert_eq!(items(&with_self["boards"]).len(), 2);
    assert_eq!(with_self["boards"][0]["tasks"][0]["id"], f.doing["id"]);
    let lonely = svc.ok(Method::GET, &view(&f.outside, ""), None).await;
    assert_eq!(lonely, json!({"group": null, "boards": []}));
    let (status, _) = svc
        .call(Method::GET, &view(&f.api, "?per_board_task_limit=101"), None)
        .await;
    assert_eq!(status, 422);
    let (status, _) = svc
        .call(Method::GET, &view(&json!({"id": uuid::Uuid::new_v4()}), ""), None)
        .await;
    assert_eq!(status, 404);
}

async fn a_boards_agent_reads_its_groups_snapshot_and_no_other(backend: Backend) {
    let svc = backend.start().await;
    let mine = svc.create_board("Mine").await;
    let sibling = svc.create_board("Sibling").await;
    group_of(&svc, &[&mine, &sibling]).await;
    svc.create_task(&id(&sibling), json!({"title": "Sibling work"})).await;
    let (_, token) = svc.create_agent(&id(&mine), "worker").await;
    let snap = svc
        .ok_as_agent(
            &token,
            Method::GET,
            &format!("/api/v1/boards/{}/group-snapshot", id(&mine)),
            None,
        )
        .await;
    assert_eq!(snap["boards"][0]["board"]["id"], sibling["id"]);
    assert_eq!(snap["boards"][0]["tasks"][0]["title"], "Sibling work");
    let (status, _) = svc
        .call_as_agent(
            &token,
            Method::GET,
            &format!("/api/v1/boards/{}/group-snapshot", id(&sibling)),
            None,
        )
        .await;
    assert_eq!(status, 403, "a board-bound agent reads only its own board");
}
