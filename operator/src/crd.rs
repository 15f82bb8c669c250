//! The `MissionControl` custom resource: only types, defaults and schema rules live here.
//!
//! The CEL rules below are enforced by the API server; `reconcile::validate` checks the same
//! rules again so that a resource that slipped past the schema (an old CRD, an emulator) still
//! gets a clear condition instead of a crash loop.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Affinity, ResourceRequirements, Toleration, TopologySpreadConstraint};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// API group of the resource.
pub const GROUP: &str = "mission-control.dev";
/// The one served version.
pub const VERSION: &str = "v1alpha1";

/// Desired state of one Mission Control installation.
// kube's structured `printcolumn(...)` repeats `type_ = "..."`, which this lint misreads.
#[allow(clippy::duplicated_attributes)]
#[derive(CustomResource, Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "mission-control.dev",
    version = "v1alpha1",
    kind = "MissionControl",
    plural = "missioncontrols",
    singular = "missioncontrol",
    shortname = "mc",
    category = "mission-control",
    namespaced,
    status = "MissionControlStatus",
    derive = "Default",
    derive = "PartialEq",
    doc = "MissionControl runs the Mission Control API service: Deployment, Service, Secrets, migrations and optional Ingress, PDB and HPA.",
    scale(
        spec_replicas_path = ".spec.replicas",
        status_replicas_path = ".status.replicas",
        label_selector_path = ".status.selector"
    ),
    printcolumn(name = "Desired", type_ = "integer", json_path = ".spec.replicas"),
    printcolumn(name = "Ready", type_ = "integer", json_path = ".status.readyReplicas"),
    printcolumn(name = "Version", type_ = "string", json_path = ".status.version"),
    printcolumn(
        name = "Status",
        type_ = "string",
        json_path = ".status.conditions[?(@.type==\"Ready\")].status"
    ),
    printcolumn(name = "Age", type_ = "date", json_path = ".metadata.creationTimestamp")
)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    {
        "rule": "self.replicas <= 1 || (has(self.database) && has(self.redis))",
        "message": "replicas > 1 requires spec.database and spec.redis (SQLite and the in-memory rate limiter are single-replica only)",
        "reason": "FieldValueInvalid",
        "fieldPath": ".replicas"
    },
    {
        "rule": "!has(self.autoscaling) || !self.autoscaling.enabled || (has(self.database) && has(self.redis))",
        "message": "autoscaling requires spec.database and spec.redis",
        "reason": "FieldValueInvalid",
        "fieldPath": ".autoscaling"
    },
    {
        "rule": "self.auth.mode != 'Clerk' || has(self.auth.clerk)",
        "message": "auth.mode Clerk requires auth.clerk.secretKeyRef",
        "reason": "FieldValueRequired",
        "fieldPath": ".auth.clerk"
    },
    {
        "rule": "!has(self.ingress) || !self.ingress.enabled || has(self.ingress.host)",
        "message": "an enabled ingress needs a host",
        "reason": "FieldValueRequired",
        "fieldPath": ".ingress.host"
    }
]))]
pub struct MissionControlSpec {
    /// Number of service pods. Ignored while `autoscaling.enabled` is true.
    #[serde(default = "default_replicas")]
    #[schemars(range(min = 0, max = 100))]
    pub replicas: i32,

    /// Container image of the service.
    #[serde(default)]
    pub image: ImageSpec,

    /// How API clients authenticate.
    #[serde(default)]
    pub auth: AuthSpec,

    /// PostgreSQL database. Absent: embedded SQLite on a PersistentVolumeClaim (one replica only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<DatabaseSpec>,

    /// Redis for the shared rate limiter. Required when replicas > 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redis: Option<RedisSpec>,

    /// Volume for embedded SQLite (used only when `database` is absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<StorageSpec>,

    /// OpenTelemetry tracing of the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telemetry: Option<TelemetrySpec>,

    /// Public base URL of the API, e.g. `https://mc.example.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 2048), regex(pattern = r"^https?://[^\s]+$"))]
    pub base_url: Option<String>,

    /// Origins allowed by CORS, e.g. `https://app.example.com`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 64), inner(regex(pattern = r"^https?://[^\s,/]+$")))]
    pub cors_origins: Vec<String>,

    /// IPs or CIDRs of proxies whose `X-Forwarded-For` is trusted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 64), inner(regex(pattern = r"^[0-9a-fA-F:.]+(/[0-9]{1,3})?$")))]
    pub trusted_proxies: Vec<String>,

    /// Security response headers; an empty string disables a header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_headers: Option<SecurityHeadersSpec>,

    /// Service log level.
    #[serde(default)]
    pub log_level: LogLevel,

    /// Seconds the service keeps serving after SIGTERM while `/readyz` reports 503.
    #[serde(default = "default_drain_seconds")]
    #[schemars(range(min = 0, max = 300))]
    pub shutdown_drain_seconds: i32,

    /// Compute resources of the service container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,

    /// Node labels the pods must match.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub node_selector: BTreeMap<String, String>,

    /// Tolerations of the pods.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tolerations: Vec<Toleration>,

