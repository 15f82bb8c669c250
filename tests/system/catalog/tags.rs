//! Tags: slugs derived and normalised, unique per organization; colors normalised; counts of
//! the tasks that carry them; deletion takes them off tasks.

use reqwest::Method;
use serde_json::json;
use system_tests::{Backend, id, items, on_both_backends};

on_both_backends!(
    a_tag_slug_is_derived_from_its_name_and_the_color_defaults,
    tag_slugs_are_unique_per_organization,
    tag_fields_are_validated,
    a_tag_counts_the_tasks_that_carry_it,
    renaming_a_tag_keeps_its_slug_and_a_new_slug_is_normalised,
    deleting_a_tag_takes_it_off_its_tasks,
    unknown_tags_are_not_found,
);

async fn a_tag_slug_is_derived_from_its_name_and_the_color_defaults(backend: Backend) {
    let svc = backend.start().await;
    let org = svc.ok(Method::GET, "/api/v1/organizations/me", None).await;
    let tag = svc
        .ok(Method::POST, "/api/v1/tags", Some(json!({"name": "  Needs Review! "})))
        .await;
    assert_eq!(tag["slug"], "needs-review");
    assert_eq!(tag["color"], "9e9e9e");
    assert_eq!(tag["task_count"], 0);
    assert_eq!(tag["organization_id"], org["id"]);
    assert!(tag["description"].is_null());
    let bug = svc
        .ok(
            Method::POST,
            "/api/v1/tags",
            Some(json!({"name": "Bug", "color": "#FF0000", "description": "Broken things"})),
        )
        .await;
    assert_eq!(bug["color"], "ff0000");
    let odd = svc.ok(Method::POST, "/api/v1/tags", Some(json!({"name": "!!!"}))).await;
    assert_eq!(odd["slug"], "tag", "nothing left to slug: the fallback");
    let list = svc.ok(Method::GET, "/api/v1/tags", None).await;
    let mut names: Vec<&str> = items(&list).iter().map(|t| t["name"].as_str().unwrap()).collect();
    names.sort_unstable();
    assert_eq!(names, ["!!!", "Bug", "Needs Review!"], "names are trimmed");
}

async fn tag_slugs_are_unique_per_organization(backend: Backend) {
    let svc = backend.start().await;
    svc.ok(Method::POST, "/api/v1/tags", Some(json!({"name": "Needs Review"})))
        .await;
    let (status, body) = svc
        .call(Method::POST, "/api/v1/tags", Some(json!({"name": "needs review"})))
        .await;
    assert_eq!(status, 409, "same derived slug: {body}");
    let (status, _) = svc
        .call(
            Method::POST,
            "/api/v1/tags",
            Some(json!({"name": "x", "slug": "Needs--Review"})),
        )
        .await;
    assert_eq!(status, 409, "an explicit slug is normalised before the check");
    let bug = svc.ok(Method::POST, "/api/v1/tags", Some(json!({"name": "Bug"}))).await;
    let (status, _) = svc
        .call(
            Method::PATCH,
            &format!("/api/v1/tags/{}", id(&bug)),
            Some(json!({"slug": "needs-review"})),
        )
        .await;
    assert_eq!(status, 409, "a new slug must be free");
}

async fn tag_fields_are_validated(backend: Backend) {
    let svc = backend.start().await;
    let (status, body) = svc
        .call(Method::POST, "/api/v1/tags", Some(json!({"name": "c", "color": "red"})))
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["detail"][0]["loc"], json!(["body", "color"]));
    let (status, _) = svc.call(Method::POST, "/api/v1/tags", Some(json!({"name": ""}))).await;
    assert_eq!(status, 422);
}

async fn a_tag_counts_the_tasks_that_carry_it(backend: Backend) {
    let svc = backend.start().await;
    let review = svc
        .ok(Method::POST, "/api/v1/tags", Some(json!({"name": "Review"})))
        .await;
    let bug = svc.ok(Method::POST, "/api/v1/tags", Some(json!({"name": "Bug"}))).await;
    svc.ok(Method::POST, "/api/v1/tags", Some(json!({"name": "Idle"})))
        .await;
    let bid = id(&svc.create_board("Tagged").await);
    let task = svc
        .create_task(&bid, json!({"title": "Fix it", "tag_ids": [review["id"], bug["id"]]}))
        .await;
    assert_eq!(task["tags"].as_array().map(Vec::len), Some(2));
    let got = svc.ok(Method::GET, &format!("/api/v1/tags/{}", id(&bug)), None).await;
    assert_eq!(got["task_count"], 1);
    let list = svc.ok(Method::GET, "/api/v1/tags", None).await;
    assert_eq!(list["total"], 3);
    let page = svc.ok(Method::GET, "/api/v1/tags?limit=1&offset=1", None).await;
    assert_eq!(items(&page).len(), 1);
    assert_eq!(page["total"], 3);
}

async fn renaming_a_tag_keeps_its_slug_and_a_new_slug_is_normalised(backend: Backend) {
    let svc = backend.start().await;
    let bug = svc
        .ok(
            Method::POST,
            "/api/v1/tags",
            Some(json!({"name": "Bug", "description": "Broken things"})),
        )
        .await;
    let path = format!("/api/v1/tags/{}", id(&bug));
    let renamed = svc
        .ok(Method::PATCH, &path, Some(json!({"name": "Defect", "color": "00AA00"})))
        .await;
    assert_eq!(renamed["slug"], "bug");
    assert_eq!(renamed["color"], "00aa00");
    assert_eq!(renamed["description"], "Broken things");
    let reslugged = svc
        .ok(
            Method::PATCH,
            &path,
            Some(json!({"slug": "Defect Type", "description": null})),
        )
        .await;
    assert_eq!(reslugged["slug"], "defect-type");
    assert!(reslugged["description"].is_null());
}

async fn deleting_a_tag_takes_it_off_its_tasks(backend: Backend) {
    let svc = backend.start().await;
    let keep = svc
        .ok(Method::POST, "/api/v1/tags", Some(json!({"name": "Keep"})))
        .await;
    let bug = svc.ok(Method::POST, "/api/v1/tags", Some(json!({"name": "Bug"}))).await;
    let bid = id(&svc.create_board("Tagged").await);
    svc.create_task(&bid, json!({"title": "Fix it", "tag_ids": [keep["id"], bug["id"]]}))
        .await;
    let path = format!("/api/v1/tags/{}", id(&bug));
    svc.ok(Method::DELETE, &path, None).await;
    assert_eq!(svc.call(Method::GET, &path, None).await.0, 404);
    assert_eq!(svc.call(Method::DELETE, &path, None).await.0, 404);
    let tasks = svc.ok(Method::GET, &format!("/api/v1/boards/{bid}/tasks"), None).await;
    assert_eq!(tasks["items"][0]["tag_ids"], json!([keep["id"]]));
}

async fn unknown_tags_are_not_found(backend: Backend) {
    let svc = backend.start().await;
    let nowhere = uuid::Uuid::new_v4();
    let (status, _) = svc.call(Method::GET, &format!("/api/v1/tags/{nowhere}"), None).await;
    assert_eq!(status, 404);
    let bid = id(&svc.create_board("Tagged").await);
    let (status, body) = svc
        .call(
            Method::POST,
            &format!("/api/v1/boards/{bid}/tasks"),
            Some(json!({"title": "x", "tag_ids": [nowhere]})),
        )
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["detail"]["missing_tag_ids"], json!([nowhere]));
}
