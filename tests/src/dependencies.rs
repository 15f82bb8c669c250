//! What a test needs besides the service: a PostgreSQL schema and a Redis key prefix of its
//! own (so tests never share state), and private PostgreSQL or Redis servers for the tests
//! that stop and restart them.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use sqlx::Connection;
use tokio::process::Command;

use crate::environment::environment;
use crate::{init, script};

/// The admin URL of the test PostgreSQL server (`TEST_DATABASE_URL`).
pub fn postgres_admin_url() -> String {
    environment()
        .test_database_url
        .clone()
        .expect("TEST_DATABASE_URL is not set: run the tests through `make test` (tests/deps.sh)")
}

/// The test Redis (`TEST_REDIS_URL`).
pub fn redis_url() -> String {
    environment()
        .test_redis_url
        .clone()
        .expect("TEST_REDIS_URL is not set: run the tests through `make test` (tests/deps.sh)")
}

/// A unique Redis key prefix for one test.
pub fn redis_prefix() -> String {
    format!("mc-test:{}", uuid::Uuid::new_v4().simple())
}

/// The database every test's schema lives in (created on first use).
const SHARED_DATABASE: &str = "mc_system_tests";
const SCHEMA_PREFIX: &str = "mc_t_";

/// A fresh PostgreSQL schema in one shared test database, dropped when this value is dropped;
/// `url` selects it through the connection's `search_path`. (A schema instead of a database:
/// creating and dropping databases forces checkpoints and costs seconds per test.) Schemas
/// left by crashed runs (older than an hour) are swept when the next one is created.
pub struct TestDb {
    pub url: String,
    /// The schema's name.
    pub name: String,
    shared: String,
}

fn with_database(url: &str, db: &str) -> Result<url::Url> {
    let mut u = url::Url::parse(url)?;
    u.set_path(&format!("/{db}"));
    Ok(u)
}

async fn exec(url: &str, sql: &str) -> Result<()> {
    let mut conn = sqlx::PgConnection::connect(url).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(())
}

fn unix_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl TestDb {
    pub async fn create() -> Result<Self> {
        init();
        let admin = postgres_admin_url();
        let shared = with_database(&admin, SHARED_DATABASE)?;
        let mut conn = match sqlx::PgConnection::connect(shared.as_str()).await {
            Ok(conn) => conn,
            Err(_) => {
                // First use on this server (a concurrent test may win the race: fine).
                let _ = exec(&admin, &format!("CREATE DATABASE {SHARED_DATABASE}")).await;
                sqlx::PgConnection::connect(shared.as_str())
                    .await
                    .with_context(|| format!("connect to the shared test database {SHARED_DATABASE}"))?
            }
        };
        sweep_stale(&mut conn).await;
        let name = format!(
            "{SCHEMA_PREFIX}{}_{}",
            unix_seconds(),
            &uuid::Uuid::new_v4().simple().to_string()[..10]
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {name}")))
            .execute(&mut conn)
            .await?;
        conn.close().await?;
        let mut url = shared.clone();
        url.query_pairs_mut().append_pair("options[search_path]", &name);
        Ok(Self {
            url: url.to_string(),
            name,
            shared: shared.to_string(),
        })
    }

    /// A direct connection (to this schema), to look at rows the API does not show.
    pub async fn connect(&self) -> Result<sqlx::PgConnection> {
        Ok(sqlx::PgConnection::connect(&self.url).await?)
    }
}

async fn sweep_stale(conn: &mut sqlx::PgConnection) {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'mc\\_t\\_%'")
            .fetch_all(&mut *conn)
            .await
            .unwrap_or_default();
    let cutoff = unix_seconds().saturating_sub(3600);
    for name in names {
        let created: u64 = name
            .trim_start_matches(SCHEMA_PREFIX)
            .split('_')
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or(u64::MAX);
        if created < cutoff {
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {name} CASCADE")))
                .execute(&mut *conn)
                .await;
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let shared = self.shared.clone();
        let sql = format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name);
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                let _ = rt.block_on(exec(&shared, &sql));
            }
        })
        .join();
    }
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A private server (PostgreSQL or Redis) started by the helper scripts, stopped on drop.
pub struct PrivateServer {
    pub url: String,
    pub port: u16,
    script: PathBuf,
    dir: tempfile::TempDir,
}

impl PrivateServer {
    async fn start(script_name: &str, dir: tempfile::TempDir, port: u16) -> Result<Self> {
        let script = script(script_name);
        let sub = dir.path().join("srv");
        let out = Command::new("bash")
            .arg(&script)
            .arg("start")
            .arg(&sub)
            .arg(port.to_string())
            .output()
            .await?;
        if !out.status.success() {
            bail!("{script_name} start failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(Self {
            url: String::from_utf8_lossy(&out.stdout).trim().to_owned(),
            port,
            script,
            dir,
        })
    }

    pub async fn postgres() -> Result<Self> {
        Self::start("pg-instance.sh", tempfile::tempdir()?, free_port()).await
    }

    pub async fn redis() -> Result<Self> {
        Self::start("redis-instance.sh", tempfile::tempdir()?, free_port()).await
    }

    pub async fn stop(&self) -> Result<()> {
        let out = Command::new("bash")
            .arg(&self.script)
            .arg("stop")
            .arg(self.dir.path().join("srv"))
            .output()
            .await?;
        if !out.status.success() {
            bail!("stop failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    }

    /// Starts the same server again on the same port.
    pub async fn restart(&self) -> Result<()> {
        let out = Command::new("bash")
            .arg(&self.script)
            .arg("start")
            .arg(self.dir.path().join("srv"))
            .arg(self.port.to_string())
            .output()
            .await?;
        if !out.status.success() {
            bail!("restart failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        let _ = std::process::Command::new("bash")
            .arg(&self.script)
            .arg("stop")
            .arg(self.dir.path().join("srv"))
            .output();
    }
}
