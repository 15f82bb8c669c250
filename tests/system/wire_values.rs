//! Values on the wire: timestamps leave as RFC 3339 UTC with `Z` and are accepted with any
//! offset (converted to UTC, a naive one read as UTC); an integral number (`3.0`) is an
//! integer and a fractional one for an integer field is refused with 422 `int_from_float`.

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::{Backend, id, items, on_both_backends};

/// RFC 3339 UTC as the service writes it: `YYYY-MM-DDTHH:MM:SS[.fraction]Z`.
fn is_utc_z(v: &Value) -> bool {
    let Some(s) = v.as_str() else { return false };
    let Some(body) = s.strip_suffix('Z') else { return false };
    let (seconds, fraction) = body.split_once('.').unwrap_or((body, "0"));
    let b = seconds.as_bytes();
    b.len() == 19
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
            .iter()
            .all(|&i| b[i].is_ascii_digit())
        && !fraction.is_empty()
        && fraction.bytes().all(|c| c.is_ascii_digit())
}

fn assert_utc_z(read: &Value, fields: &[&str]) {
    for f in fields {
        assert!(is_utc_z(&read[*f]), "{f} is not RFC 3339 UTC with Z: {read}");
    }
}

on_both_backends!(timestamps_are_utc_with_z_and_offsets_are_converted);

async fn timestamps_are_utc_with_z_and_offsets_are_converted(backend: Backend) {
    let svc = backend.start().await;
    let board = svc
        .ok(
            Method::POST,
            "/api/v1/boards",
            Some(
                json!({"name": "Wire", "slug": "wire", "description": "d", "target_date": "2026-12-24T18:30:00+02:00"}),
            ),
        )
        .await;
    assert_eq!(board["target_date"], "2026-12-24T16:30:00Z", "{board}");
    assert_utc_z(&board, &["created_at", "updated_at"]);
    let board_id = id(&board);

    // A naive value is UTC; `Z` is kept as UTC.
    let patched = svc
        .ok(
            Method::PATCH,
            &format!("/api/v1/boards/{board_id}"),
            Some(json!({"target_date": "2026-12-25T08:00:00"})),
        )
        .await;
    assert_eq!(patched["target_date"], "2026-12-25T08:00:00Z", "{patched}");

    let task = svc
        .create_task(
            &board_id,
            json!({"title": "t", "due_at": "2026-12-02T13:24:31.5+02:00"}),
        )
        .await;
    assert_eq!(task["due_at"], "2026-12-02T11:24:31.500Z", "{task}");
    assert_utc_z(&task, &["created_at", "updated_at"]);
    let task_id = id(&task);
    // Digits beyond the microsecond are dropped on both backends alike.
    let precise = svc
        .ok(
            Method::PATCH,
            &format!("/api/v1/boards/{board_id}/tasks/{task_id}"),
            Some(json!({"due_at": "2026-12-02T13:24:31.123456789+02:00"})),
        )
        .await;
    assert_eq!(precise["due_at"], "2026-12-02T11:24:31.123456Z", "{precise}");
    let moved = svc
        .ok(
            Method::PATCH,
            &format!("/api/v1/boards/{board_id}/tasks/{task_id}"),
            Some(json!({"due_at": "2026-12-03T00:15:00-05:00", "status": "in_progress"})),
        )
        .await;
    assert_eq!(moved["due_at"], "2026-12-03T05:15:00Z", "{moved}");
    assert_utc_z(&moved, &["in_progress_at", "updated_at"]);

    // Read back the same way, in lists and in the board snapshot.
    let listed = svc
        .ok(Method::GET, &format!("/api/v1/boards/{board_id}/tasks"), None)
        .await;
    assert_eq!(items(&listed)[0]["due_at"], "2026-12-03T05:15:00Z", "{listed}");
    let snapshot = svc
        .ok(Method::GET, &format!("/api/v1/boards/{board_id}/snapshot"), None)
        .await;
    assert_eq!(snapshot["board"]["target_date"], "2026-12-25T08:00:00Z", "{snapshot}");
    assert_utc_z(&snapshot["tasks"][0], &["due_at", "created_at"]);

    // A timestamp that is not one is refused with its location.
    let (status, body) = svc
        .call(
            Method::PATCH,
            &format!("/api/v1/boards/{board_id}/tasks/{task_id}"),
            Some(json!({"due_at": "tomorrow"})),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["detail"][0]["loc"], json!(["body", "due_at"]), "{body}");
}