    /// Affinity of the pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Affinity>,

    /// Topology spread; absent means "spread across nodes" (hostname, skew 1, ScheduleAnyway).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topology_spread_constraints: Option<Vec<TopologySpreadConstraint>>,

    /// PodDisruptionBudget; on by default when more than one replica runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_disruption_budget: Option<PodDisruptionBudgetSpec>,

    /// HorizontalPodAutoscaler; when enabled the operator leaves the replica count to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<AutoscalingSpec>,

    /// Ingress in front of the Service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress: Option<IngressSpec>,
}

fn default_replicas() -> i32 {
    1
}

fn default_drain_seconds() -> i32 {
    5
}

/// Image of the service container.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImageSpec {
    /// Repository, e.g. `ghcr.io/example/mission-control`.
    #[serde(default = "default_repository")]
    #[schemars(length(min = 1, max = 512))]
    pub repository: String,
    /// Tag; also reported as the running version.
    #[serde(default = "default_tag")]
    #[schemars(length(min = 1, max = 128), regex(pattern = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"))]
    pub tag: String,
    /// Pull policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_policy: Option<PullPolicy>,
    /// Names of image pull Secrets in the namespace.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 16))]
    pub pull_secrets: Vec<String>,
}

impl Default for ImageSpec {
    fn default() -> Self {
        Self {
            repository: default_repository(),
            tag: default_tag(),
            pull_policy: None,
            pull_secrets: Vec::new(),
        }
    }
}

fn default_repository() -> String {
    "ghcr.io/mission-control/mission-control".to_string()
}

fn default_tag() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Kubernetes image pull policy.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum PullPolicy {
    /// Always pull.
    Always,
    /// Pull when absent from the node.
    IfNotPresent,
    /// Never pull.
    Never,
}

impl PullPolicy {
    /// The string Kubernetes expects.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Always => "Always",
            Self::IfNotPresent => "IfNotPresent",
            Self::Never => "Never",
        }
    }
}

/// A key of a Secret in the same namespace.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretKeyRef {
    /// Secret name.
    #[schemars(length(min = 1, max = 253), regex(pattern = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"))]
    pub name: String,
    /// Key inside the Secret.
    #[schemars(length(min = 1, max = 253), regex(pattern = r"^[-._a-zA-Z0-9]+$"))]
    pub key: String,
}

/// Authentication of API clients.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthSpec {
    /// `Local` (a shared bearer token) or `Clerk`.
    #[serde(default)]
    pub mode: AuthMode,
    /// Local token settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<LocalAuthSpec>,
    /// Clerk settings, required when mode is Clerk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clerk: Option<ClerkAuthSpec>,
}

/// Authentication mode.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
pub enum AuthMode {
    /// A shared bearer token (generated unless a Secret is given).
    #[default]
    Local,
    /// Clerk-issued JWTs.
    Clerk,
}

/// Local bearer token.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LocalAuthSpec {
    /// Existing Secret key holding the token (at least 50 characters). Absent: the operator
    /// generates one into `<name>-auth-token` and keeps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_secret_ref: Option<SecretKeyRef>,
}

/// Clerk authentication.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClerkAuthSpec {
    /// Secret key holding the Clerk secret key.
    pub secret_key_ref: SecretKeyRef,
    /// Clerk API URL override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 2048), regex(pattern = r"^https?://[^\s]+$"))]
    pub api_url: Option<String>,
    /// Allowed clock skew when checking tokens, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 600))]
    pub leeway_seconds: Option<i32>,
}

/// PostgreSQL connection.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseSpec {
    /// Secret key holding a `postgres://` URL.
    pub url_secret_ref: SecretKeyRef,
}

/// Redis connection.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RedisSpec {
    /// Secret key holding a `redis://` or `rediss://` URL.
    pub url_secret_ref: SecretKeyRef,
}

/// PersistentVolumeClaim for embedded SQLite.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StorageSpec {
    /// Requested size, e.g. `1Gi`.
    #[serde(default = "default_storage_size")]
    #[schemars(regex(pattern = r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$"))]
    pub size: String,
    /// Storage class; absent uses the cluster default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class_name: Option<String>,
}

impl Default for StorageSpec {
    fn default() -> Self {
        Self {
            size: default_storage_size(),
            storage_class_name: None,
        }
    }
}

fn default_storage_size() -> String {
    "1Gi".to_string()
}

/// OpenTelemetry export.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TelemetrySpec {
    /// OTLP endpoint, e.g. `http://otel-collector:4317`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 2048), regex(pattern = r"^https?://[^\s]+$"))]
    pub otlp_endpoint: Option<String>,
    /// OTLP protocol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<OtlpProtocol>,
    /// Trace sampler.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampler: Option<TraceSampler>,
    /// Sampler argument (ratio 0..1 for the ratio samplers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0, max = 1.0))]
    pub sampler_arg: Option<f64>,
    /// Service name reported in traces (default `mission-control`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 128))]
    pub service_name: Option<String>,
}

