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
const POOL_PREFIX: &str = "mc_pool_";
const EMPTY_PREFIX: &str = "mc_t_";

/// A PostgreSQL schema of one test's own in one shared test database; `url` selects it
/// through the connection's `search_path`.
///
/// Schemas instead of databases: creating and dropping a database forces a checkpoint and
/// costs seconds. Migrated schemas are pooled: a test claims a free one by holding an
/// advisory lock on it for its lifetime (released by PostgreSQL when the test process ends,
/// however it ends) and empties its tables before use, so the service finds its migrations
/// applied. The pool is keyed by a hash of the migration files; schemas of other migrations
/// are dropped when found free.
pub struct TestDb {
    pub url: String,
    /// The schema's name.
    pub name: String,
    shared: String,
    /// Holds the advisory lock that makes the schema this test's.
    _claim: sqlx::PgConnection,
    /// Whether the schema goes back to the pool (else it is dropped).
    pooled: bool,
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

async fn run(conn: &mut sqlx::PgConnection, sql: String) -> Result<()> {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(conn).await?;
    Ok(())
}

/// Empties a claimed schema's tables. Deleting the few rows a test wrote, with the foreign-key
/// triggers off (the test user is a superuser), is much cheaper than `TRUNCATE`, which
/// replaces every table's files; `TRUNCATE` is the fallback.
async fn empty_tables(conn: &mut sqlx::PgConnection, tables: &[String]) -> Result<()> {
    if tables.is_empty() {
        return Ok(());
    }
    let deletes: String = tables.iter().map(|t| format!("DELETE FROM {t};")).collect();
    let fast = format!("BEGIN; SET LOCAL session_replication_role = replica; {deletes} COMMIT;");
    if run(conn, fast).await.is_err() {
        run(conn, "ROLLBACK".to_owned()).await.ok();
        run(conn, format!("TRUNCATE {} CASCADE", tables.join(", "))).await?;
    }
    Ok(())
}

/// A short hash of the PostgreSQL migrations, so pooled schemas match the binary under test.
fn migrations_hash() -> String {
    use std::hash::{Hash, Hasher};
    let dir = crate::service::workspace_root().join("service/migrations/postgres");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    let mut hasher = std::hash::DefaultHasher::new();
    for f in files {
        f.file_name().hash(&mut hasher);
        std::fs::read(&f).unwrap_or_default().hash(&mut hasher);
    }
    format!("{:08x}", hasher.finish() as u32)
}

async fn shared_database() -> Result<(url::Url, sqlx::PgConnection)> {
    init();
    let admin = postgres_admin_url();
    let shared = with_database(&admin, SHARED_DATABASE)?;
    let conn = match sqlx::PgConnection::connect(shared.as_str()).await {
        Ok(conn) => conn,
        Err(_) => {
            // First use on this server (a concurrent test may win the race: fine).
            let _ = exec(&admin, &format!("CREATE DATABASE {SHARED_DATABASE}")).await;
            sqlx::PgConnection::connect(shared.as_str())
                .await
                .with_context(|| format!("connect to the shared test database {SHARED_DATABASE}"))?
        }
    };
    Ok((shared, conn))
}

/// The URL of a schema. Commits do not wait for the WAL flush (`synchronous_commit=off`): a
/// test database need not survive a crash of its server, and the flush is most of a small
/// write's time.
fn schema_url(shared: &url::Url, name: &str) -> String {
    let mut url = shared.clone();
    url.query_pairs_mut()
        .append_pair("options[search_path]", name)
        .append_pair("options[synchronous_commit]", "off");
    url.to_string()
}

impl TestDb {
    /// A migrated schema from the pool (or a new one the service will migrate), emptied.
    pub async fn create() -> Result<Self> {
        let (shared, mut conn) = shared_database().await?;
        let current = format!("{POOL_PREFIX}{}_", migrations_hash());
        let pooled: Vec<String> = sqlx::query_scalar(
            "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'mc\\_pool\\_%' OR nspname LIKE 'mc\\_t\\_%'",
        )
        .fetch_all(&mut conn)
        .await?;
        let mut claimed = None;
        for name in pooled {
            let free: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock(hashtext($1))")
                .bind(&name)
                .fetch_one(&mut conn)
                .await?;
            if !free {
                continue;
            }
            if name.starts_with(&current) && claimed.is_none() {
                claimed = Some(name);
                continue;
            }
            // A schema of other migrations, or an empty one a crashed test left.
            run(&mut conn, format!("DROP SCHEMA IF EXISTS {name} CASCADE")).await?;
            run(&mut conn, format!("SELECT pg_advisory_unlock(hashtext('{name}'))")).await?;
        }
        let name = match claimed {
            Some(name) => {
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables \
                     WHERE schemaname = $1 AND tablename <> '_sqlx_migrations'",
                )
                .bind(&name)
                .fetch_all(&mut conn)
                .await?;
                empty_tables(&mut conn, &tables).await?;
                name
            }
            None => {
                let name = format!("{current}{}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
                // Locked before it exists: another test's pool scan can never claim (or drop)
                // a schema between its creation and its lock.
                run(&mut conn, format!("SELECT pg_advisory_lock(hashtext('{name}'))")).await?;
                run(&mut conn, format!("CREATE SCHEMA {name}")).await?;
                name
            }
        };
        Ok(Self {
            url: schema_url(&shared, &name),
            name,
            shared: shared.to_string(),
            _claim: conn,
            pooled: true,
        })
    }

    /// A new, empty schema (for the `migrate` command), dropped when this value is dropped.
    pub async fn empty() -> Result<Self> {
        let (shared, mut conn) = shared_database().await?;
        let name = format!("{EMPTY_PREFIX}{}", uuid::Uuid::new_v4().simple());
        run(&mut conn, format!("CREATE SCHEMA {name}")).await?;
        run(&mut conn, format!("SELECT pg_advisory_lock(hashtext('{name}'))")).await?;
        Ok(Self {
            url: schema_url(&shared, &name),
            name,
            shared: shared.to_string(),
            _claim: conn,
            pooled: false,
        })
    }

    /// A direct connection (to this schema), to look at rows the API does not show.
    pub async fn connect(&self) -> Result<sqlx::PgConnection> {
        Ok(sqlx::PgConnection::connect(&self.url).await?)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // A pooled schema goes back to the pool when its claim connection closes.
        if self.pooled {
            return;
        }
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
