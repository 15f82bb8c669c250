//! Distributed rate limits: replicas share one Redis budget; a Redis outage fails open with
//! one warning and a degraded-decision metric, and the limiter recovers by itself.
//!
//! PostgreSQL and Redis only, by nature: the shared budget lives in Redis, the outage is a
//! Redis outage.

use std::time::Duration;

use reqwest::Method;
use system_tests::{Launch, PrivateServer, TestDb, eventually, redis_prefix, redis_url};

#[tokio::test]
async fn two_replicas_share_one_agent_auth_budget() {
    let db = TestDb::create().await.unwrap();
    let prefix = redis_prefix();
    let launch = || {
        Launch::new()
            .postgres(&db)
            .redis(&redis_url(), &prefix)
            .env("RATE_LIMIT_AGENT_AUTH_REQUESTS", "6")
    };
    let a = launch().start().await.unwrap();
    let b = launch().start().await.unwrap();
    let board = a.create_board("Shared").await;
    let (_, token) = a.create_agent(board["id"].as_str().unwrap(), "twin").await;

    let mut allowed = 0;
    let mut limited = 0;
    for i in 0..12 {
        let svc = if i % 2 == 0 { &a } else { &b };
        let res = svc
            .agent(Method::GET, "/api/v1/agent/healthz", &token)
            .send()
            .await
            .unwrap();
        match res.status().as_u16() {
            200 => allowed += 1,
            429 => {
                limited += 1;
                assert!(res.headers().get("retry-after").is_some());
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(allowed, 6, "the two replicas together allow exactly the budget");
    assert_eq!(limited, 6);
}

#[tokio::test]
async fn a_redis_outage_fails_open_warns_once_and_recovers() {
    let redis = PrivateServer::redis().await.unwrap();
    let svc = Launch::new()
        .redis(&redis.url, &redis_prefix())
        .env("RATE_LIMIT_AGENT_AUTH_REQUESTS", "3")
        .start()
        .await
        .unwrap();
    let board = svc.create_board("Outage").await;
    let (_, token) = svc.create_agent(board["id"].as_str().unwrap(), "survivor").await;
    let status = |svc: &system_tests::Service| {
        let req = svc.agent(Method::GET, "/api/v1/agent/healthz", &token);
        async move { req.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(status(&svc).await, 200);

    redis.stop().await.unwrap();
    // Well over the budget, yet every request is served while Redis is away.
    for _ in 0..6 {
        assert_eq!(status(&svc).await, 200, "requests must be allowed while Redis is down");
    }
    let warnings = svc
        .output()
        .iter()
        .filter(|l| l.contains("redis rate limiter unavailable"))
        .count();
    assert_eq!(warnings, 1, "one warning per outage");
    let metrics = svc
        .http
        .get(svc.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(r#"rate_limit_decisions_total{limiter="agent_auth",outcome="degraded"} 6"#),
        "{metrics}"
    );
    let ready: serde_json::Value = svc
        .http
        .get(svc.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["checks"]["redis"], "unreachable");
    assert_eq!(ready["ok"], true, "Redis is reported, not required");

    redis.restart().await.unwrap();
    // Once Redis is back the budget applies again.
    let limited = eventually(Duration::from_secs(15), || async {
        (status(&svc).await == 429).then_some(())
    })
    .await;
    assert!(limited.is_some(), "the limiter did not recover");
    svc.wait_for_line(|l| l.contains("redis rate limiter recovered"), Duration::from_secs(5))
        .await
        .unwrap();
}

/// A refused client is refused by its replica without asking Redis, yet every attempt still
/// counts in the shared window: one that keeps hammering one replica for longer than the
/// window stays refused there and on the other replica, and is let in a window after it stops.
#[tokio::test]
async fn a_hammering_client_stays_refused_on_every_replica() {
    let db = TestDb::create().await.unwrap();
    let prefix = redis_prefix();
    let launch = || {
        Launch::new()
            .postgres(&db)
            .redis(&redis_url(), &prefix)
            .env("RATE_LIMIT_AGENT_AUTH_REQUESTS", "3")
            .env("RATE_LIMIT_AGENT_AUTH_WINDOW_SECONDS", "3")
    };
    let a = launch().start().await.unwrap();
    let b = launch().start().await.unwrap();
    let board = a.create_board("Hammer").await;
    let (_, token) = a.create_agent(board["id"].as_str().unwrap(), "hammer").await;
    let status = |svc: &system_tests::Service| {
        let req = svc.agent(Method::GET, "/api/v1/agent/healthz", &token);
        async move { req.send().await.unwrap().status().as_u16() }
    };
    for _ in 0..3 {
        assert_eq!(status(&a).await, 200);
    }
    // Twice the window, an attempt every 100 ms on A and every 500 ms on B: without the
    // refusals reaching Redis, the window would have emptied after 3 s and let one in.
    let until = std::time::Instant::now() + Duration::from_secs(6);
    let mut attempts = 0;
    while std::time::Instant::now() < until {
        assert_eq!(
            status(&a).await,
            429,
            "attempt {attempts} on A was let in while hammering"
        );
        if attempts % 5 == 0 {
            assert_eq!(
                status(&b).await,
                429,
                "attempt {attempts} on B was let in while A was hammered"
            );
        }
        attempts += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Quiet for a whole window (plus the flush interval and some slack): let in again.
    tokio::time::sleep(Duration::from_millis(3_600)).await;
    assert_eq!(status(&b).await, 200);
    assert_eq!(status(&a).await, 200);
}
