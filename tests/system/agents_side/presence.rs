//! The presence touch: an authenticated agent request marks the agent seen (and online) at
//! most once per 30 seconds, with no write for the requests in between.

use reqwest::Method;
use system_tests::{Backend, id, on_both_backends};

on_both_backends!(agent_requests_touch_presence_at_most_every_thirty_seconds);

async fn agent_requests_touch_presence_at_most_every_thirty_seconds(backend: Backend) {
    let svc = backend.start().await;
    let board = id(&svc.create_board("Presence").await);
    let (agent, token) = svc.create_agent(&board, "Scout").await;
    let path = format!("/api/v1/agents/{}", id(&agent));
    let before = svc.ok(Method::GET, &path, None).await;
    assert!(before["last_seen_at"].is_null(), "{before}");
    assert_eq!(before["status"], "provisioning", "{before}");

    // The first request touches: seen, online. A read-only route, no heartbeat.
    svc.ok_as_agent(&token, Method::GET, "/api/v1/agent/healthz", None)
        .await;
    let first = svc.ok(Method::GET, &path, None).await;
    assert!(first["last_seen_at"].is_string(), "{first}");
    assert_eq!(first["status"], "online", "{first}");
    // A quick second request writes nothing.
    svc.ok_as_agent(&token, Method::GET, "/api/v1/agent/boards", None).await;
    let second = svc.ok(Method::GET, &path, None).await;
    assert_eq!(second["last_seen_at"], first["last_seen_at"], "{second}");
    let no_heartbeat = svc
        .database
        .count("SELECT count(*) FROM activity_events WHERE event_type = 'agent.heartbeat'")
        .await;
    assert_eq!(no_heartbeat, 0);

    // Once last seen a minute ago, the next request moves it again.
    let minute_ago = match backend {
        Backend::Sqlite => "datetime('now', '-1 minute')",
        _ => "(now() AT TIME ZONE 'UTC') - interval '1 minute'",
    };
    svc.database
        .execute(&format!(
            "UPDATE agents SET last_seen_at = {minute_ago} WHERE name = 'Scout'"
        ))
        .await;
    let stale = svc.ok(Method::GET, &path, None).await;
    assert_ne!(stale["last_seen_at"], first["last_seen_at"], "{stale}");
    svc.ok_as_agent(&token, Method::GET, "/api/v1/agent/healthz", None)
        .await;
    let third = svc.ok(Method::GET, &path, None).await;
    assert_ne!(third["last_seen_at"], stale["last_seen_at"], "{third}");
    assert_eq!(third["status"], "online", "{third}");
}
