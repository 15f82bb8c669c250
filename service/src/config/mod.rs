//! Configuration: the only code that reads the process environment.
//!
//! Everything is read once at start, parsed into real types and validated; an error names
//! the variable and what it accepts. Secrets are wrapped in [`Secret`], whose `Debug`
//! prints `***`, so the whole `Config` may be logged.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use ipnet::IpNet;
use url::Url;

mod gateway;
mod jobs;
mod outbound;
#[cfg(test)]
mod tests;
mod values;

pub use gateway::{DeviceKeySource, GatewayConfig};
pub use jobs::JobsConfig;
pub use outbound::SoulsConfig;

pub use values::parse_local_token;
use values::*;

/// A value that must never reach a log line.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A configuration problem: which variable, and what it accepts.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{var}: {accepts}")]
pub struct ConfigError {
    pub var: &'static str,
    pub accepts: String,
}

impl ConfigError {
    fn new(var: &'static str, accepts: impl Into<String>) -> Self {
        Self {
            var,
            accepts: accepts.into(),
        }
    }
}

#[derive(Debug, Clone)]
pub enum AuthConfig {
    /// One shared bearer token. `None` means "generate one in the data directory".
    Local {
        token: Option<Secret>,
    },
    Clerk(ClerkConfig),
}

#[derive(Debug, Clone)]
pub struct ClerkConfig {
    pub secret_key: Secret,
    pub api_url: Url,
    pub leeway: Duration,
    /// Where the JWKS is fetched from: `CLERK_JWKS_URL`, else `<CLERK_API_URL>/v1/jwks`.
    pub jwks_url: Url,
}

#[derive(Debug, Clone)]
pub enum DatabaseConfig {
    Postgres { url: Secret },
    Sqlite { path: PathBuf },
}

#[derive(Debug, Clone)]
pub enum RateLimitBackend {
    Memory,
    /// Keys are `<prefix>:<limiter>:<client ip>`.
    Redis {
        url: Secret,
        prefix: String,
    },
}

