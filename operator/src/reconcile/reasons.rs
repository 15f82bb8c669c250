//! Condition types and their CamelCase reasons: the one list users and alerts can rely on.

/// Summary condition: the API serves traffic with the current configuration.
pub const READY: &str = "Ready";
/// A rollout (or a migration before it) is under way.
pub const PROGRESSING: &str = "Progressing";
/// Something needs a human: invalid spec, failed migration, missing Secret, stuck rollout.
pub const DEGRADED: &str = "Degraded";
/// Every referenced Secret exists and holds a usable value.
pub const SECRETS_READY: &str = "SecretsReady";
/// Schema migrations for the current version have run.
pub const MIGRATIONS_COMPLETE: &str = "MigrationsComplete";

/// All condition types, in the order they are written.
pub const CONDITION_TYPES: [&str; 5] = [READY, PROGRESSING, DEGRADED, SECRETS_READY, MIGRATIONS_COMPLETE];

/// The spec breaks a rule; fix the resource.
pub const INVALID_SPEC: &str = "InvalidSpec";
/// The pause annotation is set.
pub const PAUSED: &str = "Paused";
/// A referenced Secret does not exist.
pub const SECRET_NOT_FOUND: &str = "SecretNotFound";
/// A referenced Secret lacks the key.
pub const SECRET_KEY_MISSING: &str = "SecretKeyMissing";
/// A referenced Secret holds an unusable value.
pub const SECRET_VALUE_INVALID: &str = "SecretValueInvalid";
/// Every Secret resolved.
pub const SECRETS_RESOLVED: &str = "SecretsResolved";
/// The migration Job runs.
pub const MIGRATION_RUNNING: &str = "MigrationRunning";
/// The migration Job failed.
pub const MIGRATION_FAILED: &str = "MigrationFailed";
/// The migration Job succeeded.
pub const MIGRATION_SUCCEEDED: &str = "MigrationSucceeded";
/// SQLite: migrations run in an init container of each pod.
pub const MIGRATIONS_RUN_IN_POD: &str = "MigrationsRunInPod";
/// Every desired pod is ready with the current configuration.
pub const ALL_REPLICAS_READY: &str = "AllReplicasReady";
/// Fewer pods are ready than desired.
pub const REPLICAS_NOT_READY: &str = "ReplicasNotReady";
/// Zero replicas requested.
pub const SCALED_TO_ZERO: &str = "ScaledToZero";
/// The Deployment does not exist yet.
pub const DEPLOYMENT_PENDING: &str = "DeploymentPending";
/// A new pod template is being rolled out.
pub const ROLLING_OUT: &str = "RollingOut";
/// The rollout finished.
pub const ROLLOUT_COMPLETE: &str = "RolloutComplete";
/// The Deployment reports ProgressDeadlineExceeded.
pub const ROLLOUT_STUCK: &str = "RolloutStuck";
/// Nothing is wrong.
pub const AS_EXPECTED: &str = "AsExpected";
