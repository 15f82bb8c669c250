//! The store's own tests: every test runs against SQLite (a fresh file) and, when
//! `TEST_DATABASE_URL` is set (tests/run.sh always sets it), against a private PostgreSQL
//! database created for the test and dropped after it, so tests run in parallel.

mod agents;
mod approvals;
mod claims;
mod conflicts;
mod fixtures;
mod jobs;
mod members;
mod memory;
mod tasks;
mod webhooks;

use std::future::Future;

use mission_control::config::{DatabaseConfig, Secret};
use mission_control::store::Store;
use sqlx::Executor;

/// The PostgreSQL server to create test databases on, if any.
#[allow(
    clippy::disallowed_methods,
    reason = "tests read their database from the environment in this one place"
)]
fn test_database_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())
}

/// A migrated store and a raw connection to the same database (to plant what the store
/// would never write).
pub struct TestDb {
    pub store: Store,
    pub raw: Raw,
}

pub enum Raw {
    Postgres(sqlx::PgPool),
    Sqlite(sqlx::SqlitePool),
}

impl TestDb {
    pub fn is_postgres(&self) -> bool {
        matches!(self.raw, Raw::Postgres(_))
    }

    /// Runs one statement outside the store, `$1` bound to `id`.
    pub async fn exec(&self, sql: &'static str, id: uuid::Uuid) {
        match &self.raw {
            Raw::Postgres(p) => sqlx::query(sql).bind(id).execute(p).await.map(drop),
            Raw::Sqlite(p) => sqlx::query(sql).bind(id).execute(p).await.map(drop),
        }
        .expect("raw statement");
    }
}

/// Runs `test` on SQLite, then on PostgreSQL when a server is configured.
pub async fn on_both<F, Fut>(test: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("store.db");
    let store = Store::connect(&DatabaseConfig::Sqlite { path: path.clone() }, 4)
        .await
        .expect("sqlite");
    store.migrate().await.expect("migrate sqlite");
    let raw = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("raw sqlite");
    test(TestDb {
        store,
        raw: Raw::Sqlite(raw),
    })
    .await;

    let Some(server) = test_database_url() else {
        return;
    };
    let admin = sqlx::PgPool::connect(&server).await.expect("TEST_DATABASE_URL");
    let name = format!("mc_store_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .expect("create database");
    let url = database_url(&server, &name);
    let store = Store::connect(
        &DatabaseConfig::Postgres {
            url: Secret::new(url.clone()),
        },
        4,
    )
    .await
    .expect("postgres");
    store.migrate().await.expect("migrate postgres");
    let raw = sqlx::PgPool::connect(&url).await.expect("raw postgres");
    test(TestDb {
        store,
        raw: Raw::Postgres(raw.clone()),
    })
    .await;
    raw.close().await;
    admin
        .execute(sqlx::AssertSqlSafe(format!("DROP DATABASE {name} WITH (FORCE)")))
        .await
        .expect("drop database");
}

/// `server` with its database replaced by `name`.
fn database_url(server: &str, name: &str) -> String {
    let (base, query) = server.split_once('?').map_or((server, None), |(b, q)| (b, Some(q)));
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

#[test]
fn database_urls_swap_only_the_database() {
    assert_eq!(
        database_url("postgres://postgres@127.0.0.1:5432/postgres", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        database_url("postgres://h/db?sslmode=disable", "x"),
        "postgres://h/x?sslmode=disable"
    );
    assert_eq!(database_url("postgres://h", "x"), "postgres://h/x");
}
