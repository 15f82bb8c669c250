//! The ConfigMap: the service's non-secret environment, and the whole environment it sees.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;

use crate::crd::{AuthMode, MissionControl};
use crate::names::{self, Names};
use crate::reconcile::build::meta;
use crate::reconcile::validate::{Database, SecretValues, Valid};

/// The ConfigMap holding `data` (see [`config_data`]).
pub(super) fn config_map(mc: &MissionControl, valid: &Valid, data: BTreeMap<String, String>) -> ConfigMap {
    ConfigMap {
        metadata: meta(mc, valid, Names(&valid.name).config_map()),
        data: Some(data),
        ..ConfigMap::default()
    }
}

/// The complete environment the service container sees: ConfigMap keys plus Secret values.
/// This is the contract with `mission_control::config::Config`.
pub fn rendered_env(mc: &MissionControl, valid: &Valid, secrets: &SecretValues) -> BTreeMap<String, String> {
    let mut env = config_data(mc, valid);
    let pairs = [
        ("LOCAL_AUTH_TOKEN", &secrets.local_token),
        ("CLERK_SECRET_KEY", &secrets.clerk_secret_key),
        ("DATABASE_URL", &secrets.database_url),
        ("RATE_LIMIT_REDIS_URL", &secrets.redis_url),
    ];
    for (key, value) in pairs {
        if let Some(v) = value {
            env.insert(key.to_string(), v.clone());
        }
    }
    env
}

/// Non-secret configuration: the ConfigMap's data.
pub fn config_data(mc: &MissionControl, valid: &Valid) -> BTreeMap<String, String> {
    let s = &mc.spec;
    let mut data = BTreeMap::new();
    let mut put = |k: &str, v: String| {
        data.insert(k.to_string(), v);
    };
    put("HOST", "0.0.0.0".into());
    put("PORT", names::SERVICE_PORT.to_string());
    put("BASE_URL", valid.url.clone());
    put("DATA_DIR", names::DATA_DIR.into());
    put("DB_AUTO_MIGRATE", "false".into());
    put("LOG_LEVEL", s.log_level.as_str().into());
    put("LOG_FORMAT", "json".into());
    put("SHUTDOWN_DRAIN_SECONDS", s.shutdown_drain_seconds.to_string());
    match s.auth.mode {
        AuthMode::Local => put("AUTH_MODE", "local".into()),
        AuthMode::Clerk => {
            put("AUTH_MODE", "clerk".into());
            if let Some(clerk) = &s.auth.clerk {
                if let Some(url) = &clerk.api_url {
                    put("CLERK_API_URL", url.clone());
                }
                if let Some(leeway) = clerk.leeway_seconds {
                    put("CLERK_LEEWAY", leeway.to_string());
                }
            }
        }
    }
    if matches!(valid.database, Database::Sqlite) {
        put("DATABASE_URL", names::SQLITE_URL.into());
    }
    put(
        "RATE_LIMIT_BACKEND",
        if valid.redis.is_some() { "redis" } else { "memory" }.into(),
    );
    if !s.trusted_proxies.is_empty() {
        put("TRUSTED_PROXIES", s.trusted_proxies.join(","));
    }
    if !s.cors_origins.is_empty() {
        put("CORS_ORIGINS", s.cors_origins.join(","));
    }
    if let Some(h) = &s.security_headers {
        let headers = [
            ("SECURITY_HEADER_X_CONTENT_TYPE_OPTIONS", &h.x_content_type_options),
            ("SECURITY_HEADER_X_FRAME_OPTIONS", &h.x_frame_options),
            ("SECURITY_HEADER_REFERRER_POLICY", &h.referrer_policy),
            ("SECURITY_HEADER_PERMISSIONS_POLICY", &h.permissions_policy),
        ];
        for (key, value) in headers {
            if let Some(v) = value {
                put(key, v.clone());
            }
        }
    }
    if let Some(t) = &s.telemetry
        && let Some(endpoint) = &t.otlp_endpoint
    {
        {
            put("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.clone());
            put(
                "OTEL_SERVICE_NAME",
                t.service_name.clone().unwrap_or_else(|| "mission-control".into()),
            );
            if let Some(p) = t.protocol {
                put("OTEL_EXPORTER_OTLP_PROTOCOL", p.as_str().into());
            }
            if let Some(sampler) = t.sampler {
                put("OTEL_TRACES_SAMPLER", sampler.as_str().into());
            }
            if let Some(arg) = t.sampler_arg {
                put("OTEL_TRACES_SAMPLER_ARG", arg.to_string());
            }
        }
    }
    data
}
