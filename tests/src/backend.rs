//! The two deployments every rule runs on: SQLite (one replica, in-process limits and events)
//! and PostgreSQL with Redis (the multi-replica setup), and direct SQL against either store
//! for the facts the API cannot set or show.

use std::ops::Deref;
use std::path::PathBuf;
use std::time::Duration;

use sqlx::Connection;

use crate::{Launch, Service, TestDb, redis_prefix, redis_url};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite under the service's private data directory.
    Sqlite,
    /// A PostgreSQL schema of its own, and Redis for rate limits and the event bus.
    PostgresRedis,
}

impl Backend {
    /// Starts the service with the default test environment on this backend.
    pub async fn start(self) -> Deployment {
        self.start_with(Launch::new()).await
    }

    /// Starts the service from `launch` on this backend.
    pub async fn start_with(self, launch: Launch) -> Deployment {
        match self {
            Backend::Sqlite => {
                let service = launch.start().await.expect("start on sqlite");
                let path = service
                    .data_dir()
                    .expect("a data directory (Launch::new)")
                    .join("mission-control.db");
                Deployment {
                    service,
                    database: Database::Sqlite(path),
                }
            }
            Backend::PostgresRedis => {
                let db = TestDb::create().await.expect("a postgres schema");
                let service = launch
                    .postgres(&db)
                    .redis(&redis_url(), &redis_prefix())
                    .start()
                    .await
                    .expect("start on postgres and redis");
                Deployment {
                    service,
                    database: Database::Postgres(db),
                }
            }
        }
    }
}

/// A running service and the store behind it. Derefs to the service.
pub struct Deployment {
    pub service: Service,
    pub database: Database,
}

impl Deref for Deployment {
    type Target = Service;
    fn deref(&self) -> &Service {
        &self.service
    }
}

/// The store of a deployment, for SQL that is valid on both backends.
pub enum Database {
    Sqlite(PathBuf),
    Postgres(TestDb),
}

impl Database {
    /// Runs statements (no parameters).
    pub async fn execute(&self, sql: &str) {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self {
            Database::Sqlite(path) => {
                let mut conn = sqlite(path).await;
                sqlx::raw_sql(sql).execute(&mut conn).await.expect("sqlite statement");
            }
            Database::Postgres(db) => {
                let mut conn = db.connect().await.expect("connect to postgres");
                sqlx::raw_sql(sql).execute(&mut conn).await.expect("postgres statement");
            }
        }
    }

    /// The single integer a query returns (a count).
    pub async fn count(&self, sql: &str) -> i64 {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self {
            Database::Sqlite(path) => {
                let mut conn = sqlite(path).await;
                sqlx::query_scalar(sql)
                    .fetch_one(&mut conn)
                    .await
                    .expect("sqlite query")
            }
            Database::Postgres(db) => {
                let mut conn = db.connect().await.expect("connect to postgres");
                sqlx::query_scalar(sql)
                    .fetch_one(&mut conn)
                    .await
                    .expect("postgres query")
            }
        }
    }
}

async fn sqlite(path: &std::path::Path) -> sqlx::SqliteConnection {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .busy_timeout(Duration::from_secs(5));
    sqlx::SqliteConnection::connect_with(&options)
        .await
        .expect("open the service's sqlite file")
}

/// Turns each named `async fn rule(backend: Backend)` of the calling module into two tests,
/// `rule::sqlite` and `rule::postgres_redis`, so a failure names the backend.
#[macro_export]
macro_rules! on_both_backends {
    ($($rule:ident),+ $(,)?) => {$(
        mod $rule {
            #[tokio::test(flavor = "multi_thread")]
            async fn sqlite() {
                super::$rule($crate::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn postgres_redis() {
                super::$rule($crate::Backend::PostgresRedis).await;
            }
        }
    )+};
}
