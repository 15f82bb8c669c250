//! Application state and start-up: everything a request handler may reach, built once.

use std::ops::Deref;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::auth::{UserAuthenticator, agent_token, clerk::ClerkVerifier};
use crate::bus::{EventBus, RateLimiter};
use crate::config::{AuthConfig, Config, RateLimitBackend, Secret, parse_local_token};
use crate::store::{Store, StoreError};
use crate::telemetry::metrics::Metrics;

/// Why the service could not start. Each names what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("DATABASE_URL: cannot open the database: {0}")]
    Database(#[source] StoreError),
    #[error("DATABASE_URL: migrations failed: {0}")]
    Migrate(#[source] StoreError),
    #[error("RATE_LIMIT_REDIS_URL: cannot reach Redis: {0}")]
    Redis(#[source] fred::error::Error),
    #[error("DATA_DIR: cannot keep the generated local token in {path}: {source}")]
    TokenFile { path: String, source: std::io::Error },
    #[error("LOCAL_AUTH_TOKEN: the token stored in {0} is not acceptable; delete it to generate a new one")]
    StoredTokenInvalid(String),
    #[error("CLERK_API_URL: cannot build the HTTP client: {0}")]
    Http(#[source] reqwest::Error),
    #[error("GATEWAY_DEVICE_KEY_FILE: cannot read {path}: {source}")]
    DeviceKeyFile { path: String, source: std::io::Error },
    #[error("GATEWAY_DEVICE_KEY: the gateway device key is not a 32-byte Ed25519 seed in base64 or hex")]
    DeviceKey,
}

/// Readiness turns false as soon as shutdown begins, and live streams end.
pub struct ShutdownState {
    draining: AtomicBool,
    signal: tokio::sync::watch::Sender<bool>,
}

impl Default for ShutdownState {
    fn default() -> Self {
        Self {
            draining: AtomicBool::new(false),
            signal: tokio::sync::watch::channel(false).0,
        }
    }
}

impl ShutdownState {
    pub fn begin_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
        self.signal.send_replace(true);
    }
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }
    /// Resolves once shutdown has begun.
    pub async fn draining(&self) {
        let mut rx = self.signal.subscribe();
        let _ = rx.wait_for(|draining| *draining).await;
    }
}

pub struct Inner {
    pub config: Config,
    pub store: Store,
    pub limiter: RateLimiter,
    /// Fan-out of live-stream events (in-process, or Redis pub/sub across replicas).
    pub events: EventBus,
    pub users: UserAuthenticator,
    /// The public souls directory; `None` when turned off.
    pub souls: Option<crate::outbound::souls::SoulsDirectory>,
    pub metrics: Metrics,
    pub shutdown: ShutdownState,
    /// Key of the agent-token keyed hash.
    pub agent_token_key: Vec<u8>,
    /// Wakes this replica's job runner after an enqueue.
    pub jobs: crate::jobs::JobSignal,
    /// The client for OpenClaw gateways, with the device identity all replicas share.
    pub gateways: crate::gateway::GatewayClient,
}

/// Cheap to clone; handlers receive it as axum state.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

const TOKEN_FILE: &str = "local-auth-token";
const AGENT_KEY_NAME: &str = "agent_token_hash_key";

impl AppState {
    /// Connects to everything the configuration names, migrating when asked.
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let metrics = Metrics::default();
        let store = Store::connect(&config.database, config.db_max_connections)
            .await
            .map_err(StartupError::Database)?;
        if config.db_auto_migrate {
            store.migrate().await.map_err(StartupError::Migrate)?;
        }
        let agent_token_key = match &config.agent_token_key {
            Some(key) => key.expose().as_bytes().to_vec(),
            None => store
                .instance_secret(AGENT_KEY_NAME, &agent_token::random_string(64))
                .await
                .map_err(StartupError::Database)?
                .into_bytes(),
        };
        let gateways = gateway_client(&config, &store).await?;
        let (limiter, events) = match &config.rate_limit_backend {
            RateLimitBackend::Memory => (RateLimiter::memory(), EventBus::memory()),
            RateLimitBackend::Redis { url, prefix } => (
                RateLimiter::redis(url.expose(), prefix, metrics.clone())
                    .await
                    .map_err(StartupError::Redis)?,
                EventBus::redis(url.expose(), &format!("{prefix}:events"))
                    .await
                    .map_err(StartupError::Redis)?,
            ),
        };
        let users = match &config.auth {
            AuthConfig::Local { token: Some(token) } => UserAuthenticator::Local { token: token.clone() },
            AuthConfig::Local { token: None } => UserAuthenticator::Local {
                token: local_token_from_data_dir(&config.data_dir)?,
            },
            AuthConfig::Clerk(clerk) => {
                UserAuthenticator::Clerk(Box::new(ClerkVerifier::new(clerk.clone()).map_err(StartupError::Http)?))
            }
        };
        let souls = match &config.souls {
            Some(c) => Some(crate::outbound::souls::SoulsDirectory::new(c.clone()).map_err(StartupError::Http)?),
            None => None,
        };
        Ok(Self(Arc::new(Inner {
            config,
            store,
            limiter,
            events,
            users,
            souls,
            metrics,
            shutdown: ShutdownState::default(),
            agent_token_key,
            jobs: crate::jobs::JobSignal::default(),
            gateways,
        })))
    }
}

const DEVICE_KEY_NAME: &str = "gateway_device_key";

/// The gateway client, with its device key from the configuration or, when none is
/// configured, generated once and kept in the database (so every replica is one device).
async fn gateway_client(config: &Config, store: &Store) -> Result<crate::gateway::GatewayClient, StartupError> {
    use crate::config::DeviceKeySource;
    use crate::gateway::DeviceIdentity;
    let c = &config.gateway;
    let text = match &c.device_key {
        DeviceKeySource::Value(key) => key.expose().to_owned(),
        DeviceKeySource::File(path) => std::fs::read_to_string(path).map_err(|source| StartupError::DeviceKeyFile {
            path: path.display().to_string(),
            source,
        })?,
        DeviceKeySource::Database => store
            .instance_secret(DEVICE_KEY_NAME, &DeviceIdentity::generate_text())
            .await
            .map_err(StartupError::Database)?,
    };
    let identity = DeviceIdentity::from_text(&text).map_err(|_| StartupError::DeviceKey)?;
    Ok(crate::gateway::GatewayClient::new(
        identity,
        crate::gateway::GatewaySettings {
            connect_timeout: c.connect_timeout,
            call_timeout: c.call_timeout,
            retry_for: c.retry_for,
            min_version: c.min_version,
        },
    ))
}

/// Reads the local token kept in the data directory, generating it (mode 0600) and printing
/// it once on first start.
fn local_token_from_data_dir(dir: &Path) -> Result<Secret, StartupError> {
    let path = dir.join(TOKEN_FILE);
    let io_err = |source| StartupError::TokenFile {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(stored) => {
            return parse_local_token(stored.trim())
                .map_err(|_| StartupError::StoredTokenInvalid(path.display().to_string()));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(e)),
    }
    std::fs::create_dir_all(dir).map_err(io_err)?;
    let token = agent_token::random_string(64);
    write_private(&path, &token).map_err(io_err)?;
    // Shown once, on the terminal that started the service; never through the log pipeline.
    eprintln!(
        "mission-control: generated LOCAL_AUTH_TOKEN (kept in {}, shown only now):\n{token}",
        path.display()
    );
    Ok(Secret::new(token))
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}
