//! Invalid configuration stops the process before it listens, with one line naming the
//! variable and what it accepts, and without echoing secrets.
//!
//! No backend: the process stops before it connects to one.

use system_tests::{Launch, free_port, init};

#[tokio::test]
async fn invalid_configuration_exits_non_zero_naming_the_variable() {
    init();
    let closed_redis = format!("redis://127.0.0.1:{}", free_port());
    let cases: Vec<(&str, Vec<(&str, String)>)> = vec![
        (
            "LOCAL_AUTH_TOKEN",
            vec![("LOCAL_AUTH_TOKEN", "too-short-secret".into())],
        ),
        ("LOCAL_AUTH_TOKEN", vec![("LOCAL_AUTH_TOKEN", "change-me".into())]),
        ("CLERK_SECRET_KEY", vec![("AUTH_MODE", "clerk".into())]),
        ("AUTH_MODE", vec![("AUTH_MODE", "ldap".into())]),
        ("BASE_URL", vec![("BASE_URL", "not a url".into())]),
        ("TRUSTED_PROXIES", vec![("TRUSTED_PROXIES", "10.0.0.0/40".into())]),
        ("DATABASE_URL", vec![("DATABASE_URL", "mysql://db/x".into())]),
        ("CORS_ORIGINS", vec![("CORS_ORIGINS", "ftp://files".into())]),
        ("LOG_FORMAT", vec![("LOG_FORMAT", "xml".into())]),
        (
            "OTEL_EXPORTER_OTLP_PROTOCOL",
            vec![
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317".into()),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", "carrier-pigeon".into()),
            ],
        ),
        ("RATE_LIMIT_REDIS_URL", vec![("RATE_LIMIT_BACKEND", "redis".into())]),
        (
            "RATE_LIMIT_REDIS_URL",
            vec![
                ("RATE_LIMIT_BACKEND", "redis".into()),
                ("RATE_LIMIT_REDIS_URL", closed_redis),
            ],
        ),
    ];
    for (var, env) in cases {
        let mut launch = Launch::new();
        for (k, v) in &env {
            launch = launch.env(k, v.clone());
        }
        let (code, out) = launch.run_to_exit().await.unwrap();
        assert!(
            code.is_some_and(|c| c != 0),
            "{var}: expected a non-zero exit, got {code:?}\n{out}"
        );
        let naming: Vec<&str> = out.lines().filter(|l| l.contains(var)).collect();
        assert!(!naming.is_empty(), "{var}: no line names the variable:\n{out}");
        assert!(
            !out.contains("\"listening\""),
            "{var}: it listened before failing:\n{out}"
        );
        assert!(
            !out.contains("too-short-secret"),
            "the rejected token was echoed:\n{out}"
        );
    }
}

#[tokio::test]
async fn help_lists_the_commands() {
    init();
    let (code, out) = Launch::bare().args(&["--help"]).run_to_exit().await.unwrap();
    assert_eq!(code, Some(0));
    assert!(out.contains("serve") && out.contains("migrate"), "{out}");
}
