//! The `migrate` command. PostgreSQL only: it is the operator's migration job, which runs
//! against PostgreSQL (SQLite deployments are single-replica and migrate on start).

use reqwest::Method;
use system_tests::{Launch, TestDb};

#[tokio::test]
async fn migrate_command_prepares_an_empty_postgres_database() {
    let db = TestDb::empty().await.unwrap();
    let (code, out) = Launch::new()
        .postgres(&db)
        .args(&["migrate"])
        .run_to_exit()
        .await
        .unwrap();
    assert_eq!(code, Some(0), "{out}");
    let mut conn = db.connect().await.unwrap();
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() \
         AND table_name IN ('boards', 'tasks', 'agents')",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(tables, 3);
    // A service that does not migrate by itself starts on it.
    let svc = Launch::new()
        .postgres(&db)
        .env("DB_AUTO_MIGRATE", "false")
        .start()
        .await
        .unwrap();
    let (status, _) = svc.call(Method::GET, "/api/v1/users/me", None).await;
    assert_eq!(status, 200);
}