/// OTLP transport.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum OtlpProtocol {
    /// gRPC.
    #[serde(rename = "grpc")]
    Grpc,
    /// HTTP with protobuf bodies.
    #[serde(rename = "http/protobuf")]
    HttpProtobuf,
}

impl OtlpProtocol {
    /// Value of `OTEL_EXPORTER_OTLP_PROTOCOL`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Grpc => "grpc",
            Self::HttpProtobuf => "http/protobuf",
        }
    }
}

/// Trace sampler names as in the OpenTelemetry environment specification.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TraceSampler {
    /// Sample everything.
    AlwaysOn,
    /// Sample nothing.
    AlwaysOff,
    /// Sample a ratio of traces.
    Traceidratio,
    /// Follow the parent, else sample.
    ParentbasedAlwaysOn,
    /// Follow the parent, else drop.
    ParentbasedAlwaysOff,
    /// Follow the parent, else sample a ratio.
    ParentbasedTraceidratio,
}

impl TraceSampler {
    /// Value of `OTEL_TRACES_SAMPLER`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AlwaysOn => "always_on",
            Self::AlwaysOff => "always_off",
            Self::Traceidratio => "traceidratio",
            Self::ParentbasedAlwaysOn => "parentbased_always_on",
            Self::ParentbasedAlwaysOff => "parentbased_always_off",
            Self::ParentbasedTraceidratio => "parentbased_traceidratio",
        }
    }
}

/// Security response headers; absent keeps the service default, `""` disables the header.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecurityHeadersSpec {
    /// `X-Content-Type-Options`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 256))]
    pub x_content_type_options: Option<String>,
    /// `X-Frame-Options`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 256))]
    pub x_frame_options: Option<String>,
    /// `Referrer-Policy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 256))]
    pub referrer_policy: Option<String>,
    /// `Permissions-Policy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 1024))]
    pub permissions_policy: Option<String>,
}

/// Service log level.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// Everything.
    Trace,
    /// Debugging detail.
    Debug,
    /// Normal operation.
    #[default]
    Info,
    /// Warnings and errors.
    Warn,
    /// Errors only.
    Error,
}

impl LogLevel {
    /// Value of `LOG_LEVEL`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trace => "trace",
            Self::Debug => "debug",
            Self::Info => "info",
            Self::Warn => "warn",
            Self::Error => "error",
        }
    }
}

/// PodDisruptionBudget settings.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodDisruptionBudgetSpec {
    /// Create the PDB; absent means "when more than one replica runs".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Pods that may be unavailable at once (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100))]
    pub max_unavailable: Option<i32>,
}

/// HorizontalPodAutoscaler settings.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    {"rule": "self.maxReplicas >= self.minReplicas", "message": "maxReplicas must be >= minReplicas"}
]))]
pub struct AutoscalingSpec {
    /// Create the HPA.
    #[serde(default)]
    pub enabled: bool,
    /// Lower bound.
    #[serde(default = "default_min_replicas")]
    #[schemars(range(min = 1, max = 100))]
    pub min_replicas: i32,
    /// Upper bound.
    #[serde(default = "default_max_replicas")]
    #[schemars(range(min = 1, max = 100))]
    pub max_replicas: i32,
    /// Average CPU utilisation target in percent.
    #[serde(default = "default_cpu_target")]
    #[schemars(range(min = 1, max = 100))]
    pub target_cpu_utilization_percentage: i32,
}

fn default_min_replicas() -> i32 {
    2
}

fn default_max_replicas() -> i32 {
    10
}

fn default_cpu_target() -> i32 {
    75
}

/// Ingress settings.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IngressSpec {
    /// Create the Ingress.
    #[serde(default)]
    pub enabled: bool,
    /// IngressClass name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 253))]
    pub class_name: Option<String>,
    /// Host name, e.g. `mc.example.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        length(min = 1, max = 253),
        regex(pattern = r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
    )]
    pub host: Option<String>,
    /// TLS Secret for the host; absent serves plain HTTP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 253))]
    pub tls_secret_name: Option<String>,
    /// Extra annotations for the ingress controller.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// Observed state, written only by the operator.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MissionControlStatus {
    /// Generation of the spec this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Pods of the Deployment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// Pods that are ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_replicas: Option<i32>,
    /// Pods running the current template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_replicas: Option<i32>,
    /// Label selector of the pods (for the scale subresource and HPAs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    /// Version (image tag) that is rolled out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Where the API is reachable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Hash of every configuration input of the current pod template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_hash: Option<String>,
    /// Standard conditions: Ready, Progressing, Degraded, SecretsReady, MigrationsComplete.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}

/// The CRD as YAML, exactly as `mission-control-operator crd` prints it and `k8s/crd.yaml` holds it.
///
/// # Errors
/// Fails only if serialisation fails.
pub fn crd_yaml() -> Result<String, serde_yaml::Error> {
    use kube::CustomResourceExt;
    let body = serde_yaml::to_string(&MissionControl::crd())?;
    Ok(format!(
        "# Generated by `mission-control-operator crd`; do not edit. Regenerate with\n# `cargo run -p mission-control-operator -- crd > k8s/crd.yaml`.\n---\n{body}"
    ))
}