on_both_backends!(integral_numbers_are_integers);

async fn integral_numbers_are_integers(backend: Backend) {
    let svc = backend.start().await;
    // A create (a flattened body) and a patch.
    let board = svc
        .ok(
            Method::POST,
            "/api/v1/boards",
            Some(json!({"name": "Ints", "slug": "ints", "description": "d", "max_agents": 3.0})),
        )
        .await;
    assert_eq!(board["max_agents"], 3, "{board}");
    let board_id = id(&board);
    let patched = svc
        .ok(
            Method::PATCH,
            &format!("/api/v1/boards/{board_id}"),
            Some(json!({"max_agents": 2.0})),
        )
        .await;
    assert_eq!(patched["max_agents"], 2, "{patched}");

    for (method, path, body) in [
        (
            Method::POST,
            "/api/v1/boards".to_owned(),
            json!({"name": "Half", "slug": "half", "description": "d", "max_agents": 3.5}),
        ),
        (
            Method::PATCH,
            format!("/api/v1/boards/{board_id}"),
            json!({"max_agents": 2.5}),
        ),
    ] {
        let (status, refused) = svc.call(method, &path, Some(body)).await;
        assert_eq!(status, 422, "{refused}");
        let item = &refused["detail"][0];
        assert_eq!(item["loc"], json!(["body", "max_agents"]), "{refused}");
        assert_eq!(item["type"], "int_from_float", "{refused}");
        assert_eq!(
            item["msg"], "Input should be a valid integer, got a number with a fractional part",
            "{refused}"
        );
    }
    let after = svc.ok(Method::GET, &format!("/api/v1/boards/{board_id}"), None).await;
    assert_eq!(after["max_agents"], 2, "{after}");
}

on_both_backends!(bodies_are_checked_as_their_schema_says);

/// A few rules the document now states, each at its edge: a value the schema's pattern or
/// enum refuses is a 422 naming the field, one it allows is accepted.
async fn bodies_are_checked_as_their_schema_says(backend: Backend) {
    let svc = backend.start().await;
    let board_id = id(&svc.create_board("Schema").await);
    let tasks = format!("/api/v1/boards/{board_id}/tasks");

    let refused = |(status, body): (u16, Value), field: &str| {
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["detail"][0]["loc"], json!(["body", field]), "{body}");
    };
    // `pattern: "\S"`: blank text is refused on create as on update.
    refused(
        svc.call(Method::POST, &tasks, Some(json!({"title": " \t"}))).await,
        "title",
    );
    refused(
        svc.call(Method::POST, &tasks, Some(json!({"title": "t", "priority": " "})))
            .await,
        "priority",
    );
    let task_id = id(&svc
        .create_task(&board_id, json!({"title": "t", "priority": "high"}))
        .await);
    refused(
        svc.call(
            Method::PATCH,
            &format!("{tasks}/{task_id}"),
            Some(json!({"comment": ""})),
        )
        .await,
        "comment",
    );
    // `enum`.
    refused(
        svc.call(
            Method::PATCH,
            &format!("/api/v1/boards/{board_id}"),
            Some(json!({"board_type": "kanban"})),
        )
        .await,
        "board_type",
    );
    let general = svc
        .ok(
            Method::PATCH,
            &format!("/api/v1/boards/{board_id}"),
            Some(json!({"board_type": "general"})),
        )
        .await;
    assert_eq!(general["board_type"], "general", "{general}");
    // The tag color pattern, both sides of it.
    refused(
        svc.call(
            Method::POST,
            "/api/v1/tags",
            Some(json!({"name": "t", "color": "#12345"})),
        )
        .await,
        "color",
    );
    let tag = svc
        .ok(
            Method::POST,
            "/api/v1/tags",
            Some(json!({"name": "t", "color": " ##ABCDEF "})),
        )
        .await;
    assert_eq!(tag["color"], "abcdef", "{tag}");
    // `required`: an agent names its board.
    refused(
        svc.call(Method::POST, "/api/v1/agents", Some(json!({"name": "a"})))
            .await,
        "board_id",
    );
}
