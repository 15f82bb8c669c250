//! The one place the test support reads the process environment.

use std::path::PathBuf;
use std::sync::OnceLock;

/// What the tests take from their environment, read once.
#[derive(Debug, Clone, Default)]
pub struct TestEnvironment {
    /// `MISSION_CONTROL_BIN`: the binary under test, when not the workspace's debug build.
    pub mission_control_bin: Option<PathBuf>,
    /// `CARGO_TARGET_DIR`: where the workspace's build lives, when not `target/`.
    pub cargo_target_dir: Option<PathBuf>,
    /// `PATH`, passed on to the service (it runs with an otherwise cleared environment).
    pub path: String,
    /// `TEST_DATABASE_URL`: the admin URL of the test PostgreSQL server.
    pub test_database_url: Option<String>,
    /// `TEST_REDIS_URL`: the test Redis.
    pub test_redis_url: Option<String>,
    /// `SCHEMATHESIS`: the Schemathesis CLI, when not the one `tests/schemathesis/install.sh`
    /// puts under the target directory.
    pub schemathesis: Option<PathBuf>,
    /// `SCHEMATHESIS_EXAMPLES`: examples per operation for the contract fuzz run.
    pub schemathesis_examples: Option<String>,
    /// `OPENCLAW_CACHE`: where `tests/gateway/openclaw.sh` installed the real gateways.
    pub openclaw_cache: Option<PathBuf>,
}

#[allow(
    clippy::disallowed_methods,
    reason = "the tests' single reader of the process environment; everything else asks it"
)]
fn read() -> TestEnvironment {
    TestEnvironment {
        mission_control_bin: std::env::var_os("MISSION_CONTROL_BIN").map(PathBuf::from),
        cargo_target_dir: std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from),
        path: std::env::var("PATH").unwrap_or_default(),
        test_database_url: std::env::var("TEST_DATABASE_URL").ok(),
        test_redis_url: std::env::var("TEST_REDIS_URL").ok(),
        schemathesis: std::env::var_os("SCHEMATHESIS").map(PathBuf::from),
        schemathesis_examples: std::env::var("SCHEMATHESIS_EXAMPLES").ok(),
        openclaw_cache: std::env::var_os("OPENCLAW_CACHE").map(PathBuf::from),
    }
}

/// The environment of this test process.
pub fn environment() -> &'static TestEnvironment {
    static ENV: OnceLock<TestEnvironment> = OnceLock::new();
    ENV.get_or_init(read)
}
