//! Settings of the calls the service makes to the outside world: the souls directory.

use std::time::Duration;

use url::Url;

use super::ConfigError;
use super::values::{parse_num, parse_seconds, parse_url};

/// The public souls directory (`SOULS_DIRECTORY_*`); `None` when turned off.
#[derive(Debug, Clone, PartialEq)]
pub struct SoulsConfig {
    /// Where the directory lives (`SOULS_DIRECTORY_BASE_URL`, `off` turns it off).
    pub base_url: Url,
    /// Whole-request deadline (`SOULS_DIRECTORY_TIMEOUT_SECONDS`).
    pub timeout: Duration,
    /// Connect deadline (`SOULS_DIRECTORY_CONNECT_TIMEOUT_SECONDS`).
    pub connect_timeout: Duration,
    /// Largest response read (`SOULS_DIRECTORY_MAX_BYTES`); a larger one is refused.
    pub max_bytes: usize,
    /// How long the parsed sitemap is reused (`SOULS_DIRECTORY_CACHE_SECONDS`).
    pub cache_for: Duration,
}

pub const DEFAULT_SOULS_DIRECTORY: &str = "https://souls.directory";

pub(super) fn souls(val: &impl Fn(&str) -> Option<String>) -> Result<Option<SoulsConfig>, ConfigError> {
    const VAR: &str = "SOULS_DIRECTORY_BASE_URL";
    let base = val(VAR).unwrap_or_else(|| DEFAULT_SOULS_DIRECTORY.to_owned());
    if base.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    let base_url = parse_url(&base, VAR, &["http", "https"])?;
    let timeout = parse_seconds(
        &val("SOULS_DIRECTORY_TIMEOUT_SECONDS"),
        "SOULS_DIRECTORY_TIMEOUT_SECONDS",
        10.0,
    )?;
    let connect_timeout = parse_seconds(
        &val("SOULS_DIRECTORY_CONNECT_TIMEOUT_SECONDS"),
        "SOULS_DIRECTORY_CONNECT_TIMEOUT_SECONDS",
        5.0,
    )?;
    for (var, d) in [
        ("SOULS_DIRECTORY_TIMEOUT_SECONDS", timeout),
        ("SOULS_DIRECTORY_CONNECT_TIMEOUT_SECONDS", connect_timeout),
    ] {
        if d.is_zero() || d > Duration::from_secs(120) {
            return Err(ConfigError::new(var, "a number of seconds above 0, at most 120"));
        }
    }
    let max_bytes: usize = parse_num(
        &val("SOULS_DIRECTORY_MAX_BYTES"),
        "SOULS_DIRECTORY_MAX_BYTES",
        2 * 1024 * 1024,
        "a number of bytes, 1024-67108864",
    )?;
    if !(1024..=64 * 1024 * 1024).contains(&max_bytes) {
        return Err(ConfigError::new(
            "SOULS_DIRECTORY_MAX_BYTES",
            "a number of bytes, 1024-67108864",
        ));
    }
    let cache_for = parse_seconds(
        &val("SOULS_DIRECTORY_CACHE_SECONDS"),
        "SOULS_DIRECTORY_CACHE_SECONDS",
        3600.0,
    )?;
    Ok(Some(SoulsConfig {
        base_url,
        timeout,
        connect_timeout,
        max_bytes,
        cache_for,
    }))
}
