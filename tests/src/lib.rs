//! Support for black-box tests of the built `mission-control` binary: start it with a given
//! environment on a free port, talk HTTP to it, read its logs, signal it; create throw-away
//! PostgreSQL databases and Redis key prefixes so tests never share state.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub mod idp;

/// A local token that passes the service's checks.
pub const TOKEN: &str = "test-token-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The built binary: `MISSION_CONTROL_BIN`, else `<target>/debug/mission-control`.
#[allow(
    clippy::disallowed_methods,
    reason = "the test harness finds the binary under test from its environment"
)]
pub fn binary() -> PathBuf {
    if let Some(p) = std::env::var_os("MISSION_CONTROL_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    let bin = target.join("debug").join("mission-control");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p mission-control` (make test does)",
        bin.display()
    );
    bin
}

/// A script under `tests/` (the private-instance helpers).
pub fn script(name: &str) -> PathBuf {
    workspace_root().join("tests").join(name)
}

/// Installs the rustls provider reqwest needs; call at the start of each test.
pub fn init() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

pub fn client() -> reqwest::Client {
    init();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client")
}

/// A running service and its captured output.
pub struct Service {
    child: Child,
    pub base: String,
    pub port: u16,
    lines: Arc<Mutex<Vec<String>>>,
    pub http: reqwest::Client,
    _data: Option<tempfile::TempDir>,
}

/// Builds the environment of a service process.
pub struct Launch {
    env: BTreeMap<String, String>,
    cwd: Option<PathBuf>,
    data: Option<tempfile::TempDir>,
    args: Vec<String>,
}

impl Default for Launch {
    fn default() -> Self {
        Self::new()
    }
}

impl Launch {
    /// Loopback, port 0, JSON logs, a fixed local token, a private data directory (SQLite).
    pub fn new() -> Self {
        let data = tempfile::tempdir().expect("tempdir");
        let mut env = BTreeMap::new();
        for (k, v) in [
            ("HOST", "127.0.0.1"),
            ("PORT", "0"),
            ("LOG_FORMAT", "json"),
            ("LOG_LEVEL", "info"),
            ("LOCAL_AUTH_TOKEN", TOKEN),
        ] {
            env.insert(k.to_owned(), v.to_owned());
        }
        env.insert("DATA_DIR".to_owned(), data.path().display().to_string());
        Self {
            env,
            cwd: None,
            data: Some(data),
            args: vec!["serve".to_owned()],
        }
    }

    /// No environment at all beyond what the test sets (zero-configuration start).
    pub fn bare() -> Self {
        Self {
            env: BTreeMap::new(),
            cwd: None,
            data: None,
            args: Vec::new(),
        }
    }

    pub fn env(mut self, key: &str, value: impl Into<String>) -> Self {
        self.env.insert(key.to_owned(), value.into());
        self
    }

    pub fn without(mut self, key: &str) -> Self {
        self.env.remove(key);
        self
    }

    pub fn cwd(mut self, dir: &Path) -> Self {
        self.cwd = Some(dir.to_path_buf());
        self
    }

    pub fn args(mut self, args: &[&str]) -> Self {
        self.args = args.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    pub fn postgres(self, db: &TestDb) -> Self {
        self.env("DATABASE_URL", db.url.clone())
    }

    /// Redis rate limiting with a key prefix of its own.
    pub fn redis(self, url: &str, prefix: &str) -> Self {
        self.env("RATE_LIMIT_BACKEND", "redis")
            .env("RATE_LIMIT_REDIS_URL", url)
            .env("RATE_LIMIT_REDIS_PREFIX", prefix)
    }

    #[allow(
        clippy::disallowed_methods,
        reason = "the service under test gets a cleared environment but the harness's PATH"
    )]
    fn command(&self) -> Command {
        let mut cmd = Command::new(binary());
        cmd.args(&self.args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(&self.env)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(dir) = &self.cwd {
            cmd.current_dir(dir);
        }
        cmd
    }

    /// Starts the service and waits until it listens.
    pub async fn start(mut self) -> Result<Service> {
        let mut child = self.command().spawn().context("spawn mission-control")?;
        let lines = Arc::new(Mutex::new(Vec::new()));
        capture(child.stdout.take(), lines.clone());
        capture(child.stderr.take(), lines.clone());
        let deadline = Instant::now() + Duration::from_secs(30);
        let port = loop {
            if let Some(port) = listening_port(&lines.lock().expect("lines")) {
                break port;
            }
            if let Some(status) = child.try_wait()? {
                let out = lines.lock().expect("lines").join("\n");
                bail!("mission-control exited early ({status}):\n{out}");
            }
            if Instant::now() > deadline {
                let out = lines.lock().expect("lines").join("\n");
                bail!("mission-control did not start listening within 30 s:\n{out}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        Ok(Service {
            child,
            base: format!("http://127.0.0.1:{port}"),
            port,
            lines,
            http: client(),
            _data: self.data.take(),
        })
    }

    /// Runs the process to completion (for commands and start-up failures): exit code and
    /// all output.
    pub async fn run_to_exit(self) -> Result<(Option<i32>, String)> {
        let child = self.command().spawn().context("spawn mission-control")?;
        let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .map_err(|_| anyhow!("mission-control did not exit within 60 s"))??;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        Ok((out.status.code(), text))
    }
}

fn capture<R: tokio::io::AsyncRead + Unpin + Send + 'static>(reader: Option<R>, lines: Arc<Mutex<Vec<String>>>) {
    if let Some(reader) = reader {
        tokio::spawn(async move {
            let mut reader = BufReader::new(reader).lines();
            while let Ok(Some(line)) = reader.next_line().await {
                lines.lock().expect("lines").push(line);
            }
        });
    }
}

