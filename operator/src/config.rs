//! The operator's settings that come from the environment alone, read once in `main` and
//! passed down. The command-line options (`PROBE_ADDR`, `WATCH_NAMESPACE`, `LOG_FORMAT`, …) are
//! clap's, in `main.rs`; nothing else in the operator reads the environment.

use crate::telemetry::OtlpSettings;

/// Logging and tracing settings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Config {
    /// `RUST_LOG`: a tracing filter; wins over `LOG_LEVEL` when it parses.
    pub rust_log: Option<String>,
    /// `LOG_LEVEL`: a level or a tracing directive such as `info,kube=warn` (default `info`).
    pub log_level: Option<String>,
    /// The OTLP exporter, when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.
    pub otlp: Option<OtlpSettings>,
}

impl Config {
    /// Reads the process environment: the operator's one environment read.
    ///
    /// # Errors
    /// See [`Config::from_lookup`].
    #[allow(
        clippy::disallowed_methods,
        reason = "the operator's configuration: the one place that reads the environment"
    )]
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Parses the settings from `get` (tests pass a map; no process environment involved).
    ///
    /// # Errors
    /// A protocol other than grpc or http/protobuf in `OTEL_EXPORTER_OTLP_PROTOCOL`.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        Ok(Self {
            rust_log: get("RUST_LOG"),
            log_level: get("LOG_LEVEL"),
            otlp: OtlpSettings::from_lookup(&get)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k: &str| map.get(k).cloned()
    }

    #[test]
    fn an_empty_environment_means_defaults_and_no_export() {
        assert_eq!(Config::from_lookup(lookup(&[])), Ok(Config::default()));
    }

    #[test]
    fn log_filters_and_the_exporter_come_from_their_variables() {
        let config = Config::from_lookup(lookup(&[
            ("RUST_LOG", "debug"),
            ("LOG_LEVEL", "info,kube=warn"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"),
        ]))
        .unwrap();
        assert_eq!(config.rust_log.as_deref(), Some("debug"));
        assert_eq!(config.log_level.as_deref(), Some("info,kube=warn"));
        assert_eq!(config.otlp.map(|o| o.endpoint).as_deref(), Some("http://c:4317"));
    }

    #[test]
    fn a_bad_protocol_is_a_configuration_error() {
        let got = Config::from_lookup(lookup(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "smoke"),
        ]));
        assert!(got.unwrap_err().contains("OTEL_EXPORTER_OTLP_PROTOCOL"));
    }
}
