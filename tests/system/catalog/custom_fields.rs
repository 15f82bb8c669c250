//! Custom fields: definitions bound to boards, values checked against them and stored with
//! tasks, defaults merged into reads, deletion refused while values exist.

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::{Backend, Service, id, items, on_both_backends};

const FIELDS: &str = "/api/v1/organizations/me/custom-fields";

on_both_backends!(
    a_task_created_without_values_gets_the_defaults,
    custom_field_values_must_fit_their_definition,
    patching_values_upserts_and_null_brings_the_default_back,
    a_board_knows_only_the_fields_bound_to_it,
    required_fields_refuse_a_missing_value,
    custom_field_definitions_are_validated,
    the_key_is_immutable_and_board_bindings_are_replaced,
    a_field_with_stored_values_cannot_be_deleted,
);

/// A board with two fields: `points` (integer, default 3) and `ticket` (text, `[A-Z]+-\d+`,
/// shown if set), `ticket` also bound to a second board. Returns (board, other, points,
/// ticket).
async fn fields(svc: &Service) -> (Value, Value, Value, Value) {
    let board = svc.create_board("Fields").await;
    let other = svc.create_board("Elsewhere").await;
    let points = svc
        .ok(
            Method::POST,
            FIELDS,
            Some(
                json!({"field_key": "points", "field_type": "integer", "default_value": 3, "board_ids": [board["id"]]}),
            ),
        )
        .await;
    let ticket = svc
        .ok(
            Method::POST,
            FIELDS,
            Some(json!({
                "field_key": "ticket", "label": "Ticket", "field_type": "text", "ui_visibility": "if_set",
                "validation_regex": "[A-Z]+-\\d+", "board_ids": [board["id"], other["id"]]
            })),
        )
        .await;
    (board, other, points, ticket)
}

fn tasks_of(board: &Value) -> String {
    format!("/api/v1/boards/{}/tasks", id(board))
}

async fn a_task_created_without_values_gets_the_defaults(backend: Backend) {
    let svc = backend.start().await;
    let (board, _, points, ticket) = fields(&svc).await;
    assert_eq!(points["label"], "points", "the label defaults to the key");
    assert_eq!(points["ui_visibility"], "always");
    assert_eq!(points["required"], false);
    assert_eq!(points["board_ids"], json!([board["id"]]));
    assert_eq!(ticket["validation_regex"], "[A-Z]+-\\d+");
    let listed = svc.ok(Method::GET, FIELDS, None).await;
    assert_eq!(items(&listed).len(), 2);
    let plain = svc.create_task(&id(&board), json!({"title": "Plain"})).await;
    assert_eq!(plain["custom_field_values"], json!({"points": 3, "ticket": null}));
    let valued = svc
        .create_task(
            &id(&board),
            json!({"title": "Valued", "custom_field_values": {"points": 8, "ticket": "OPS-12"}}),
        )
        .await;
    assert_eq!(valued["custom_field_values"], json!({"points": 8, "ticket": "OPS-12"}));
}

async fn custom_field_values_must_fit_their_definition(backend: Backend) {
    let svc = backend.start().await;
    let (board, ..) = fields(&svc).await;
    for (values, key) in [
        (json!({"points": "8"}), "points"),
        (json!({"points": 1.5}), "points"),
        (json!({"points": true}), "points"),
        (json!({"ticket": "ops-12"}), "ticket"),
        (json!({"ticket": 12}), "ticket"),
        (json!({"nope": 1}), "nope"),
    ] {
        let (status, body) = svc
            .call(
                Method::POST,
                &tasks_of(&board),
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
}

async fn patching_values_upserts_and_null_brings_the_default_back(backend: Backend) {
    let svc = backend.start().await;
    let (board, ..) = fields(&svc).await;
    let valued = svc
        .create_task(
            &id(&board),
            json!({"title": "Valued", "custom_field_values": {"points": 8, "ticket": "OPS-12"}}),
        )
        .await;
    let path = format!("{}/{}", tasks_of(&board), id(&valued));
    let patch = |values: Value| svc.call(Method::PATCH, &path, Some(json!({"custom_field_values": values})));
    let (status, patched) = patch(json!({"ticket": "OPS-13"})).await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["custom_field_values"], json!({"points": 8, "ticket": "OPS-13"}));
    let (_, cleared) = patch(json!({"points": null})).await;
    assert_eq!(cleared["custom_field_values"], json!({"points": 3, "ticket": "OPS-13"}));
    let (status, body) = patch(json!({"points": "x"})).await;
    assert_eq!(status, 422);
    assert_eq!(
        body["detail"][0]["loc"],
        json!(["body", "custom_field_values", "points"])
    );
    let listed = svc.ok(Method::GET, &tasks_of(&board), None).await;
    let read = items(&listed).iter().find(|t| t["id"] == valued["id"]).unwrap();
    assert_eq!(read["custom_field_values"], json!({"points": 3, "ticket": "OPS-13"}));
}

async fn a_board_knows_only_the_fields_bound_to_it(backend: Backend) {
    let svc = backend.start().await;
    let (_, other, ..) = fields(&svc).await;
    let elsewhere = svc.create_task(&id(&other), json!({"title": "E"})).await;
    assert_eq!(elsewhere["custom_field_values"], json!({"ticket": null}));
    let (status, _) = svc
        .call(
            Method::POST,
            &tasks_of(&other),
            Some(json!({"title": "E", "custom_field_values": {"points": 1}})),
        )
        .await;
    assert_eq!(status, 422);
}

async fn required_fields_refuse_a_missing_value(backend: Backend) {
    let svc = backend.start().await;
    let board = svc.create_board("Owned").await;
    svc.ok(
        Method::POST,
        FIELDS,
        Some(json!({"field_key": "owner", "required": true, "board_ids": [board["id"]]})),
    )
    .await;
    let (status, body) = svc
        .call(Method::POST, &tasks_of(&board), Some(json!({"title": "E"})))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["detail"][0]["loc"],
        json!(["body", "custom_field_values", "owner"])
    );
}

