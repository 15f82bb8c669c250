//! Parsers for single values: numbers, durations, URLs, limits, origins; each error names its variable.

use super::*;

/// Validates a local bearer token: long enough and not a copied placeholder.
pub fn parse_local_token(token: &str) -> Result<Secret, ConfigError> {
    let lowered = token.to_ascii_lowercase();
    let placeholder = PLACEHOLDER_TOKENS
        .iter()
        .any(|p| lowered == *p || lowered.starts_with("change-me") || lowered.starts_with("changeme"));
    if token.chars().count() < MIN_LOCAL_TOKEN_LEN || placeholder || token.chars().any(char::is_whitespace) {
        return Err(ConfigError::new(
            "LOCAL_AUTH_TOKEN",
            "a random token of at least 50 non-blank characters, not a placeholder such as change-me (leave unset to have one generated)",
        ));
    }
    Ok(Secret::new(token))
}

pub(super) fn parse_num<T: std::str::FromStr>(
    value: &Option<String>,
    var: &'static str,
    default: T,
    accepts: &str,
) -> Result<T, ConfigError> {
    match value {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| ConfigError::new(var, accepts)),
    }
}

pub(super) fn parse_bool(value: &Option<String>, var: &'static str, default: bool) -> Result<bool, ConfigError> {
    match value.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(_) => Err(ConfigError::new(var, "true or false")),
    }
}

pub(super) fn parse_seconds(value: &Option<String>, var: &'static str, default: f64) -> Result<Duration, ConfigError> {
    let secs = match value {
        None => default,
        Some(v) => v
            .parse::<f64>()
            .map_err(|_| ConfigError::new(var, "a number of seconds"))?,
    };
    if !secs.is_finite() || !(0.0..=86_400.0).contains(&secs) {
        return Err(ConfigError::new(var, "a number of seconds between 0 and 86400"));
    }
    Ok(Duration::from_secs_f64(secs))
}

pub(super) fn parse_limit(
    val: &impl Fn(&str) -> Option<String>,
    (count_var, count_default): (&'static str, u32),
    (window_var, window_default): (&'static str, u64),
) -> Result<RateLimit, ConfigError> {
    let requests = parse_num(&val(count_var), count_var, count_default, "an integer 1-1000000")?;
    if !(1..=1_000_000).contains(&requests) {
        return Err(ConfigError::new(count_var, "an integer 1-1000000"));
    }
    let window = parse_num(
        &val(window_var),
        window_var,
        window_default,
        "an integer number of seconds 1-86400",
    )?;
    if !(1..=86_400).contains(&window) {
        return Err(ConfigError::new(window_var, "an integer number of seconds 1-86400"));
    }
    Ok(RateLimit {
        requests,
        window: Duration::from_secs(window),
    })
}

pub(super) fn parse_url(value: &str, var: &'static str, schemes: &[&str]) -> Result<Url, ConfigError> {
    let accepts = || format!("a URL with scheme {}", schemes.join(" or "));
    let url = Url::parse(value).map_err(|_| ConfigError::new(var, accepts()))?;
    if !schemes.contains(&url.scheme()) || (url.host_str().is_none_or(str::is_empty)) {
        return Err(ConfigError::new(var, accepts()));
    }
    Ok(url)
}

pub(super) fn parse_database_url(url: &str) -> Result<DatabaseConfig, ConfigError> {
    const ACCEPTS: &str = "postgres://user:pass@host:port/db, or sqlite://path/to/file.db";
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let parsed = Url::parse(url).map_err(|_| ConfigError::new("DATABASE_URL", ACCEPTS))?;
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(ConfigError::new("DATABASE_URL", ACCEPTS));
        }
        return Ok(DatabaseConfig::Postgres { url: Secret::new(url) });
    }
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//");
        let path = path.split('?').next().unwrap_or_default();
        if path.is_empty() || path == ":memory:" {
            return Err(ConfigError::new(
                "DATABASE_URL",
                "a SQLite file path (in-memory databases lose data; not accepted)",
            ));
        }
        return Ok(DatabaseConfig::Sqlite {
            path: PathBuf::from(path),
        });
    }
    Err(ConfigError::new("DATABASE_URL", ACCEPTS))
}

pub(super) fn parse_ip_or_cidr(s: &str) -> Option<IpNet> {
    s.parse::<IpNet>()
        .ok()
        .or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))
}

pub(super) fn parse_origin(s: &str) -> Option<String> {
    let url = Url::parse(s).ok()?;
    if !["http", "https"].contains(&url.scheme()) || url.host_str().is_none() {
        return None;
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return None;
    }
    Some(url.origin().ascii_serialization())
}

pub(super) fn parse_sampler(name: &Option<String>, arg: &Option<String>) -> Result<Sampler, ConfigError> {
    let ratio = || -> Result<f64, ConfigError> {
        match arg {
            None => Ok(1.0),
            Some(a) => a
                .parse::<f64>()
                .ok()
                .filter(|r| (0.0..=1.0).contains(r))
                .ok_or_else(|| ConfigError::new("OTEL_TRACES_SAMPLER_ARG", "a ratio between 0 and 1")),
        }
    };
    Ok(match name.as_deref().unwrap_or("parentbased_always_on") {
        "always_on" => Sampler::AlwaysOn,
        "always_off" => Sampler::AlwaysOff,
        "traceidratio" => Sampler::TraceIdRatio(ratio()?),
        "parentbased_always_on" => Sampler::ParentBasedAlwaysOn,
        "parentbased_always_off" => Sampler::ParentBasedAlwaysOff,
        "parentbased_traceidratio" => Sampler::ParentBasedTraceIdRatio(ratio()?),
        _ => {
            return Err(ConfigError::new(
                "OTEL_TRACES_SAMPLER",
                "one of: always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio",
            ));
        }
    })
}
