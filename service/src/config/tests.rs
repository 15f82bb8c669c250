use super::*;
use std::collections::HashMap;

fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Config::from_lookup(|k| map.get(k).cloned())
}

const GOOD_TOKEN: &str = "q8Zb3kV1xW9mN2pL7rT4yU6iO0aS5dF8gH1jK3lZ7xC9vB2nM4";

#[test]
fn no_configuration_gives_sqlite_memory_limiter_and_local_auth() {
    let c = load(&[]).unwrap();
    assert!(matches!(c.database, DatabaseConfig::Sqlite { .. }));
    assert!(matches!(c.rate_limit_backend, RateLimitBackend::Memory));
    assert!(matches!(c.auth, AuthConfig::Local { token: None }));
    assert_eq!(c.port, 8000);
    assert_eq!(c.host.to_string(), "127.0.0.1");
    assert_eq!(c.agent_auth_limit.requests, 20);
    assert_eq!(c.security_headers.x_frame_options.as_deref(), Some("DENY"));
}

#[test]
fn short_or_placeholder_local_tokens_are_refused() {
    for bad in [
        "short",
        "change-me",
        "change-me-change-me-change-me-change-me-change-me-x",
    ] {
        let err = load(&[("LOCAL_AUTH_TOKEN", bad)]).unwrap_err();
        assert_eq!(err.var, "LOCAL_AUTH_TOKEN");
    }
    assert!(load(&[("LOCAL_AUTH_TOKEN", GOOD_TOKEN)]).is_ok());
}

#[test]
fn clerk_needs_a_key() {
    assert_eq!(load(&[("AUTH_MODE", "clerk")]).unwrap_err().var, "CLERK_SECRET_KEY");
    let c = load(&[("AUTH_MODE", "clerk"), ("CLERK_SECRET_KEY", "sk_test_x")]).unwrap();
    match c.auth {
        AuthConfig::Clerk(clerk) => assert_eq!(clerk.jwks_url.as_str(), "https://api.clerk.com/v1/jwks"),
        AuthConfig::Local { .. } => panic!("expected clerk"),
    }
}

#[test]
fn malformed_urls_and_cidrs_name_their_variable() {
    assert_eq!(load(&[("BASE_URL", "not a url")]).unwrap_err().var, "BASE_URL");
    assert_eq!(
        load(&[("TRUSTED_PROXIES", "10.0.0.0/33")]).unwrap_err().var,
        "TRUSTED_PROXIES"
    );
    assert_eq!(load(&[("DATABASE_URL", "mysql://x")]).unwrap_err().var, "DATABASE_URL");
    assert_eq!(load(&[("CORS_ORIGINS", "ftp://x")]).unwrap_err().var, "CORS_ORIGINS");
    assert_eq!(
        load(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4317")])
            .unwrap_err()
            .var,
        "OTEL_EXPORTER_OTLP_ENDPOINT"
    );
}

#[test]
fn redis_backend_needs_a_url_and_falls_back_to_rq_redis_url() {
    assert_eq!(
        load(&[("RATE_LIMIT_BACKEND", "redis")]).unwrap_err().var,
        "RATE_LIMIT_REDIS_URL"
    );
    let c = load(&[
        ("RATE_LIMIT_BACKEND", "redis"),
        ("RQ_REDIS_URL", "redis://127.0.0.1:6379/0"),
    ])
    .unwrap();
    assert!(matches!(c.rate_limit_backend, RateLimitBackend::Redis { .. }));
}

#[test]
fn trusted_proxies_accept_ips_and_cidrs() {
    let c = load(&[("TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1,::1")]).unwrap();
    assert_eq!(c.trusted_proxies.len(), 3);
}

#[test]
fn blank_security_header_disables_it() {
    let c = load(&[("SECURITY_HEADER_X_FRAME_OPTIONS", "")]).unwrap();
    assert_eq!(c.security_headers.x_frame_options, None);
}

#[test]
fn debug_output_hides_secrets() {
    let c = load(&[
        ("LOCAL_AUTH_TOKEN", GOOD_TOKEN),
        ("DATABASE_URL", "postgres://u:hunter2@db:5432/mc"),
        ("RATE_LIMIT_BACKEND", "redis"),
        ("RATE_LIMIT_REDIS_URL", "redis://:redispass@r:6379"),
    ])
    .unwrap();
    let dbg = format!("{c:?}");
    assert!(!dbg.contains(GOOD_TOKEN));
    assert!(!dbg.contains("hunter2"));
    assert!(!dbg.contains("redispass"));
}

#[test]
fn job_settings_default_to_the_reference_and_are_checked() {
    let c = load(&[]).unwrap();
    assert_eq!(c.jobs.retry_base, Duration::from_secs(10));
    assert_eq!(c.jobs.retry_max, Duration::from_secs(120));
    assert_eq!(c.jobs.max_retries, 3);
    assert_eq!(c.jobs.throttle, Duration::from_secs(15));
    assert_eq!(c.jobs.concurrency, 4);
    let c = load(&[
        ("RQ_DISPATCH_RETRY_BASE_SECONDS", "0.5"),
        ("RQ_DISPATCH_MAX_RETRIES", "0"),
    ])
    .unwrap();
    assert_eq!(c.jobs.retry_base, Duration::from_millis(500));
    assert_eq!(c.jobs.max_retries, 0);
    for (var, bad) in [
        ("RQ_DISPATCH_RETRY_MAX_SECONDS", "5"),
        ("RQ_DISPATCH_MAX_RETRIES", "-1"),
        ("JOBS_CONCURRENCY", "0"),
        ("JOBS_LEASE_SECONDS", "0.5"),
        ("JOBS_POLL_SECONDS", "soon"),
    ] {
        assert_eq!(load(&[(var, bad)]).unwrap_err().var, var, "{var}={bad}");
    }
}
