//! Board group memory: written and read through the group (users) or through one of its
//! boards (users and the board's agents); chat, broadcast and `@all` record whom they would
//! notify; the streams deliver new entries, resume after `Last-Event-ID`, and cross replicas.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::{
    Backend, Launch, Service, SseReader, TestDb, id, items, on_both_backends, open_stream, redis_prefix, redis_url,
};

use super::board_groups::group_of;

on_both_backends!(
    group_memory_is_shared_by_the_group_and_its_boards,
    a_board_without_a_group_reads_nothing_and_cannot_write,
    an_agent_writes_and_reads_only_through_its_own_board,
    chat_and_broadcast_record_their_recipients,
    the_group_memory_streams_deliver_and_resume_after_the_last_event_id,
);

async fn open(svc: &Service, path: &str, last_event_id: Option<&str>) -> SseReader {
    let mut req = svc.user(Method::GET, path);
    if let Some(id) = last_event_id {
        req = req.header("last-event-id", id);
    }
    open_stream(req).await
}

fn contents(page: &Value) -> Vec<&str> {
    items(page).iter().map(|m| m["content"].as_str().unwrap()).collect()
}

async fn group_memory_is_shared_by_the_group_and_its_boards(backend: Backend) {
    let svc = backend.start().await;
    let api = svc.create_board("Api").await;
    let web = svc.create_board("Web").await;
    let group = group_of(&svc, &[&api, &web]).await;
    let gid = id(&group);
    let note = svc
        .ok(
            Method::POST,
            &format!("/api/v1/board-groups/{gid}/memory"),
            Some(json!({"content": "  release on friday ", "tags": ["note"]})),
        )
        .await;
    assert_eq!(note["board_group_id"], gid.as_str());
    assert_eq!(note["content"], "release on friday");
    assert_eq!(note["is_chat"], false);
    assert!(note["source"].is_string(), "{note}");
    let chat = svc
        .ok(
            Method::POST,
            &format!("/api/v1/boards/{}/group-memory", id(&web)),
            Some(json!({"content": "hello group", "tags": ["chat"], "source": "web team"})),
        )
        .await;
    assert_eq!(chat["is_chat"], true);
    assert_eq!(chat["source"], "web team");

    let all = svc
        .ok(Method::GET, &format!("/api/v1/board-groups/{gid}/memory"), None)
        .await;
    assert_eq!(contents(&all), ["hello group", "release on friday"]);
    assert_eq!(all["total"], 2);
    let via_board = svc
        .ok(
            Method::GET,
            &format!("/api/v1/boards/{}/group-memory?is_chat=false", id(&api)),
            None,
        )
        .await;
    assert_eq!(contents(&via_board), ["release on friday"]);

    let (status, body) = svc
        .call(
            Method::POST,
            &format!("/api/v1/board-groups/{gid}/memory"),
            Some(json!({"content": "   "})),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = svc
        .call(
            Method::GET,
            &format!("/api/v1/board-groups/{}/memory", uuid::Uuid::new_v4()),
            None,
        )
        .await;
    assert_eq!(status, 404);

    // Deleting the group deletes its memory; the boards stay and read nothing.
    svc.ok(Method::DELETE, &format!("/api/v1/board-groups/{gid}"), None)
        .await;
    let after = svc
        .ok(Method::GET, &format!("/api/v1/boards/{}/group-memory", id(&api)), None)
        .await;
    assert!(contents(&after).is_empty(), "{after}");
}

async fn a_board_without_a_group_reads_nothing_and_cannot_write(backend: Backend) {
    let svc = backend.start().await;
    let lone = svc.create_board("Lone").await;
    let page = svc
        .ok(Method::GET, &format!("/api/v1/boards/{}/group-memory", id(&lone)), None)
        .await;
    assert_eq!(page["total"], 0);
    let (status, body) = svc
        .call(
            Method::POST,
            &format!("/api/v1/boards/{}/group-memory", id(&lone)),
            Some(json!({"content": "anyone?"})),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["request_id"].is_string(), "{body}");
}

async fn an_agent_writes_and_reads_only_through_its_own_board(backend: Backend) {
    let svc = backend.start().await;
    let api = svc.create_board("Api").await;
    let web = svc.create_board("Web").await;
    let group = group_of(&svc, &[&api, &web]).await;
    let (_, token) = svc.create_agent(&id(&api), "Ada").await;
    let own = format!("/api/v1/boards/{}/group-memory", id(&api));
    let written = svc
        .ok_as_agent(&token, Method::POST, &own, Some(json!({"content": "from ada"})))
        .await;
    assert_eq!(written["source"], "Ada");
    assert_eq!(written["board_group_id"], id(&group).as_str());
    let read = svc.ok_as_agent(&token, Method::GET, &own, None).await;
    assert_eq!(contents(&read), ["from ada"]);

    let (status, _) = svc
        .call_as_agent(
            &token,
            Method::GET,
            &format!("/api/v1/boards/{}/group-memory", id(&web)),
            None,
        )
        .await;
    assert_eq!(status, 403, "a sibling board is not the agent's own");
    let (status, _) = svc
        .call_as_agent(
            &token,
            Method::GET,
            &format!("/api/v1/board-groups/{}/memory", id(&group)),
            None,
        )
        .await;
    assert_eq!(status, 401, "the group routes are for users");
}

/// The agents told about an entry, from the recorded `board_group_memory.notify_failed` rows.
async fn notified(svc: &Service) -> Vec<String> {
    let page = svc.ok(Method::GET, "/api/v1/activity?limit=200", None).await;
    let mut out: Vec<String> = items(&page)
        .iter()
        .filter(|a| a["event_type"] == "board_group_memory.notify_failed")
        .map(|a| a["agent_id"].as_str().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

fn sorted(ids: &[&Value]) -> Vec<String> {
    let mut out: Vec<String> = ids.iter().map(|v| id(v)).collect();
    out.sort();
    out
}

async fn chat_and_broadcast_record_their_recipients(backend: Backend) {
    let svc = backend.start().await;
    let api = svc.create_board("Api").await;
    let web = svc.create_board("Web").await;
    group_of(&svc, &[&api, &web]).await;
    let (lead, _) = svc.create_agent(&id(&web), "lead").await;
    svc.database
        .execute("UPDATE agents SET is_board_lead = true WHERE name = 'lead'")
        .await;
    let (ada, ada_token) = svc.create_agent(&id(&api), "Ada Smith").await;
    let (bob, _) = svc.create_agent(&id(&web), "Bob").await;
    let path = format!("/api/v1/boards/{}/group-memory", id(&api));

    // A plain note tells nobody.
    svc.ok(Method::POST, &path, Some(json!({"content": "note for @bob"})))
        .await;
    assert!(notified(&svc).await.is_empty());

    // Chat: the leads and the mentioned agents (first word of the name), never the author.
    svc.ok_as_agent(
        &ada_token,
        Method::POST,
        &path,
        Some(json!({"content": "@bob @ada look", "tags": ["chat"]})),
    )
    .await;
    assert_eq!(notified(&svc).await, sorted(&[&lead, &bob]));

    // Broadcast: everyone on the group's boards.
    svc.ok(
        Method::POST,
        &path,
        Some(json!({"content": "all hands", "tags": ["broadcast"]})),
    )
    .await;
    let mut expected = sorted(&[&lead, &bob, &lead, &ada, &bob]);
    expected.sort();
    assert_eq!(notified(&svc).await, expected);

    // `@all` in a note is a broadcast too.
    svc.ok(Method::POST, &path, Some(json!({"content": "hey @all"}))).await;
    assert_eq!(notified(&svc).await.len(), 2 + 3 + 3);
}

async fn the_group_memory_streams_deliver_and_resume_after_the_last_event_id(backend: Backend) {
    let svc = backend.start().await;
    let api = svc.create_board("Api").await;
    let group = group_of(&svc, &[&api]).await;
    let gid = id(&group);
    let post = |content: &'static str| {
        let svc = &svc;
        let gid = gid.clone();
        async move {
            svc.ok(
                Method::POST,
                &format!("/api/v1/board-groups/{gid}/memory"),
                Some(json!({"content": content})),
            )
            .await
        }
    };
    let mut by_group = open(&svc, &format!("/api/v1/board-groups/{gid}/memory/stream"), None).await;
    let mut by_board = open(&svc, &format!("/api/v1/boards/{}/group-memory/stream", id(&api)), None).await;
    let first = post("one").await;
    for s in [&mut by_group, &mut by_board] {
        let ev = s.next_event(Duration::from_secs(5)).await.expect("live entry");
        assert_eq!(ev.event, "memory");
        assert_eq!(ev.id, id(&first));
        assert_eq!(ev.json()["memory"]["content"], "one");
    }
    let second = post("two").await;
    let third = post("three").await;

    let mut resumed = open(
        &svc,
        &format!("/api/v1/board-groups/{gid}/memory/stream"),
        Some(&id(&first)),
    )
    .await;
    let a = resumed.next_event(Duration::from_secs(5)).await.expect("resumed 1");
    let b = resumed.next_event(Duration::from_secs(5)).await.expect("resumed 2");
    assert_eq!(a.id, id(&second));
    assert_eq!(b.id, id(&third));
    assert!(
        resumed.next_event(Duration::from_millis(300)).await.is_none(),
        "nothing else, no repeats"
    );

    let mut replay = open(
        &svc,
        &format!(
            "/api/v1/boards/{}/group-memory/stream?since=2000-01-01T00:00:00Z",
            id(&api)
        ),
        None,
    )
    .await;
    let ev = replay.next_event(Duration::from_secs(5)).await.expect("backlog");
    assert_eq!(ev.id, id(&first));
}

/// PostgreSQL and Redis only, by nature: replicas share a store and the Redis event bus.
#[tokio::test(flavor = "multi_thread")]
async fn group_memory_written_on_one_replica_reaches_streams_on_another() {
    let db = TestDb::create().await.unwrap();
    let prefix = redis_prefix();
    let a = Launch::new()
        .postgres(&db)
        .redis(&redis_url(), &prefix)
        .start()
        .await
        .unwrap();
    let b = Launch::new()
        .postgres(&db)
        .redis(&redis_url(), &prefix)
        .start()
        .await
        .unwrap();
    let api = a.create_board("Api").await;
    let group = group_of(&a, &[&api]).await;
    let (_, token) = a.create_agent(&id(&api), "Ada").await;
    let mut users = open(&b, &format!("/api/v1/board-groups/{}/memory/stream", id(&group)), None).await;
    let mut agents = open_stream(b.agent(
        Method::GET,
        &format!("/api/v1/boards/{}/group-memory/stream", id(&api)),
        &token,
    ))
    .await;
    let written = a
        .ok(
            Method::POST,
            &format!("/api/v1/board-groups/{}/memory", id(&group)),
            Some(json!({"content": "across", "tags": ["chat"]})),
        )
        .await;
    for s in [&mut users, &mut agents] {
        let ev = s
            .until(Duration::from_secs(5), |e| e.event == "memory")
            .await
            .expect("entry on the other replica");
        assert_eq!(ev.id, id(&written));
        assert_eq!(ev.json()["memory"]["is_chat"], true);
    }
}
