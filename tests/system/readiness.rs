//! Readiness follows the database: a stopped PostgreSQL turns `/readyz` to 503 while
//! `/healthz` stays 200, requests that need it fail with a generic 500 whose cause is logged
//! with the request id, and everything recovers when it returns.
//!
//! PostgreSQL only, by nature: an outage of a database server (a private one, stopped and
//! restarted); embedded SQLite cannot be down.

use std::time::Duration;

use system_tests::{Launch, PrivateServer, eventually, json_of};

#[tokio::test]
async fn postgres_outage_fails_readiness_not_liveness_and_recovers() {
    let pg = PrivateServer::postgres().await.unwrap();
    let svc = Launch::new().env("DATABASE_URL", pg.url.clone()).start().await.unwrap();
    let get = |path: &str| svc.http.get(svc.url(path)).send();
    assert_eq!(get("/readyz").await.unwrap().status(), 200);
    let (status, _) = svc.call(reqwest::Method::GET, "/api/v1/users/me", None).await;
    assert_eq!(status, 200);

    pg.stop().await.unwrap();
    let (status, body) = json_of(get("/readyz").await.unwrap()).await;
    assert_eq!(status, 503);
    assert_eq!(body["checks"]["database"], "unreachable");
    assert_eq!(get("/healthz").await.unwrap().status(), 200);
    assert_eq!(get("/health").await.unwrap().status(), 200);

    let res = svc
        .user(reqwest::Method::GET, "/api/v1/users/me")
        .header("x-request-id", "db-down-1")
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(res).await;
    assert_eq!(status, 500);
    assert_eq!(body["detail"], "Internal Server Error", "the cause is never sent");
    assert_eq!(body["request_id"], "db-down-1");
    svc.wait_for_line(
        |l| l.contains("db-down-1") && l.contains("request failed") && l.contains("error"),
        Duration::from_secs(5),
    )
    .await
    .unwrap();

    pg.restart().await.unwrap();
    let back = eventually(Duration::from_secs(20), || async {
        (get("/readyz").await.ok()?.status() == 200).then_some(())
    })
    .await;
    assert!(back.is_some(), "readiness did not recover");
    let (status, _) = svc.call(reqwest::Method::GET, "/api/v1/users/me", None).await;
    assert_eq!(status, 200);
}
