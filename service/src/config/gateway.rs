//! Settings of the gateway client (`GATEWAY_*`).

use std::path::PathBuf;
use std::time::Duration;

use super::values::parse_seconds;
use super::{ConfigError, Secret};
use crate::domain::gateway_version::{self, CalVer};

/// Where the device key comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum DeviceKeySource {
    /// `GATEWAY_DEVICE_KEY`: the key itself (base64 or hex of a 32-byte Ed25519 seed).
    Value(Secret),
    /// `GATEWAY_DEVICE_KEY_FILE`: a file holding it (e.g. a mounted Kubernetes Secret).
    File(PathBuf),
    /// Neither: one is generated once and kept in the database for every replica.
    Database,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GatewayConfig {
    /// Oldest gateway release accepted (`GATEWAY_MIN_VERSION`, CalVer, default 2026.02.9).
    pub min_version: CalVer,
    /// TCP connect deadline (`GATEWAY_CONNECT_TIMEOUT_SECONDS`, default 5).
    pub connect_timeout: Duration,
    /// Deadline of one request, handshake included (`GATEWAY_CALL_TIMEOUT_SECONDS`, default 15).
    pub call_timeout: Duration,
    /// How long a restarting gateway is retried (`GATEWAY_RETRY_SECONDS`, default 20).
    pub retry_for: Duration,
    /// How long a freshly woken agent has to check in (`GATEWAY_CHECKIN_DEADLINE_SECONDS`,
    /// default 30) before the lifecycle reconcile wakes it again.
    pub checkin_deadline: Duration,
    pub device_key: DeviceKeySource,
}

fn seconds(val: &impl Fn(&str) -> Option<String>, var: &'static str, default: f64) -> Result<Duration, ConfigError> {
    let d = parse_seconds(&val(var), var, default)?;
    if d.is_zero() || d > Duration::from_secs(600) {
        return Err(ConfigError::new(var, "a number of seconds above 0, at most 600"));
    }
    Ok(d)
}

impl GatewayConfig {
    pub(super) fn from_lookup(val: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let min_version = match val("GATEWAY_MIN_VERSION") {
            None => CalVer {
                year: 2026,
                month: 2,
                day: 9,
                rev: 0,
            },
            Some(v) => gateway_version::parse(&v)
                .ok_or_else(|| ConfigError::new("GATEWAY_MIN_VERSION", "a release version such as 2026.02.9"))?,
        };
        let device_key = match (val("GATEWAY_DEVICE_KEY"), val("GATEWAY_DEVICE_KEY_FILE")) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::new(
                    "GATEWAY_DEVICE_KEY",
                    "either GATEWAY_DEVICE_KEY or GATEWAY_DEVICE_KEY_FILE, not both",
                ));
            }
            (Some(k), None) => {
                crate::gateway::DeviceIdentity::from_text(&k)
                    .map_err(|_| ConfigError::new("GATEWAY_DEVICE_KEY", "a 32-byte Ed25519 seed in base64 or hex"))?;
                DeviceKeySource::Value(Secret::new(k))
            }
            (None, Some(path)) => DeviceKeySource::File(PathBuf::from(path)),
            (None, None) => DeviceKeySource::Database,
        };
        Ok(Self {
            min_version,
            connect_timeout: seconds(val, "GATEWAY_CONNECT_TIMEOUT_SECONDS", 5.0)?,
            call_timeout: seconds(val, "GATEWAY_CALL_TIMEOUT_SECONDS", 15.0)?,
            retry_for: seconds(val, "GATEWAY_RETRY_SECONDS", 20.0)?,
            checkin_deadline: seconds(val, "GATEWAY_CHECKIN_DEADLINE_SECONDS", 30.0)?,
            device_key,
        })
    }
}