fn listening_port(lines: &[String]) -> Option<u16> {
    lines.iter().find_map(|l| {
        let v: Value = serde_json::from_str(l).ok()?;
        if v.get("message")?.as_str()? != "listening" {
            return None;
        }
        v.get("address")?.as_str()?.rsplit(':').next()?.parse().ok()
    })
}

impl Service {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A request with an explicit bearer token (another user).
    pub async fn call_as(&self, token: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self.http.request(method, self.url(path)).bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        json_of(req.send().await.expect("request")).await
    }

    /// A request with the local user's bearer token.
    pub fn user(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, self.url(path)).bearer_auth(TOKEN)
    }

    pub fn agent(&self, method: reqwest::Method, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.http.request(method, self.url(path)).header("X-Agent-Token", token)
    }

    /// Sends a user request and returns status and JSON body (`Null` when empty).
    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self.user(method, path);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        json_of(res).await
    }

    /// Creates a board and returns its JSON.
    pub async fn create_board(&self, name: &str) -> Value {
        let (status, body) = self
            .call(
                reqwest::Method::POST,
                "/api/v1/boards",
                Some(serde_json::json!({"name": name, "slug": name.to_lowercase(), "description": format!("{name} board")})),
            )
            .await;
        assert_eq!(status, 200, "create board: {body}");
        body
    }

    /// Creates an agent on a board and issues its token.
    pub async fn create_agent(&self, board_id: &str, name: &str) -> (Value, String) {
        let (status, agent) = self
            .call(
                reqwest::Method::POST,
                "/api/v1/agents",
                Some(serde_json::json!({"name": name, "board_id": board_id})),
            )
            .await;
        assert_eq!(status, 200, "create agent: {agent}");
        let id = agent["id"].as_str().expect("agent id").to_owned();
        let (status, token) = self
            .call(reqwest::Method::POST, &format!("/api/v1/agents/{id}/token"), None)
            .await;
        assert_eq!(status, 200, "issue token: {token}");
        (agent, token["token"].as_str().expect("token").to_owned())
    }

    /// Everything the process printed so far.
    pub fn output(&self) -> Vec<String> {
        self.lines.lock().expect("lines").clone()
    }

    /// Waits until a printed line satisfies `pred`.
    pub async fn wait_for_line(&self, pred: impl Fn(&str) -> bool, timeout: Duration) -> Result<String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(l) = self.output().into_iter().find(|l| pred(l)) {
                return Ok(l);
            }
            if Instant::now() > deadline {
                bail!(
                    "no matching line within {timeout:?}; output:\n{}",
                    self.output().join("\n")
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id().unwrap_or(0)
    }

    /// Sends SIGTERM.
    pub async fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .await
            .expect("kill");
        assert!(status.success(), "kill -TERM failed");
    }

    /// Waits for the process to exit and returns its code.
    pub async fn wait_exit(&mut self, timeout: Duration) -> Result<Option<i32>> {
        let status = tokio::time::timeout(timeout, self.child.wait())
            .await
            .map_err(|_| anyhow!("service did not exit within {timeout:?}"))??;
        Ok(status.code())
    }
}

/// Status and JSON body of a response (`Null` when the body is empty or not JSON).
pub async fn json_of(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The admin URL of the test PostgreSQL server (`TEST_DATABASE_URL`).
#[allow(
    clippy::disallowed_methods,
    reason = "the test harness is told where its PostgreSQL is through the environment"
)]
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .expect("TEST_DATABASE_URL is not set: run the tests through `make test` (tests/deps.sh)")
}