/// A budget of `requests` per sliding `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub requests: u32,
    pub window: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtlpProtocol {
    Grpc,
    HttpProtobuf,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Sampler {
    AlwaysOn,
    AlwaysOff,
    TraceIdRatio(f64),
    ParentBasedAlwaysOn,
    ParentBasedAlwaysOff,
    ParentBasedTraceIdRatio(f64),
}

#[derive(Debug, Clone)]
pub struct OtelConfig {
    pub endpoint: Url,
    pub protocol: OtlpProtocol,
    pub service_name: String,
    pub sampler: Sampler,
}

#[derive(Debug, Clone, Default)]
pub struct SecurityHeaders {
    pub x_content_type_options: Option<String>,
    pub x_frame_options: Option<String>,
    pub referrer_policy: Option<String>,
    pub permissions_policy: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub host: IpAddr,
    pub port: u16,
    pub data_dir: PathBuf,
    pub auth: AuthConfig,
    pub base_url: Option<Url>,
    pub database: DatabaseConfig,
    pub db_auto_migrate: bool,
    pub db_max_connections: u32,
    pub rate_limit_backend: RateLimitBackend,
    pub agent_auth_limit: RateLimit,
    pub webhook_limit: RateLimit,
    pub trusted_proxies: Vec<IpNet>,
    pub security_headers: SecurityHeaders,
    pub webhook_max_payload_bytes: usize,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    pub shutdown_drain: Duration,
    /// How long readiness reports 503 while the listener still accepts, after a signal.
    pub shutdown_readiness_delay: Duration,
    pub cors_origins: Vec<String>,
    pub log_level: String,
    pub log_format: LogFormat,
    pub otel: Option<OtelConfig>,
    /// Key for the keyed hash of agent tokens; when absent one is kept in the database.
    pub agent_token_key: Option<Secret>,
    pub jobs: JobsConfig,
    /// The public souls directory; `None` when turned off.
    pub souls: Option<SoulsConfig>,
    pub gateway: GatewayConfig,
}

/// Placeholder values people copy from examples; refused as a local token.
const PLACEHOLDER_TOKENS: &[&str] = &[
    "change-me",
    "changeme",
    "replace-me",
    "your-token",
    "your-token-here",
    "secret",
    "token",
    "example",
];

const MIN_LOCAL_TOKEN_LEN: usize = 50;

impl Config {
    /// Reads the process environment.
    #[allow(
        clippy::disallowed_methods,
        reason = "config.rs is the one reader of the environment"
    )]
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Builds the configuration from any key lookup (tests and the operator's contract test
    /// pass a map). Blank values count as unset unless a variable says otherwise.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let raw = |key: &str| get(key);
        let val = |key: &str| get(key).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());

        let host = match val("HOST") {
            None => IpAddr::from([127, 0, 0, 1]),
            Some(v) => v
                .parse()
                .map_err(|_| ConfigError::new("HOST", "an IP address such as 127.0.0.1 or 0.0.0.0"))?,
        };
        let port = parse_num::<u16>(&val("PORT"), "PORT", 8000, "a TCP port 0-65535")?;
        let data_dir = PathBuf::from(val("DATA_DIR").unwrap_or_else(|| "./data".to_owned()));

        let auth = match val("AUTH_MODE").as_deref().unwrap_or("local") {
            "local" => AuthConfig::Local {
                token: match raw("LOCAL_AUTH_TOKEN").map(|t| t.trim().to_owned()) {
                    None => None,
                    Some(t) if t.is_empty() => None,
                    Some(t) => Some(parse_local_token(&t)?),
                },
            },
            "clerk" => {
                let secret_key = val("CLERK_SECRET_KEY").ok_or_else(|| {
                    ConfigError::new("CLERK_SECRET_KEY", "a Clerk secret key (required when AUTH_MODE=clerk)")
                })?;
                let api_url = parse_url(
                    &val("CLERK_API_URL").unwrap_or_else(|| "https://api.clerk.com".to_owned()),
                    "CLERK_API_URL",
                    &["http", "https"],
                )?;
                let leeway = parse_seconds(&val("CLERK_LEEWAY"), "CLERK_LEEWAY", 10.0)?;
                let jwks_url = match val("CLERK_JWKS_URL") {
                    Some(u) => parse_url(&u, "CLERK_JWKS_URL", &["http", "https"])?,
                    None => api_url
                        .join(&format!("{}/v1/jwks", api_url.path().trim_end_matches('/')))
                        .map_err(|_| ConfigError::new("CLERK_API_URL", "an http(s) URL"))?,
                };
                AuthConfig::Clerk(ClerkConfig {
                    secret_key: Secret::new(secret_key),
                    api_url,
                    leeway,
                    jwks_url,
                })
            }
            _ => return Err(ConfigError::new("AUTH_MODE", "one of: local, clerk")),
        };

        let base_url = val("BASE_URL")
            .map(|u| parse_url(&u, "BASE_URL", &["http", "https"]))
            .transpose()?;

        let database = match val("DATABASE_URL") {
            None => DatabaseConfig::Sqlite {
                path: data_dir.join("mission-control.db"),
            },
            Some(url) => parse_database_url(&url)?,
        };

        let db_auto_migrate = parse_bool(&val("DB_AUTO_MIGRATE"), "DB_AUTO_MIGRATE", true)?;
        let db_max_connections = parse_num::<u32>(
            &val("DB_POOL_MAX_CONNECTIONS"),
            "DB_POOL_MAX_CONNECTIONS",
            10,
            "an integer 1-1000",
        )?;
        if !(1..=1000).contains(&db_max_connections) {
            return Err(ConfigError::new("DB_POOL_MAX_CONNECTIONS", "an integer 1-1000"));
        }

        let rate_limit_backend = match val("RATE_LIMIT_BACKEND").as_deref().unwrap_or("memory") {
            "memory" => RateLimitBackend::Memory,
            "redis" => {
                let (var, url) = match val("RATE_LIMIT_REDIS_URL") {
                    Some(u) => ("RATE_LIMIT_REDIS_URL", u),
                    None => match val("RQ_REDIS_URL") {
                        Some(u) => ("RQ_REDIS_URL", u),
                        None => {
                            return Err(ConfigError::new(
                                "RATE_LIMIT_REDIS_URL",
                                "a redis:// or rediss:// URL (required when RATE_LIMIT_BACKEND=redis; RQ_REDIS_URL is used when unset)",
                            ));
                        }
                    },
                };
                parse_url(&url, var, &["redis", "rediss"])?;
                RateLimitBackend::Redis {
                    url: Secret::new(url),
                    prefix: val("RATE_LIMIT_REDIS_PREFIX").unwrap_or_else(|| "mc:ratelimit".to_owned()),
                }
            }
            _ => return Err(ConfigError::new("RATE_LIMIT_BACKEND", "one of: memory, redis")),
        };

        let agent_auth_limit = parse_limit(
            &val,
            ("RATE_LIMIT_AGENT_AUTH_REQUESTS", 20),
            ("RATE_LIMIT_AGENT_AUTH_WINDOW_SECONDS", 60),
        )?;
        let webhook_limit = parse_limit(
            &val,
            ("RATE_LIMIT_WEBHOOK_REQUESTS", 60),
            ("RATE_LIMIT_WEBHOOK_WINDOW_SECONDS", 60),
        )?;

        let trusted_proxies = match val("TRUSTED_PROXIES") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(parse_ip_or_cidr)
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    ConfigError::new(
                        "TRUSTED_PROXIES",
                        "a comma-separated list of IP addresses or CIDR ranges such as 10.0.0.0/8",
                    )
                })?,
        };

        // Security headers: unset takes the default, set-but-blank disables the header.
        let header = |key: &str, default: Option<&str>| -> Option<String> {
            match raw(key) {
                None => default.map(str::to_owned),
                Some(v) if v.trim().is_empty() => None,
                Some(v) => Some(v.trim().to_owned()),
            }
        };
        let security_headers = SecurityHeaders {
            x_content_type_options: header("SECURITY_HEADER_X_CONTENT_TYPE_OPTIONS", Some("nosniff")),
            x_frame_options: header("SECURITY_HEADER_X_FRAME_OPTIONS", Some("DENY")),
            referrer_policy: header(
                "SECURITY_HEADER_REFERRER_POLICY",
                Some("strict-origin-when-cross-origin"),
            ),
            permissions_policy: header("SECURITY_HEADER_PERMISSIONS_POLICY", None),
        };
        for (var, value) in [
            (
                "SECURITY_HEADER_X_CONTENT_TYPE_OPTIONS",
                &security_headers.x_content_type_options,
            ),
            ("SECURITY_HEADER_X_FRAME_OPTIONS", &security_headers.x_frame_options),
            ("SECURITY_HEADER_REFERRER_POLICY", &security_headers.referrer_policy),
            (
                "SECURITY_HEADER_PERMISSIONS_POLICY",
                &security_headers.permissions_policy,
            ),
        ] {
            if let Some(v) = value
                && http::HeaderValue::from_str(v).is_err()
            {
                return Err(ConfigError::new(
                    var,
                    "a header value of visible ASCII characters, or blank to disable",
                ));
            }
        }

        let webhook_max_payload_bytes = parse_num::<usize>(
            &val("WEBHOOK_MAX_PAYLOAD_BYTES"),
            "WEBHOOK_MAX_PAYLOAD_BYTES",
            1_048_576,
            "a positive number of bytes",
        )?;
        let max_body_bytes = parse_num::<usize>(
            &val("REQUEST_MAX_BODY_BYTES"),
            "REQUEST_MAX_BODY_BYTES",
            1_048_576,
            "a positive number of bytes",
        )?;
        if webhook_max_payload_bytes == 0 {
            return Err(ConfigError::new(
                "WEBHOOK_MAX_PAYLOAD_BYTES",
                "a positive number of bytes",
            ));
        }
        if max_body_bytes == 0 {
            return Err(ConfigError::new("REQUEST_MAX_BODY_BYTES", "a positive number of bytes"));
        }
        let request_timeout = parse_seconds(&val("REQUEST_TIMEOUT_SECONDS"), "REQUEST_TIMEOUT_SECONDS", 30.0)?;
        if request_timeout.is_zero() {
            return Err(ConfigError::new(
                "REQUEST_TIMEOUT_SECONDS",
                "a positive number of seconds",
            ));
        }
        let shutdown_drain = parse_seconds(&val("SHUTDOWN_DRAIN_SECONDS"), "SHUTDOWN_DRAIN_SECONDS", 20.0)?;
        let shutdown_readiness_delay = parse_seconds(
            &val("SHUTDOWN_READINESS_DELAY_SECONDS"),
            "SHUTDOWN_READINESS_DELAY_SECONDS",
            0.0,
        )?;

        let cors_origins = match val("CORS_ORIGINS") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(parse_origin)
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    ConfigError::new(
                        "CORS_ORIGINS",
                        "a comma-separated list of origins such as https://ui.example.com (scheme, host and optional port)",
                    )
                })?,
        };

        let log_level = val("LOG_LEVEL")
            .unwrap_or_else(|| "info".to_owned())
            .to_ascii_lowercase();
        if !["trace", "debug", "info", "warn", "warning", "error", "critical"].contains(&log_level.as_str()) {
            return Err(ConfigError::new("LOG_LEVEL", "one of: trace, debug, info, warn, error"));
        }
        let log_level = match log_level.as_str() {
            "warning" => "warn".to_owned(),
            "critical" => "error".to_owned(),
            _ => log_level,
        };
        let log_format = match val("LOG_FORMAT").as_deref().unwrap_or("text") {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            _ => return Err(ConfigError::new("LOG_FORMAT", "one of: text, json")),
        };

        let otel = match val("OTEL_EXPORTER_OTLP_ENDPOINT") {
            None => None,
            Some(endpoint) => {
                let endpoint = parse_url(&endpoint, "OTEL_EXPORTER_OTLP_ENDPOINT", &["http", "https"])?;
                let protocol = match val("OTEL_EXPORTER_OTLP_PROTOCOL").as_deref().unwrap_or("grpc") {
                    "grpc" => OtlpProtocol::Grpc,
                    "http/protobuf" => OtlpProtocol::HttpProtobuf,
                    _ => {
                        return Err(ConfigError::new(
                            "OTEL_EXPORTER_OTLP_PROTOCOL",
                            "one of: grpc, http/protobuf",
                        ));
                    }
                };
                Some(OtelConfig {
                    endpoint,
                    protocol,
                    service_name: val("OTEL_SERVICE_NAME").unwrap_or_else(|| "mission-control".to_owned()),
                    sampler: parse_sampler(&val("OTEL_TRACES_SAMPLER"), &val("OTEL_TRACES_SAMPLER_ARG"))?,
                })
            }
        };

        let agent_token_key = match val("AGENT_TOKEN_HASH_KEY") {
            None => None,
            Some(k) if k.len() >= 32 => Some(Secret::new(k)),
            Some(_) => {
                return Err(ConfigError::new(
                    "AGENT_TOKEN_HASH_KEY",
                    "a random string of at least 32 characters",
                ));
            }
        };

        Ok(Self {
            host,
            port,
            data_dir,
            auth,
            base_url,
            database,
            db_auto_migrate,
            db_max_connections,
            rate_limit_backend,
            agent_auth_limit,
            webhook_limit,
            trusted_proxies,
            security_headers,
            webhook_max_payload_bytes,
            max_body_bytes,
            request_timeout,
            shutdown_drain,
            shutdown_readiness_delay,
            cors_origins,
            log_level,
            log_format,
            otel,
            agent_token_key,
            jobs: JobsConfig::from_lookup(&val)?,
            souls: outbound::souls(&val)?,
            gateway: GatewayConfig::from_lookup(&val)?,
        })
    }
}
