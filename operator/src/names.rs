//! Names, labels and annotations shared by the builders, the status and the watches.

use std::collections::BTreeMap;

/// The one field manager used for every server-side apply.
pub const FIELD_MANAGER: &str = "mission-control-operator";
/// Name of the controller in Events.
pub const CONTROLLER_NAME: &str = "mission-control-operator";

/// Pod-template annotation carrying the hash of every configuration input.
pub const CONFIG_HASH_ANNOTATION: &str = "mission-control.dev/config-hash";
/// Annotation on a `MissionControl` that stops reconciling while it is `"true"`.
pub const PAUSED_ANNOTATION: &str = "mission-control.dev/paused";
/// Annotation on a `MissionControl` requesting a new generated token; its value is a timestamp.
pub const ROTATE_TOKEN_ANNOTATION: &str = "mission-control.dev/rotate-token";
/// Annotation on the generated token Secret: the rotation request it answers.
pub const ROTATED_AT_ANNOTATION: &str = "mission-control.dev/rotated-at";
/// Pod readiness gate set by the operator.
pub const READINESS_GATE: &str = "mission-control.dev/ready";

/// Port the service listens on (`PORT`).
pub const SERVICE_PORT: i32 = 8000;
/// Where the data volume is mounted (`DATA_DIR`).
pub const DATA_DIR: &str = "/var/lib/mission-control";
/// `DATABASE_URL` of embedded SQLite.
pub const SQLITE_URL: &str = "sqlite:///var/lib/mission-control/mission-control.db";
/// Key of the generated token in its Secret.
pub const TOKEN_KEY: &str = "token";
/// Length of a generated token.
pub const TOKEN_LENGTH: usize = 64;
/// The service's non-root user.
pub const RUN_AS_USER: i64 = 65532;

/// Labels that select the pods of one installation.
pub fn selector_labels(instance: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("app.kubernetes.io/name".to_string(), "mission-control".to_string()),
        ("app.kubernetes.io/instance".to_string(), instance.to_string()),
    ])
}

/// The selector as a string, as published in `status.selector`.
pub fn selector_string(instance: &str) -> String {
    selector_labels(instance)
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Labels of every managed object.
pub fn labels(instance: &str, version: &str) -> BTreeMap<String, String> {
    let mut labels = selector_labels(instance);
    labels.insert("app.kubernetes.io/component".into(), "api".into());
    labels.insert("app.kubernetes.io/managed-by".into(), FIELD_MANAGER.into());
    labels.insert("app.kubernetes.io/version".into(), label_value(version));
    labels
}

/// Cut a value to what a label accepts (63 characters of `[A-Za-z0-9_.-]`).
fn label_value(value: &str) -> String {
    let cleaned: String = value
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(63)
        .collect();
    cleaned.trim_matches(|c: char| !c.is_ascii_alphanumeric()).to_string()
}

/// Object names derived from the `MissionControl` name.
pub struct Names<'a>(pub &'a str);

impl Names<'_> {
    /// Deployment, Service, PDB, HPA and Ingress.
    pub fn workload(&self) -> String {
        self.0.to_string()
    }
    /// ConfigMap of non-secret configuration.
    pub fn config_map(&self) -> String {
        format!("{}-config", self.0)
    }
    /// Generated token Secret.
    pub fn token_secret(&self) -> String {
        format!("{}-auth-token", self.0)
    }
    /// PersistentVolumeClaim of embedded SQLite.
    pub fn data_claim(&self) -> String {
        format!("{}-data", self.0)
    }
    /// Migration Job for one migration input hash.
    pub fn migration_job(&self, migration_hash: &str) -> String {
        let short: String = migration_hash.chars().take(10).collect();
        format!("{}-migrate-{short}", self.0)
    }
}
