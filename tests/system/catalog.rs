//! The catalog: tags, custom field definitions and the values tasks carry, board groups
//! with their snapshots and heartbeat settings. The main flows run on SQLite and on
//! PostgreSQL; the rule checks run on SQLite.

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::{Launch, Service, TestDb};

async fn ok(svc: &Service, method: Method, path: &str, body: Option<Value>) -> Value {
    let (status, value) = svc.call(method.clone(), path, body).await;
    assert_eq!(status, 200, "{method} {path}: {value}");
    value
}

async fn status_of(svc: &Service, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    svc.call(method, path, body).await
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

/// Tags: create with derived slug and default color, conflicts, counts, update, delete.
async fn tag_flow(svc: &Service) {
    let org = ok(svc, Method::GET, "/api/v1/organizations/me", None).await;
    let tag = ok(
        svc,
        Method::POST,
        "/api/v1/tags",
        Some(json!({"name": "  Needs Review! "})),
    )
    .await;
    assert_eq!(tag["slug"], "needs-review");
    assert_eq!(tag["color"], "9e9e9e");
    assert_eq!(tag["task_count"], 0);
    assert_eq!(tag["organization_id"], org["id"]);
    assert!(tag["description"].is_null());

    let (status, body) = status_of(svc, Method::POST, "/api/v1/tags", Some(json!({"name": "needs review"}))).await;
    assert_eq!(status, 409, "same derived slug: {body}");
    let (status, _) = status_of(
        svc,
        Method::POST,
        "/api/v1/tags",
        Some(json!({"name": "x", "slug": "Needs--Review"})),
    )
    .await;
    assert_eq!(status, 409, "an explicit slug is normalised before the check");

    let bug = ok(
        svc,
        Method::POST,
        "/api/v1/tags",
        Some(json!({"name": "Bug", "color": "#FF0000", "description": "Broken things"})),
    )
    .await;
    assert_eq!(bug["color"], "ff0000");
    let odd = ok(svc, Method::POST, "/api/v1/tags", Some(json!({"name": "!!!"}))).await;
    assert_eq!(odd["slug"], "tag", "nothing left to slug: the fallback");
    let (status, body) = status_of(
        svc,
        Method::POST,
        "/api/v1/tags",
        Some(json!({"name": "c", "color": "red"})),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["detail"][0]["loc"], json!(["body", "color"]));
    let (status, _) = status_of(svc, Method::POST, "/api/v1/tags", Some(json!({"name": ""}))).await;
    assert_eq!(status, 422);

    // Tasks carry tags; the count follows.
    let board = svc.create_board("Tagged").await;
    let bid = id(&board);
    let task = ok(
        svc,
        Method::POST,
        &format!("/api/v1/boards/{bid}/tasks"),
        Some(json!({"title": "Fix it", "tag_ids": [tag["id"], bug["id"]]})),
    )
    .await;
    assert_eq!(task["tags"].as_array().map(Vec::len), Some(2));
    let got = ok(svc, Method::GET, &format!("/api/v1/tags/{}", id(&bug)), None).await;
    assert_eq!(got["task_count"], 1);
    let list = ok(svc, Method::GET, "/api/v1/tags", None).await;
    assert_eq!(list["total"], 3);
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, ["!!!", "Bug", "Needs Review!"], "names are trimmed");
    let page = ok(svc, Method::GET, "/api/v1/tags?limit=1&offset=1", None).await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(page["total"], 3);

    // Update: rename keeps the slug; a new slug is normalised and must be free.
    let renamed = ok(
        svc,
        Method::PATCH,
        &format!("/api/v1/tags/{}", id(&bug)),
        Some(json!({"name": "Defect", "color": "00AA00"})),
    )
    .await;
    assert_eq!(renamed["slug"], "bug");
    assert_eq!(renamed["color"], "00aa00");
    assert_eq!(renamed["description"], "Broken things");
    let (status, _) = status_of(
        svc,
        Method::PATCH,
        &format!("/api/v1/tags/{}", id(&bug)),
        Some(json!({"slug": "needs-review"})),
    )
    .await;
    assert_eq!(status, 409);
    let reslugged = ok(
        svc,
        Method::PATCH,
        &format!("/api/v1/tags/{}", id(&bug)),
        Some(json!({"slug": "Defect Type", "description": null})),
    )
    .await;
    assert_eq!(reslugged["slug"], "defect-type");
    assert!(reslugged["description"].is_null());

    // Delete removes the assignments, then the tag.
    ok(svc, Method::DELETE, &format!("/api/v1/tags/{}", id(&bug)), None).await;
    let (status, _) = status_of(svc, Method::GET, &format!("/api/v1/tags/{}", id(&bug)), None).await;
    assert_eq!(status, 404);
    let (status, _) = status_of(svc, Method::DELETE, &format!("/api/v1/tags/{}", id(&bug)), None).await;
    assert_eq!(status, 404);
    let tasks = ok(svc, Method::GET, &format!("/api/v1/boards/{bid}/tasks"), None).await;
    assert_eq!(tasks["items"][0]["tag_ids"], json!([tag["id"]]));

    // A tag id from nowhere.
    let nowhere = uuid::Uuid::new_v4();
    let (status, _) = status_of(svc, Method::GET, &format!("/api/v1/tags/{nowhere}"), None).await;
    assert_eq!(status, 404);
    let (status, body) = status_of(
        svc,
        Method::POST,
        &format!("/api/v1/boards/{bid}/tasks"),
        Some(json!({"title": "x", "tag_ids": [nowhere]})),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["detail"]["missing_tag_ids"], json!([nowhere]));
    assert_eq!(task["title"], "Fix it");
}

