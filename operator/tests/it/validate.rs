use std::collections::BTreeMap;

use mission_control_operator::crd::{AuthMode, DatabaseSpec, MissionControl, SecretKeyRef};
use mission_control_operator::reconcile::reasons;
use mission_control_operator::reconcile::validate::{self, Credentials, Database};

use crate::support::fixture;

fn invalid(mc: &MissionControl) -> (String, String) {
    let e = validate::spec(mc).unwrap_err();
    (e.reason.to_string(), e.message)
}

#[test]
fn more_than_one_replica_without_database_and_redis_is_invalid() {
    let mut mc = fixture("sqlite-single").mc;
    mc.spec.replicas = 3;
    let (reason, message) = invalid(&mc);
    assert_eq!(reason, reasons::INVALID_SPEC);
    assert_eq!(
        message,
        "spec.replicas = 3 needs spec.database and spec.redis: embedded SQLite and the in-memory rate limiter only work with one replica"
    );
}

#[test]
fn autoscaling_without_redis_is_invalid() {
    let mut mc = fixture("hpa").mc;
    mc.spec.redis = None;
    assert!(
        invalid(&mc)
            .1
            .starts_with("spec.autoscaling needs spec.database and spec.redis")
    );
}

#[test]
fn clerk_mode_without_clerk_settings_is_invalid() {
    let mut mc = fixture("sqlite-single").mc;
    mc.spec.auth.mode = AuthMode::Clerk;
    assert_eq!(
        invalid(&mc).1,
        "spec.auth.mode is Clerk but spec.auth.clerk.secretKeyRef is missing"
    );
}

#[test]
fn malformed_urls_proxies_and_ratios_are_named_in_the_message() {
    let mut mc = fixture("sqlite-single").mc;
    mc.spec.base_url = Some("ftp://nope".into());
    assert_eq!(
        invalid(&mc).1,
        "spec.baseUrl must be an http(s) URL, got \"ftp://nope\""
    );

    let mut mc = fixture("sqlite-single").mc;
    mc.spec.trusted_proxies = vec!["10.0.0.0/33".into()];
    assert_eq!(
        invalid(&mc).1,
        "spec.trustedProxies entry \"10.0.0.0/33\" is not an IP or CIDR"
    );

    let mut mc = fixture("sqlite-single").mc;
    mc.spec.cors_origins = vec!["https://a.example, https://b.example".into()];
    assert!(invalid(&mc).1.starts_with("spec.corsOrigins entry"));

    let mut mc = fixture("postgres-redis-multi").mc;
    mc.spec.telemetry.as_mut().unwrap().sampler_arg = Some(1.5);
    assert_eq!(
        invalid(&mc).1,
        "spec.telemetry.samplerArg is 1.5, it must be between 0 and 1"
    );

    let mut mc = fixture("ingress").mc;
    mc.spec.ingress.as_mut().unwrap().host = None;
    assert_eq!(
        invalid(&mc).1,
        "spec.ingress is enabled but spec.ingress.host is missing"
    );
}

#[test]
fn valid_specs_derive_backend_credentials_replicas_pdb_and_url() {
    let v = validate::spec(&fixture("sqlite-single").mc).unwrap();
    assert_eq!(v.database, Database::Sqlite);
    assert_eq!(v.credentials, Credentials::GeneratedToken);
    assert_eq!((v.replicas, v.pdb_max_unavailable), (Some(1), None));
    assert_eq!(v.url, "http://solo.team-a.svc.cluster.local:8000");

    let v = validate::spec(&fixture("postgres-redis-multi").mc).unwrap();
    assert!(matches!(v.database, Database::Postgres(_)));
    assert_eq!((v.replicas, v.pdb_max_unavailable), (Some(3), Some(1)));
    assert_eq!(v.url, "https://mc.example.com");

    let v = validate::spec(&fixture("hpa").mc).unwrap();
    assert_eq!((v.replicas, v.pdb_max_unavailable), (None, Some(2)));

    let v = validate::spec(&fixture("ingress").mc).unwrap();
    assert_eq!(v.url, "https://mc.example.org");
}

#[test]
fn missing_secret_missing_key_and_bad_values_have_their_own_reasons() {
    let f = fixture("postgres-redis-multi");
    let v = validate::spec(&f.mc).unwrap();
    let mut secrets: BTreeMap<_, _> = f.secrets.iter().map(|(k, s)| (k.clone(), Some(s.clone()))).collect();
    let ok = validate::secrets(&v, &secrets, None).unwrap();
    assert_eq!(
        ok.database_url.as_deref(),
        Some("postgres://mc:pw@postgres.prod:5432/mission_control")
    );
    assert_eq!(ok.redis_url.as_deref(), Some("redis://redis.prod:6379/0"));

    secrets.insert("mc-redis".into(), None);
    let e = validate::secrets(&v, &secrets, None).unwrap_err();
    assert_eq!(
        (e.reason, e.message.as_str()),
        (reasons::SECRET_NOT_FOUND, "Secret prod/mc-redis does not exist")
    );

    let mut mc = f.mc.clone();
    mc.spec.database = Some(DatabaseSpec {
        url_secret_ref: SecretKeyRef {
            name: "mc-db".into(),
            key: "nope".into(),
        },
    });
    let v2 = validate::spec(&mc).unwrap();
    let secrets: BTreeMap<_, _> = f.secrets.iter().map(|(k, s)| (k.clone(), Some(s.clone()))).collect();
    let e = validate::secrets(&v2, &secrets, None).unwrap_err();
    assert_eq!(
        (e.reason, e.message.as_str()),
        (reasons::SECRET_KEY_MISSING, "Secret prod/mc-db has no key \"nope\"")
    );

    let mut bad = secrets.clone();
    let mut db = f.secrets["mc-db"].clone();
    db.string_data = Some([("url".to_string(), "mysql://x".to_string())].into());
    bad.insert("mc-db".into(), Some(db));
    let e = validate::secrets(&v, &bad, None).unwrap_err();
    assert_eq!(e.reason, reasons::SECRET_VALUE_INVALID);

    let mut short = secrets.clone();
    let mut auth = f.secrets["mc-auth"].clone();
    auth.string_data = Some([("token".to_string(), "too-short".to_string())].into());
    short.insert("mc-auth".into(), Some(auth));
    let e = validate::secrets(&v, &short, None).unwrap_err();
    assert_eq!(
        e.message,
        "key \"token\" of Secret prod/mc-auth must hold a token of at least 50 characters"
    );
}

#[test]
fn pause_and_rotation_are_read_from_annotations() {
    let mut mc = fixture("sqlite-single").mc;
    assert!(!validate::paused(&mc));
    assert_eq!(validate::rotation_request(&mc), None);
    let annotations = mc.metadata.annotations.get_or_insert_with(Default::default);
    annotations.insert("mission-control.dev/paused".into(), "true".into());
    annotations.insert("mission-control.dev/rotate-token".into(), "2026-11-29T12:00:00Z".into());
    assert!(validate::paused(&mc));
    assert_eq!(validate::rotation_request(&mc), Some("2026-11-29T12:00:00Z"));
}