/// The test Redis (`TEST_REDIS_URL`).
#[allow(
    clippy::disallowed_methods,
    reason = "the test harness is told where its Redis is through the environment"
)]
pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL")
        .expect("TEST_REDIS_URL is not set: run the tests through `make test` (tests/deps.sh)")
}

/// A unique Redis key prefix for one test.
pub fn redis_prefix() -> String {
    format!("mc-test:{}", uuid::Uuid::new_v4().simple())
}

const DB_PREFIX: &str = "mc_t_";

/// A fresh PostgreSQL database, dropped when this value is dropped. Databases left by
/// crashed runs (older than an hour) are swept when the next one is created.
pub struct TestDb {
    pub url: String,
    pub name: String,
    admin: String,
}

fn with_database(url: &str, db: &str) -> Result<String> {
    let mut u = url::Url::parse(url)?;
    u.set_path(&format!("/{db}"));
    Ok(u.to_string())
}

async fn admin_exec(admin: &str, sql: &str) -> Result<()> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(())
}

impl TestDb {
    pub async fn create() -> Result<Self> {
        init();
        let admin = postgres_admin_url();
        sweep_stale(&admin).await;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let name = format!("{DB_PREFIX}{now}_{}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
        admin_exec(&admin, &format!("CREATE DATABASE {name}")).await?;
        Ok(Self {
            url: with_database(&admin, &name)?,
            name,
            admin,
        })
    }

    /// A direct connection, to look at rows the API does not show.
    pub async fn connect(&self) -> Result<sqlx::PgConnection> {
        use sqlx::Connection;
        Ok(sqlx::PgConnection::connect(&self.url).await?)
    }
}

async fn sweep_stale(admin: &str) {
    use sqlx::Connection;
    let Ok(mut conn) = sqlx::PgConnection::connect(admin).await else {
        return;
    };
    let names: Vec<String> = sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'mc\\_t\\_%'")
        .fetch_all(&mut conn)
        .await
        .unwrap_or_default();
    let cutoff = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs().saturating_sub(3600))
        .unwrap_or(0);
    for name in names {
        let created: u64 = name
            .trim_start_matches(DB_PREFIX)
            .split('_')
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or(u64::MAX);
        if created < cutoff {
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut conn)
            .await;
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let admin = self.admin.clone();
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                let _ = rt.block_on(admin_exec(&admin, &sql));
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

/// Polls `f` until it returns `Some` or the timeout passes.
pub async fn eventually<T, F, Fut>(timeout: Duration, mut f: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f().await {
            return Some(v);
        }
        if Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One server-sent event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SseEvent {
    pub event: String,
    pub id: String,
    pub data: String,
    pub retry: Option<String>,
}

impl SseEvent {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap_or(Value::Null)
    }
}

/// Reads a `text/event-stream` response incrementally, as a browser's `fetch` reader would.
pub struct SseReader {
    stream: std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buffer: String,
    /// Everything received so far (comments and retry lines included).
    pub raw: String,
}

impl SseReader {
    pub fn new(res: reqwest::Response) -> Self {
        Self {
            stream: Box::pin(res.bytes_stream()),
            buffer: String::new(),
            raw: String::new(),
        }
    }

    /// The next complete event (comments skipped), or `None` when the stream ended or the
    /// timeout passed.
    pub async fn next_event(&mut self, timeout: Duration) -> Option<SseEvent> {
        use futures::StreamExt;
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut ev = SseEvent::default();
                let mut any = false;
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        ev.event = v.trim().to_owned();
                        any = true;
                    } else if let Some(v) = line.strip_prefix("id:") {
                        ev.id = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        if !ev.data.is_empty() {
                            ev.data.push('\n');
                        }
                        ev.data.push_str(v.strip_prefix(' ').unwrap_or(v));
                        any = true;
                    } else if let Some(v) = line.strip_prefix("retry:") {
                        ev.retry = Some(v.trim().to_owned());
                        any = true;
                    }
                }
                if any {
                    return Some(ev);
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .ok()??
                .ok()?;
            let text = String::from_utf8_lossy(&chunk).replace("\r\n", "\n");
            self.raw.push_str(&text);
            self.buffer.push_str(&text);
        }
    }

    /// Events until one satisfies `pred` (returned), or `None` on timeout/end.
    pub async fn until(&mut self, timeout: Duration, pred: impl Fn(&SseEvent) -> bool) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let ev = self.next_event(left).await?;
            if pred(&ev) {
                return Some(ev);
            }
        }
    }
}
