//! Cross-crate contracts: the environment the operator renders is accepted by the service's
//! own configuration loader.

use std::collections::BTreeMap;
use std::path::PathBuf;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use mission_control::config::{AuthConfig, Config, DatabaseConfig, RateLimitBackend};
use mission_control_operator::crd::MissionControl;
use mission_control_operator::reconcile::{build, validate};
use serde::Deserialize;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A fixture of the operator's tests: the resource and the Secrets next to it.
fn fixture(name: &str) -> (MissionControl, BTreeMap<String, Option<Secret>>) {
    let text = std::fs::read_to_string(root().join("operator/tests/fixtures").join(format!("{name}.yaml"))).unwrap();
    let mut mc = None;
    let mut secrets = BTreeMap::new();
    for doc in serde_yaml::Deserializer::from_str(&text) {
        let value = serde_yaml::Value::deserialize(doc).unwrap();
        match value.get("kind").and_then(|k| k.as_str()) {
            Some("MissionControl") => mc = Some(serde_yaml::from_value(value).unwrap()),
            Some("Secret") => {
                let s: Secret = serde_yaml::from_value(value).unwrap();
                secrets.insert(s.metadata.name.clone().unwrap(), Some(s));
            }
            other => panic!("unexpected kind {other:?}"),
        }
    }
    (mc.unwrap(), secrets)
}

fn generated_token_secret() -> Secret {
    Secret {
        data: Some(BTreeMap::from([(
            "token".to_owned(),
            ByteString(b"q8Zb3kV1xW9mN2pL7rT4yU6iO0aS5dF8gH1jK3lZ7xC9vB2nM4q8Zb3kV1xW9mN2pL7".to_vec()),
        )])),
        ..Secret::default()
    }
}

#[test]
fn the_environment_the_operator_renders_is_accepted_by_the_service() {
    for name in ["sqlite-single", "postgres-redis-multi", "hpa", "ingress", "clerk"] {
        let (mc, secrets) = fixture(name);
        let valid = validate::spec(&mc).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let token = generated_token_secret();
        let values = validate::secrets(&valid, &secrets, Some(&token)).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let env = build::rendered_env(&mc, &valid, &values);
        let config = Config::from_lookup(|k| env.get(k).cloned())
            .unwrap_or_else(|e| panic!("{name}: the service refuses the rendered environment: {e}\n{env:#?}"));
        assert_eq!(config.port, 8000, "{name}");
        assert_eq!(config.host.to_string(), "0.0.0.0", "{name}");
        assert!(!config.db_auto_migrate, "{name}: migrations are the operator's job");
        let replicas = mc.spec.replicas;
        if replicas > 1 {
            assert!(matches!(config.database, DatabaseConfig::Postgres { .. }), "{name}");
            assert!(
                matches!(config.rate_limit_backend, RateLimitBackend::Redis { .. }),
                "{name}"
            );
        }
        if name == "clerk" {
            assert!(matches!(config.auth, AuthConfig::Clerk(_)), "{name}");
        } else {
            assert!(matches!(config.auth, AuthConfig::Local { token: Some(_) }), "{name}");
        }
    }
}
