//! The service process: its environment (`Launch`), starting it on a free port, its captured
//! output, signalling it and waiting for it to exit.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::dependencies::TestDb;
use crate::environment::environment;
use crate::{TOKEN, client};

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The workspace's target directory: `CARGO_TARGET_DIR`, else `target/`.
pub fn target_dir() -> PathBuf {
    environment()
        .cargo_target_dir
        .clone()
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// The built binary: `MISSION_CONTROL_BIN`, else `<target>/debug/mission-control`.
pub fn binary() -> PathBuf {
    let env = environment();
    if let Some(p) = &env.mission_control_bin {
        return p.clone();
    }
    let bin = target_dir().join("debug").join("mission-control");
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

/// A running service and its captured output.
pub struct Service {
    child: Child,
    pub base: String,
    pub port: u16,
    lines: Arc<Mutex<Vec<String>>>,
    pub http: reqwest::Client,
    data: Option<tempfile::TempDir>,
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

    /// Redis rate limiting (and with it the Redis event bus) with a key prefix of its own.
    pub fn redis(self, url: &str, prefix: &str) -> Self {
        self.env("RATE_LIMIT_BACKEND", "redis")
            .env("RATE_LIMIT_REDIS_URL", url)
            .env("RATE_LIMIT_REDIS_PREFIX", prefix)
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(binary());
        cmd.args(&self.args)
            .env_clear()
            .env("PATH", &environment().path)
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
            data: self.data.take(),
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

    /// The private data directory of a service started from `Launch::new()`.
    pub fn data_dir(&self) -> Option<&Path> {
        self.data.as_ref().map(tempfile::TempDir::path)
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