async fn custom_field_definitions_are_validated(backend: Backend) {
    let svc = backend.start().await;
    let (board, ..) = fields(&svc).await;
    let create = |body: Value| svc.call(Method::POST, FIELDS, Some(body));
    let b = &board["id"];
    let (status, _) = create(json!({"field_key": "points", "board_ids": [b]})).await;
    assert_eq!(status, 409, "keys are unique per organization");
    for (body, why) in [
        (json!({"field_key": "k", "board_ids": []}), "at least one board"),
        (
            json!({"field_key": "k", "board_ids": [uuid::Uuid::new_v4()]}),
            "boards must be in the organization",
        ),
        (
            json!({"field_key": "k", "validation_regex": "(", "board_ids": [b]}),
            "regex must compile",
        ),
        (
            json!({"field_key": "k", "field_type": "integer", "validation_regex": "\\d+", "board_ids": [b]}),
            "regex only for string types",
        ),
        (
            json!({"field_key": "k", "field_type": "number", "board_ids": [b]}),
            "unknown type",
        ),
        (
            json!({"field_key": "k", "ui_visibility": "sometimes", "board_ids": [b]}),
            "unknown visibility",
        ),
        (
            json!({"field_key": "k", "field_type": "date", "default_value": "tomorrow", "board_ids": [b]}),
            "the default must fit the type",
        ),
    ] {
        let (status, answer) = create(body).await;
        assert_eq!(status, 422, "{why}: {answer}");
    }
}

async fn the_key_is_immutable_and_board_bindings_are_replaced(backend: Backend) {
    let svc = backend.start().await;
    let (_, other, _, ticket) = fields(&svc).await;
    let def = format!("{FIELDS}/{}", id(&ticket));
    let (status, _) = svc
        .call(Method::PATCH, &def, Some(json!({"field_key": "renamed"})))
        .await;
    assert_eq!(status, 422);
    let updated = svc
        .ok(
            Method::PATCH,
            &def,
            Some(json!({"label": "Ticket id", "board_ids": [other["id"]], "description": "Tracker id"})),
        )
        .await;
    assert_eq!(updated["field_key"], "ticket");
    assert_eq!(updated["label"], "Ticket id");
    assert_eq!(updated["board_ids"], json!([other["id"]]));
    let (status, _) = svc
        .call(Method::PATCH, &def, Some(json!({"field_type": "integer"})))
        .await;
    assert_eq!(status, 422, "the regex no longer fits an integer field");
}

async fn a_field_with_stored_values_cannot_be_deleted(backend: Backend) {
    let svc = backend.start().await;
    let (board, _, points, ticket) = fields(&svc).await;
    let valued = svc
        .create_task(
            &id(&board),
            json!({"title": "Valued", "custom_field_values": {"points": 8}}),
        )
        .await;
    let points_path = format!("{FIELDS}/{}", id(&points));
    let (status, body) = svc.call(Method::DELETE, &points_path, None).await;
    assert_eq!(status, 409, "{body}");
    let ticket_path = format!("{FIELDS}/{}", id(&ticket));
    svc.ok(Method::DELETE, &ticket_path, None).await;
    assert_eq!(svc.call(Method::DELETE, &ticket_path, None).await.0, 404);
    // Deleting the task frees the definition.
    svc.ok(Method::DELETE, &format!("{}/{}", tasks_of(&board), id(&valued)), None)
        .await;
    svc.ok(Method::DELETE, &points_path, None).await;
    let listed = svc.ok(Method::GET, FIELDS, None).await;
    assert_eq!(items(&listed).len(), 0);
}