/// Custom fields: definitions bound to boards, values checked and stored with tasks,
/// defaults merged into reads, deletion refused while values exist.
async fn custom_field_flow(svc: &Service) {
    let board = svc.create_board("Fields").await;
    let other = svc.create_board("Elsewhere").await;
    let bid = id(&board);
    let tasks = format!("/api/v1/boards/{bid}/tasks");

    let points = ok(
        svc,
        Method::POST,
        "/api/v1/organizations/me/custom-fields",
        Some(json!({"field_key": "points", "field_type": "integer", "default_value": 3, "board_ids": [board["id"]]})),
    )
    .await;
    assert_eq!(points["label"], "points", "the label defaults to the key");
    assert_eq!(points["ui_visibility"], "always");
    assert_eq!(points["required"], false);
    assert_eq!(points["board_ids"], json!([board["id"]]));
    let ticket = ok(
        svc,
        Method::POST,
        "/api/v1/organizations/me/custom-fields",
        Some(json!({
            "field_key": "ticket", "label": "Ticket", "field_type": "text", "ui_visibility": "if_set",
            "validation_regex": "[A-Z]+-\\d+", "board_ids": [board["id"], other["id"]]
        })),
    )
    .await;
    assert_eq!(ticket["validation_regex"], "[A-Z]+-\\d+");
    let listed = ok(svc, Method::GET, "/api/v1/organizations/me/custom-fields", None).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(2));

    // A task created without values gets the defaults, stored and read back.
    let plain = ok(svc, Method::POST, &tasks, Some(json!({"title": "Plain"}))).await;
    assert_eq!(plain["custom_field_values"], json!({"points": 3, "ticket": null}));
    let valued = ok(
        svc,
        Method::POST,
        &tasks,
        Some(json!({"title": "Valued", "custom_field_values": {"points": 8, "ticket": "OPS-12"}})),
    )
    .await;
    assert_eq!(valued["custom_field_values"], json!({"points": 8, "ticket": "OPS-12"}));

    // Wrong types, regex mismatches and unknown keys are 422s at the key.
    for (values, key) in [
        (json!({"points": "8"}), "points"),
        (json!({"points": 1.5}), "points"),
        (json!({"points": true}), "points"),
        (json!({"ticket": "ops-12"}), "ticket"),
        (json!({"ticket": 12}), "ticket"),
        (json!({"nope": 1}), "nope"),
    ] {
        let (status, body) = status_of(
            svc,
            Method::POST,
            &tasks,
            Some(json!({"title": "Bad", "custom_field_values": values})),
        )
        .await;
        assert_eq!(status, 422, "{values}: {body}");
        assert_eq!(
            body["detail"][0]["loc"],
            json!(["body", "custom_field_values", key]),
            "{body}"
        );
    }

    // PATCH upserts the keys sent; null removes the stored value (the default shows again).
    let path = format!("{tasks}/{}", id(&valued));
    let patched = ok(
        svc,
        Method::PATCH,
        &path,
        Some(json!({"custom_field_values": {"ticket": "OPS-13"}})),
    )
    .await;
    assert_eq!(patched["custom_field_values"], json!({"points": 8, "ticket": "OPS-13"}));
    let cleared = ok(
        svc,
        Method::PATCH,
        &path,
        Some(json!({"custom_field_values": {"points": null}})),
    )
    .await;
    assert_eq!(cleared["custom_field_values"], json!({"points": 3, "ticket": "OPS-13"}));
    let (status, body) = status_of(
        svc,
        Method::PATCH,
        &path,
        Some(json!({"custom_field_values": {"points": "x"}})),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["detail"][0]["loc"],
        json!(["body", "custom_field_values", "points"])
    );
    let listed = ok(svc, Method::GET, &tasks, None).await;
    let read = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == valued["id"])
        .unwrap()
        .clone();
    assert_eq!(read["custom_field_values"], json!({"points": 3, "ticket": "OPS-13"}));

    // Fields of another board are unknown here; the other board only knows its own.
    let elsewhere = ok(
        svc,
        Method::POST,
        &format!("/api/v1/boards/{}/tasks", id(&other)),
        Some(json!({"title": "E"})),
    )
    .await;
    assert_eq!(elsewhere["custom_field_values"], json!({"ticket": null}));
    let (status, _) = status_of(
        svc,
        Method::POST,
        &format!("/api/v1/boards/{}/tasks", id(&other)),
        Some(json!({"title": "E", "custom_field_values": {"points": 1}})),
    )
    .await;
    assert_eq!(status, 422);

    // Required fields refuse null, also when no default fills them.
    let owner = ok(
        svc,
        Method::POST,
        "/api/v1/organizations/me/custom-fields",
        Some(json!({"field_key": "owner", "required": true, "board_ids": [other["id"]]})),
    )
    .await;
    let (status, body) = status_of(
        svc,
        Method::POST,
        &format!("/api/v1/boards/{}/tasks", id(&other)),
        Some(json!({"title": "E"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["detail"][0]["loc"],
        json!(["body", "custom_field_values", "owner"])
    );

    // Definition rules.
    let create = |body: Value| status_of(svc, Method::POST, "/api/v1/organizations/me/custom-fields", Some(body));
    let (status, _) = create(json!({"field_key": "points", "board_ids": [board["id"]]})).await;
    assert_eq!(status, 409, "keys are unique per organization");
    let (status, body) = create(json!({"field_key": "k", "board_ids": []})).await;
    assert_eq!(status, 422, "at least one board: {body}");
    let (status, body) = create(json!({"field_key": "k", "board_ids": [uuid::Uuid::new_v4()]})).await;
    assert_eq!(status, 422, "boards must be in the organization: {body}");
    let (status, body) = create(json!({"field_key": "k", "validation_regex": "(", "board_ids": [board["id"]]})).await;
    assert_eq!(status, 422, "regex must compile: {body}");
    let (status, _) = create(
        json!({"field_key": "k", "field_type": "integer", "validation_regex": "\\d+", "board_ids": [board["id"]]}),
    )
    .await;
    assert_eq!(status, 422, "regex only for string types");
    let (status, _) = create(json!({"field_key": "k", "field_type": "number", "board_ids": [board["id"]]})).await;
    assert_eq!(status, 422, "unknown type");
    let (status, _) = create(json!({"field_key": "k", "ui_visibility": "sometimes", "board_ids": [board["id"]]})).await;
    assert_eq!(status, 422, "unknown visibility");
    let (status, _) = create(
        json!({"field_key": "k", "field_type": "date", "default_value": "tomorrow", "board_ids": [board["id"]]}),
    )
    .await;
    assert_eq!(status, 422, "the default must fit the type");

    // Updates: the key is immutable, bindings are replaced.
    let def = format!("/api/v1/organizations/me/custom-fields/{}", id(&ticket));
    let (status, _) = status_of(svc, Method::PATCH, &def, Some(json!({"field_key": "renamed"}))).await;
    assert_eq!(status, 422);
    let updated = ok(
        svc,
        Method::PATCH,
        &def,
        Some(json!({"label": "Ticket id", "board_ids": [other["id"]], "description": "Tracker id"})),
    )
    .await;
    assert_eq!(updated["field_key"], "ticket");
    assert_eq!(updated["label"], "Ticket id");
    assert_eq!(updated["board_ids"], json!([other["id"]]));
    let (status, _) = status_of(svc, Method::PATCH, &def, Some(json!({"field_type": "integer"}))).await;
    assert_eq!(status, 422, "the regex no longer fits an integer field");

    // Deletion: refused while a task has a value, allowed once unused.
    let (status, body) = status_of(
        svc,
        Method::DELETE,
        &format!("/api/v1/organizations/me/custom-fields/{}", id(&points)),
        None,
    )
    .await;
    assert_eq!(status, 409, "{body}");
    ok(
        svc,
        Method::DELETE,
        &format!("/api/v1/organizations/me/custom-fields/{}", id(&owner)),
        None,
    )
    .await;
    let (status, _) = status_of(
        svc,
        Method::DELETE,
        &format!("/api/v1/organizations/me/custom-fields/{}", id(&owner)),
        None,
    )
    .await;
    assert_eq!(status, 404);
    // Deleting the tasks frees the definition.
    for t in [&plain, &valued] {
        ok(svc, Method::DELETE, &format!("{tasks}/{}", id(t)), None).await;
    }
    ok(
        svc,
        Method::DELETE,
        &format!("/api/v1/organizations/me/custom-fields/{}", id(&points)),
        None,
    )
    .await;
    let listed = ok(svc, Method::GET, "/api/v1/organizations/me/custom-fields", None).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
}

/// Board groups: CRUD, snapshots, heartbeat apply, and delete detaching boards.
async fn board_group_flow(svc: &Service) -> (String, Vec<Value>) {
    let group = ok(
        svc,
        Method::POST,
        "/api/v1/board-groups",
        Some(json!({"name": "Platform", "slug": "platform", "description": "All platform work"})),
    )
    .await;
    let gid = id(&group);
    let (status, _) = status_of(
        svc,
        Method::POST,
        "/api/v1/board-groups",
        Some(json!({"name": " ", "slug": "x"})),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = status_of(svc, Method::POST, "/api/v1/board-groups", Some(json!({"name": "x"}))).await;
    assert_eq!(status, 422, "slug is required");
    let listed = ok(svc, Method::GET, "/api/v1/board-groups", None).await;
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["slug"], "platform");
    let renamed = ok(
        svc,
        Method::PATCH,
        &format!("/api/v1/board-groups/{gid}"),
        Some(json!({"name": "Platform team"})),
    )
    .await;
    assert_eq!(renamed["name"], "Platform team");
    assert_eq!(renamed["description"], "All platform work");
    let got = ok(svc, Method::GET, &format!("/api/v1/board-groups/{gid}"), None).await;
    assert_eq!(got["name"], "Platform team");
    let (status, _) = status_of(
        svc,
        Method::GET,
        &format!("/api/v1/board-groups/{}", uuid::Uuid::new_v4()),
        None,
    )
    .await;
    assert_eq!(status, 404);

    // Two boards in the group, one outside.
    let api = svc.create_board("Api").await;
    let web = svc.create_board("Web").await;
    let outside = svc.create_board("Outside").await;
    for b in [&api, &web] {
        let moved = ok(
            svc,
            Method::PATCH,
            &format!("/api/v1/boards/{}", id(b)),
            Some(json!({"board_group_id": gid, "require_approval_for_done": false})),
        )
        .await;
        assert_eq!(moved["board_group_id"], group["id"]);
    }
    let api_tasks = format!("/api/v1/boards/{}/tasks", id(&api));
    let (worker, _) = svc.create_agent(&id(&api), "worker").await;
    let tag = ok(svc, Method::POST, "/api/v1/tags", Some(json!({"name": "Urgent"}))).await;
    ok(
        svc,
        Method::POST,
        &api_tasks,
        Some(json!({"title": "Low", "priority": "low"})),
    )
    .await;
    ok(
        svc,
        Method::POST,
        &api_tasks,
        Some(json!({"title": "High", "priority": "high", "tag_ids": [tag["id"]]})),
    )
    .await;
    let doing = ok(
        svc,
        Method::POST,
        &api_tasks,
        Some(json!({"title": "Doing", "status": "in_progress", "assigned_agent_id": worker["id"]})),
    )
    .await;
    let done = ok(svc, Method::POST, &api_tasks, Some(json!({"title": "Done"}))).await;
    ok(
        svc,
        Method::PATCH,
        &format!("{api_tasks}/{}", id(&done)),
        Some(json!({"status": "done"})),
    )
    .await;
    ok(
        svc,
        Method::POST,
        &format!("/api/v1/boards/{}/tasks", id(&outside)),
        Some(json!({"title": "Not in group"})),
    )
    .await;

    let snap = ok(svc, Method::GET, &format!("/api/v1/board-groups/{gid}/snapshot"), None).await;
    assert_eq!(snap["group"]["id"], group["id"]);
    let boards = snap["boards"].as_array().unwrap();
    let names: Vec<&str> = boards.iter().map(|b| b["board"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Api", "Web"]);
    let api_snap = &boards[0];
    assert_eq!(
        api_snap["task_counts"],
        json!({"inbox": 2, "in_progress": 1, "review": 0, "done": 1})
    );
    let titles: Vec<&str> = api_snap["tasks"]
        .as_array()
        .unwrap()
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
    assert_eq!(first["board_id"], api["id"]);
    assert!(first["in_progress_at"].is_string());
    assert_eq!(api_snap["tasks"][1]["tags"][0]["slug"], "urgent");
    assert_eq!(boards[1]["tasks"], json!([]));

    let snap = ok(
        svc,
        Method::GET,
        &format!("/api/v1/board-groups/{gid}/snapshot?include_done=true&per_board_task_limit=2"),
        None,
    )
    .await;
    assert_eq!(snap["boards"][0]["tasks"].as_array().map(Vec::len), Some(2));
    let snap = ok(
        svc,
        Method::GET,
        &format!("/api/v1/board-groups/{gid}/snapshot?include_done=true&per_board_task_limit=10"),
        None,
    )
    .await;
    assert_eq!(snap["boards"][0]["tasks"].as_array().map(Vec::len), Some(4));
    assert_eq!(snap["boards"][0]["tasks"][3]["id"], done["id"], "done tasks come last");
    let (status, _) = status_of(
        svc,
        Method::GET,
        &format!("/api/v1/board-groups/{gid}/snapshot?per_board_task_limit=-1"),
        None,
    )
    .await;
    assert_eq!(status, 422);

    // The board view: siblings only, unless include_self.
    let from_api = ok(
        svc,
        Method::GET,
        &format!("/api/v1/boards/{}/group-snapshot", id(&api)),
        None,
    )
    .await;
    assert_eq!(from_api["group"]["id"], group["id"]);
    let names: Vec<&str> = from_api["boards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["board"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Web"]);
    let with_self = ok(
        svc,
        Method::GET,
        &format!(
            "/api/v1/boards/{}/group-snapshot?include_self=true&per_board_task_limit=1",
            id(&api)
        ),
        None,
    )
    .await;
    assert_eq!(with_self["boards"].as_array().map(Vec::len), Some(2));
    assert_eq!(with_self["boards"][0]["tasks"][0]["id"], doing["id"]);
    let lonely = ok(
        svc,
        Method::GET,
        &format!("/api/v1/boards/{}/group-snapshot", id(&outside)),
        None,
    )
    .await;
    assert_eq!(lonely, json!({"group": null, "boards": []}));
    let (status, _) = status_of(
        svc,
        Method::GET,
        &format!("/api/v1/boards/{}/group-snapshot?per_board_task_limit=101", id(&api)),
        None,
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = status_of(
        svc,
        Method::GET,
        &format!("/api/v1/boards/{}/group-snapshot", uuid::Uuid::new_v4()),
        None,
    )
    .await;
    assert_eq!(status, 404);

    // Heartbeat: every agent of the group's boards (no leads unless asked), no gateway call.
    let (helper, _) = svc.create_agent(&id(&web), "helper").await;
    let (_, _) = svc.create_agent(&id(&outside), "bystander").await;
    let applied = ok(
        svc,
        Method::POST,
        &format!("/api/v1/board-groups/{gid}/heartbeat"),
        Some(json!({"every": "5m"})),
    )
    .await;
    assert_eq!(applied["board_group_id"], group["id"]);
    assert_eq!(
        applied["requested"],
        json!({"every": "5m", "include_board_leads": false})
    );
    assert_eq!(applied["failed_agent_ids"], json!([]));
    let mut updated: Vec<&str> = applied["updated_agent_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    updated.sort_unstable();
    let mut expected = vec![worker["id"].as_str().unwrap(), helper["id"].as_str().unwrap()];
    expected.sort_unstable();
    assert_eq!(updated, expected);
    let agent = ok(svc, Method::GET, &format!("/api/v1/agents/{}", id(&helper)), None).await;
    assert_eq!(agent["heartbeat_config"]["every"], "5m");
    let agents = ok(
        svc,
        Method::GET,
        &format!("/api/v1/agents?board_id={}", id(&outside)),
        None,
    )
    .await;
    assert_ne!(
        agents["items"][0]["heartbeat_config"]["every"], "5m",
        "agents outside the group are untouched"
    );
    let (status, _) = status_of(
        svc,
        Method::POST,
        &format!("/api/v1/board-groups/{gid}/heartbeat"),
        Some(json!({"every": " "})),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = status_of(
        svc,
        Method::POST,
        &format!("/api/v1/board-groups/{gid}/heartbeat"),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = status_of(
        svc,
        Method::POST,
        &format!("/api/v1/board-groups/{}/heartbeat", uuid::Uuid::new_v4()),
        Some(json!({"every": "5m"})),
    )
    .await;
    assert_eq!(status, 404);
    (gid, vec![api, web, worker, helper])
}

/// Deleting a group detaches its boards.
async fn delete_group(svc: &Service, gid: &str, boards: &[Value]) {
    ok(svc, Method::DELETE, &format!("/api/v1/board-groups/{gid}"), None).await;
    let (status, _) = status_of(svc, Method::GET, &format!("/api/v1/board-groups/{gid}"), None).await;
    assert_eq!(status, 404);
    for b in boards {
        let board = ok(svc, Method::GET, &format!("/api/v1/boards/{}", id(b)), None).await;
        assert!(board["board_group_id"].is_null(), "{board}");
    }
    let listed = ok(svc, Method::GET, "/api/v1/board-groups", None).await;
    assert_eq!(listed["total"], 0);
}

async fn run_catalog(svc: &Service) {
    ok(svc, Method::POST, "/api/v1/auth/bootstrap", None).await;
    tag_flow(svc).await;
    custom_field_flow(svc).await;
    let (gid, fixtures) = board_group_flow(svc).await;
    delete_group(svc, &gid, &fixtures[..2]).await;
}

#[tokio::test]
async fn catalog_on_sqlite() {
    let svc = Launch::new().start().await.unwrap();
    run_catalog(&svc).await;
}

#[tokio::test]
async fn catalog_on_postgres() {
    let db = TestDb::create().await.unwrap();
    let svc = Launch::new().postgres(&db).start().await.unwrap();
    run_catalog(&svc).await;
}

/// The agent side of groups: a board's agents read their group snapshot; only the lead of a
/// board in the group may set its heartbeat, and leads are included only when asked. The
/// API cannot make a lead yet, so the test promotes one in the database.
#[tokio::test]
async fn group_heartbeat_and_snapshot_for_agents_on_postgres() {
    let db = TestDb::create().await.unwrap();
    let svc = Launch::new().postgres(&db).start().await.unwrap();
    ok(&svc, Method::POST, "/api/v1/auth/bootstrap", None).await;
    let group = ok(
        &svc,
        Method::POST,
        "/api/v1/board-groups",
        Some(json!({"name": "G", "slug": "g"})),
    )
    .await;
    let gid = id(&group);
    let mine = svc.create_board("Mine").await;
    let sibling = svc.create_board("Sibling").await;
    let stranger = svc.create_board("Stranger").await;
    for b in [&mine, &sibling] {
        ok(
            &svc,
            Method::PATCH,
            &format!("/api/v1/boards/{}", id(b)),
            Some(json!({"board_group_id": gid})),
        )
        .await;
    }
    ok(
        &svc,
        Method::POST,
        &format!("/api/v1/boards/{}/tasks", id(&sibling)),
        Some(json!({"title": "Sibling work"})),
    )
    .await;
    let (lead, lead_token) = svc.create_agent(&id(&mine), "lead").await;
    let (worker, worker_token) = svc.create_agent(&id(&mine), "worker").await;
    let (sib_worker, _) = svc.create_agent(&id(&sibling), "sib-worker").await;
    let (_, stranger_lead_token) = svc.create_agent(&id(&stranger), "stranger-lead").await;
    let mut conn = db.connect().await.unwrap();
    sqlx::query("UPDATE agents SET is_board_lead = true WHERE name IN ('lead', 'stranger-lead')")
        .execute(&mut conn)
        .await
        .unwrap();

    // A board's agent sees its group's other boards.
    let res = svc
        .agent(
            Method::GET,
            &format!("/api/v1/boards/{}/group-snapshot", id(&mine)),
            &worker_token,
        )
        .send()
        .await
        .unwrap();
    let (status, snap) = system_tests::json_of(res).await;
    assert_eq!(status, 200, "{snap}");
    assert_eq!(snap["boards"][0]["board"]["id"], sibling["id"]);
    assert_eq!(snap["boards"][0]["tasks"][0]["title"], "Sibling work");
    let res = svc
        .agent(
            Method::GET,
            &format!("/api/v1/boards/{}/group-snapshot", id(&sibling)),
            &worker_token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "a board-bound agent reads only its own board");

    let heartbeat = |token: String, body: Value| {
        let req = svc
            .agent(Method::POST, &format!("/api/v1/board-groups/{gid}/heartbeat"), &token)
            .json(&body);
        async move { system_tests::json_of(req.send().await.unwrap()).await }
    };
    let (status, _) = heartbeat(worker_token.clone(), json!({"every": "1m"})).await;
    assert_eq!(status, 403, "workers may not");
    let (status, _) = heartbeat(stranger_lead_token, json!({"every": "1m"})).await;
    assert_eq!(status, 403, "leads of boards outside the group may not");

    let (status, applied) = heartbeat(lead_token.clone(), json!({"every": "2m"})).await;
    assert_eq!(status, 200, "{applied}");
    let mut updated: Vec<String> = serde_json::from_value(applied["updated_agent_ids"].clone()).unwrap();
    updated.sort_unstable();
    let mut expected = vec![id(&worker), id(&sib_worker)];
    expected.sort_unstable();
    assert_eq!(updated, expected, "leads are left out by default");
    let (status, applied) = heartbeat(lead_token, json!({"every": "3m", "include_board_leads": true})).await;
    assert_eq!(status, 200);
    assert_eq!(applied["updated_agent_ids"].as_array().map(Vec::len), Some(3));
    let config: (sqlx::types::Json<Value>,) = sqlx::query_as("SELECT heartbeat_config FROM agents WHERE id = $1")
        .bind(uuid::Uuid::parse_str(&id(&lead)).unwrap())
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        config.0.0,
        json!({"every": "3m", "target": "last", "includeReasoning": false})
    );
}
