//! Pure builders: a valid spec and the resolved Secret values in, plain `k8s-openapi` objects out.
//! No client, no clock, no randomness (the token is generated in `apply`).

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, DeploymentStrategy, RollingUpdateDeployment};
use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, MetricSpec, MetricTarget,
    ResourceMetricSource,
};
use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMap, ConfigMapEnvSource, Container, ContainerPort, EmptyDirVolumeSource, EnvFromSource, EnvVar,
    EnvVarSource, HTTPGetAction, Lifecycle, LifecycleHandler, LocalObjectReference, PersistentVolumeClaim,
    PersistentVolumeClaimSpec, PersistentVolumeClaimVolumeSource, PodReadinessGate, PodSecurityContext, PodSpec,
    PodTemplateSpec, Probe, SeccompProfile, SecretKeySelector, SecurityContext, Service, ServicePort, ServiceSpec,
    SleepAction, TopologySpreadConstraint, Volume, VolumeMount, VolumeResourceRequirements,
};
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule, IngressServiceBackend,
    IngressSpec as K8sIngressSpec, IngressTLS, ServiceBackendPort,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, OwnerReference};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::Resource;
use sha2::{Digest, Sha256};

use crate::crd::{AuthMode, MissionControl};
use crate::names::{self, Names};
use crate::reconcile::validate::{Credentials, Database, SecretValues, Valid};

/// Every object the installation should have, plus the hashes that drive rollouts.
#[derive(Debug, Clone, PartialEq)]
pub struct Desired {
    /// Non-secret configuration.
    pub config_map: ConfigMap,
    /// Service in front of the pods.
    pub service: Service,
    /// The service pods.
    pub deployment: Deployment,
    /// PVC of embedded SQLite.
    pub data_claim: Option<PersistentVolumeClaim>,
    /// Migration Job (PostgreSQL only; SQLite migrates in an init container).
    pub migration_job: Option<Job>,
    /// PDB when enabled.
    pub pdb: Option<PodDisruptionBudget>,
    /// HPA when enabled.
    pub hpa: Option<HorizontalPodAutoscaler>,
    /// Ingress when enabled.
    pub ingress: Option<Ingress>,
    /// Hash of every configuration input (pod-template annotation).
    pub config_hash: String,
}

/// Build every desired object; pure.
pub fn desired(mc: &MissionControl, valid: &Valid, secrets: &SecretValues) -> Desired {
    let config = config_data(mc, valid);
    let config_hash = config_hash(&config, secrets);
    let names = Names(&valid.name);
    let config_map = ConfigMap {
        metadata: meta(mc, valid, names.config_map()),
        data: Some(config),
        ..ConfigMap::default()
    };
    let migration_job = match &valid.database {
        Database::Postgres(_) => Some(migration_job(mc, valid, secrets)),
        Database::Sqlite => None,
    };
    Desired {
        service: service(mc, valid),
        deployment: deployment(mc, valid, &config_hash),
        data_claim: matches!(valid.database, Database::Sqlite).then(|| data_claim(mc, valid)),
        migration_job,
        pdb: valid.pdb_max_unavailable.map(|max| pdb(mc, valid, max)),
        hpa: hpa(mc, valid),
        ingress: ingress(mc, valid),
        config_map,
        config_hash,
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

/// Hash of every input that should roll the pods: configuration and Secret contents.
pub fn config_hash(config: &BTreeMap<String, String>, secrets: &SecretValues) -> String {
    let mut hasher = Sha256::new();
    for (k, v) in config {
        hash_field(&mut hasher, "config", k, v);
    }
    let secret_fields = [
        ("LOCAL_AUTH_TOKEN", &secrets.local_token),
        ("CLERK_SECRET_KEY", &secrets.clerk_secret_key),
        ("DATABASE_URL", &secrets.database_url),
        ("RATE_LIMIT_REDIS_URL", &secrets.redis_url),
    ];
    for (k, v) in secret_fields {
        if let Some(v) = v {
            hash_field(&mut hasher, "secret", k, v);
        }
    }
    hex::encode(hasher.finalize())
}

/// Hash of what decides whether migrations must run again: the image and the database.
pub fn migration_hash(valid: &Valid, secrets: &SecretValues) -> String {
    let mut hasher = Sha256::new();
    hash_field(&mut hasher, "image", "image", &valid.image);
    hash_field(
        &mut hasher,
        "secret",
        "DATABASE_URL",
        secrets.database_url.as_deref().unwrap_or(names::SQLITE_URL),
    );
    hex::encode(hasher.finalize())
}

fn hash_field(hasher: &mut Sha256, kind: &str, key: &str, value: &str) {
    // Length-prefixed so that no two different inputs produce the same byte stream.
    for part in [kind, key, value] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
}

/// Owner reference making `mc` the controller of a child.
pub fn owner_reference(mc: &MissionControl) -> Option<OwnerReference> {
    mc.controller_owner_ref(&())
}

fn meta(mc: &MissionControl, valid: &Valid, name: String) -> ObjectMeta {
    ObjectMeta {
        name: Some(name),
        namespace: Some(valid.namespace.clone()),
        labels: Some(names::labels(&valid.name, &valid.version)),
        owner_references: owner_reference(mc).map(|o| vec![o]),
        ..ObjectMeta::default()
    }
}

fn selector(valid: &Valid) -> LabelSelector {
    LabelSelector {
        match_labels: Some(names::selector_labels(&valid.name)),
        ..LabelSelector::default()
    }
}

fn service(mc: &MissionControl, valid: &Valid) -> Service {
    Service {
        metadata: meta(mc, valid, Names(&valid.name).workload()),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".into()),
            selector: Some(names::selector_labels(&valid.name)),
            ports: Some(vec![ServicePort {
                name: Some("http".into()),
                port: names::SERVICE_PORT,
                target_port: Some(IntOrString::String("http".into())),
                protocol: Some("TCP".into()),
                ..ServicePort::default()
            }]),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

fn http_probe(path: &str, period: i32, failures: i32) -> Probe {
    Probe {
        http_get: Some(HTTPGetAction {
            path: Some(path.into()),
            port: IntOrString::String("http".into()),
            ..HTTPGetAction::default()
        }),
        period_seconds: Some(period),
        timeout_seconds: Some(2),
        failure_threshold: Some(failures),
        ..Probe::default()
    }
}

fn container_security() -> SecurityContext {
    SecurityContext {
        allow_privilege_escalation: Some(false),
        read_only_root_filesystem: Some(true),
        run_as_non_root: Some(true),
        run_as_user: Some(names::RUN_AS_USER),
        run_as_group: Some(names::RUN_AS_USER),
        capabilities: Some(Capabilities {
            drop: Some(vec!["ALL".into()]),
            ..Capabilities::default()
        }),
        ..SecurityContext::default()
    }
}

fn pod_security() -> PodSecurityContext {
    PodSecurityContext {
        run_as_non_root: Some(true),
        run_as_user: Some(names::RUN_AS_USER),
        run_as_group: Some(names::RUN_AS_USER),
        fs_group: Some(names::RUN_AS_USER),
        seccomp_profile: Some(SeccompProfile {
            type_: "RuntimeDefault".into(),
            ..SeccompProfile::default()
        }),
        ..PodSecurityContext::default()
    }
}

fn secret_env(name: &str, secret: &str, key: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: secret.into(),
                key: key.into(),
                optional: Some(false),
            }),
            ..EnvVarSource::default()
        }),
        ..EnvVar::default()
    }
}

/// `envFrom` + `env` of the service and migration containers.
fn container_env(valid: &Valid) -> (Vec<EnvFromSource>, Vec<EnvVar>) {
    let names = Names(&valid.name);
    let env_from = vec![EnvFromSource {
        config_map_ref: Some(ConfigMapEnvSource {
            name: names.config_map(),
            optional: Some(false),
        }),
        ..EnvFromSource::default()
    }];
    let mut env = Vec::new();
    match &valid.credentials {
        Credentials::GeneratedToken => {
            env.push(secret_env("LOCAL_AUTH_TOKEN", &names.token_secret(), names::TOKEN_KEY));
        }
        Credentials::ExistingToken(r) => env.push(secret_env("LOCAL_AUTH_TOKEN", &r.name, &r.key)),
        Credentials::Clerk(r) => env.push(secret_env("CLERK_SECRET_KEY", &r.name, &r.key)),
    }
    if let Database::Postgres(r) = &valid.database {
        env.push(secret_env("DATABASE_URL", &r.name, &r.key));
    }
    if let Some(r) = &valid.redis {
        env.push(secret_env("RATE_LIMIT_REDIS_URL", &r.name, &r.key));
    }
    (env_from, env)
}

fn volume_mounts() -> Vec<VolumeMount> {
    vec![
        VolumeMount {
            name: "data".into(),
            mount_path: names::DATA_DIR.into(),
            ..VolumeMount::default()
        },
        VolumeMount {
            name: "tmp".into(),
            mount_path: "/tmp".into(),
            ..VolumeMount::default()
        },
    ]
}

fn volumes(valid: &Valid) -> Vec<Volume> {
    let data = match valid.database {
        Database::Sqlite => Volume {
            name: "data".into(),
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: Names(&valid.name).data_claim(),
                read_only: Some(false),
            }),
            ..Volume::default()
        },
        Database::Postgres(_) => Volume {
            name: "data".into(),
            empty_dir: Some(EmptyDirVolumeSource::default()),
            ..Volume::default()
        },
    };
    let tmp = Volume {
        name: "tmp".into(),
        empty_dir: Some(EmptyDirVolumeSource {
            size_limit: Some(Quantity("64Mi".into())),
            ..EmptyDirVolumeSource::default()
        }),
        ..Volume::default()
    };
    vec![data, tmp]
}

fn migrate_container(mc: &MissionControl, valid: &Valid) -> Container {
    let (env_from, env) = container_env(valid);
    Container {
        name: "migrate".into(),
        image: Some(valid.image.clone()),
        image_pull_policy: mc.spec.image.pull_policy.map(|p| p.as_str().to_string()),
        command: Some(vec!["mission-control".into(), "migrate".into()]),
        env_from: Some(env_from),
        env: Some(env),
        volume_mounts: Some(volume_mounts()),
        security_context: Some(container_security()),
        resources: mc.spec.resources.clone(),
        ..Container::default()
    }
}

fn pull_secrets(mc: &MissionControl) -> Option<Vec<LocalObjectReference>> {
    let secrets = &mc.spec.image.pull_secrets;
    (!secrets.is_empty()).then(|| {
        secrets
            .iter()
            .map(|name| LocalObjectReference { name: name.clone() })
            .collect()
    })
}

fn deployment(mc: &MissionControl, valid: &Valid, config_hash: &str) -> Deployment {
    let s = &mc.spec;
    let (env_from, env) = container_env(valid);
    let drain = s.shutdown_drain_seconds;
    let pre_stop_seconds = 5_i64;
    let container = Container {
        name: "mission-control".into(),
        image: Some(valid.image.clone()),
        image_pull_policy: s.image.pull_policy.map(|p| p.as_str().to_string()),
        command: Some(vec!["mission-control".into(), "serve".into()]),
        ports: Some(vec![ContainerPort {
            name: Some("http".into()),
            container_port: names::SERVICE_PORT,
            protocol: Some("TCP".into()),
            ..ContainerPort::default()
        }]),
        env_from: Some(env_from),
        env: Some(env),
        startup_probe: Some(http_probe("/healthz", 2, 30)),
        liveness_probe: Some(http_probe("/healthz", 10, 3)),
        readiness_probe: Some(http_probe("/readyz", 5, 2)),
        lifecycle: Some(Lifecycle {
            pre_stop: Some(LifecycleHandler {
                sleep: Some(SleepAction {
                    seconds: pre_stop_seconds,
                }),
                ..LifecycleHandler::default()
            }),
            ..Lifecycle::default()
        }),
        resources: s.resources.clone(),
        security_context: Some(container_security()),
        volume_mounts: Some(volume_mounts()),
        ..Container::default()
    };
    let init_containers = matches!(valid.database, Database::Sqlite).then(|| vec![migrate_container(mc, valid)]);
    let spread = s.topology_spread_constraints.clone().unwrap_or_else(|| {
        vec![TopologySpreadConstraint {
            max_skew: 1,
            topology_key: "kubernetes.io/hostname".into(),
            when_unsatisfiable: "ScheduleAnyway".into(),
            label_selector: Some(selector(valid)),
            ..TopologySpreadConstraint::default()
        }]
    });
    let strategy = match valid.database {
        // One SQLite writer on a ReadWriteOnce volume: never run two pods at once.
        Database::Sqlite => DeploymentStrategy {
            type_: Some("Recreate".into()),
            rolling_update: None,
        },
        Database::Postgres(_) => DeploymentStrategy {
            type_: Some("RollingUpdate".into()),
            rolling_update: Some(RollingUpdateDeployment {
                max_surge: Some(IntOrString::String("25%".into())),
                max_unavailable: Some(IntOrString::Int(0)),
            }),
        },
    };
    let pod_labels = names::labels(&valid.name, &valid.version);
    Deployment {
        metadata: meta(mc, valid, Names(&valid.name).workload()),
        spec: DeploymentSpec {
            replicas: valid.replicas,
            revision_history_limit: Some(5),
            selector: selector(valid),
            strategy: Some(strategy),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(pod_labels),
                    annotations: Some(BTreeMap::from([(
                        names::CONFIG_HASH_ANNOTATION.to_string(),
                        config_hash.to_string(),
                    )])),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    automount_service_account_token: Some(false),
                    enable_service_links: Some(false),
                    containers: vec![container],
                    init_containers,
                    readiness_gates: Some(vec![PodReadinessGate {
                        condition_type: names::READINESS_GATE.into(),
                    }]),
                    security_context: Some(pod_security()),
                    termination_grace_period_seconds: Some(i64::from(drain) + pre_stop_seconds + 20),
                    node_selector: (!s.node_selector.is_empty()).then(|| s.node_selector.clone()),
                    tolerations: (!s.tolerations.is_empty()).then(|| s.tolerations.clone()),
                    affinity: s.affinity.clone(),
                    topology_spread_constraints: Some(spread),
                    image_pull_secrets: pull_secrets(mc),
                    volumes: Some(volumes(valid)),
                    ..PodSpec::default()
                }),
            },
            ..DeploymentSpec::default()
        },
        ..Deployment::default()
    }
}

fn data_claim(mc: &MissionControl, valid: &Valid) -> PersistentVolumeClaim {
    let storage = mc.spec.storage.clone().unwrap_or_default();
    PersistentVolumeClaim {
        metadata: meta(mc, valid, Names(&valid.name).data_claim()),
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteOnce".into()]),
            storage_class_name: storage.storage_class_name,
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([("storage".to_string(), Quantity(storage.size))])),
                ..VolumeResourceRequirements::default()
            }),
            ..PersistentVolumeClaimSpec::default()
        }),
        ..PersistentVolumeClaim::default()
    }
}

fn migration_job(mc: &MissionControl, valid: &Valid, secrets: &SecretValues) -> Job {
    let hash = migration_hash(valid, secrets);
    let mut metadata = meta(mc, valid, Names(&valid.name).migration_job(&hash));
    metadata
        .labels
        .get_or_insert_with(BTreeMap::new)
        .insert("app.kubernetes.io/component".into(), "migration".into());
    let mut job_labels = metadata.labels.clone().unwrap_or_default();
    // The migration pod must not match the Service selector.
    job_labels.remove("app.kubernetes.io/name");
    job_labels.insert("app.kubernetes.io/name".into(), "mission-control-migration".into());
    Job {
        metadata,
        spec: Some(JobSpec {
            backoff_limit: Some(3),
            active_deadline_seconds: Some(600),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(job_labels),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    restart_policy: Some("Never".into()),
                    automount_service_account_token: Some(false),
                    enable_service_links: Some(false),
                    containers: vec![migrate_container(mc, valid)],
                    security_context: Some(pod_security()),
                    node_selector: (!mc.spec.node_selector.is_empty()).then(|| mc.spec.node_selector.clone()),
                    tolerations: (!mc.spec.tolerations.is_empty()).then(|| mc.spec.tolerations.clone()),
                    image_pull_secrets: pull_secrets(mc),
                    volumes: Some(volumes(valid)),
                    ..PodSpec::default()
                }),
            },
            ..JobSpec::default()
        }),
        ..Job::default()
    }
}

fn pdb(mc: &MissionControl, valid: &Valid, max_unavailable: i32) -> PodDisruptionBudget {
    PodDisruptionBudget {
        metadata: meta(mc, valid, Names(&valid.name).workload()),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable: Some(IntOrString::Int(max_unavailable)),
            selector: Some(selector(valid)),
            ..PodDisruptionBudgetSpec::default()
        }),
        ..PodDisruptionBudget::default()
    }
}

fn hpa(mc: &MissionControl, valid: &Valid) -> Option<HorizontalPodAutoscaler> {
    let a = mc.spec.autoscaling.as_ref().filter(|a| a.enabled)?;
    Some(HorizontalPodAutoscaler {
        metadata: meta(mc, valid, Names(&valid.name).workload()),
        spec: HorizontalPodAutoscalerSpec {
            scale_target_ref: CrossVersionObjectReference {
                api_version: Some("apps/v1".into()),
                kind: "Deployment".into(),
                name: Names(&valid.name).workload(),
            },
            min_replicas: Some(a.min_replicas),
            max_replicas: a.max_replicas,
            metrics: Some(vec![MetricSpec {
                type_: "Resource".into(),
                resource: Some(ResourceMetricSource {
                    name: "cpu".into(),
                    target: MetricTarget {
                        type_: "Utilization".into(),
                        average_utilization: Some(a.target_cpu_utilization_percentage),
                        ..MetricTarget::default()
                    },
                }),
                ..MetricSpec::default()
            }]),
            ..HorizontalPodAutoscalerSpec::default()
        },
        ..HorizontalPodAutoscaler::default()
    })
}

fn ingress(mc: &MissionControl, valid: &Valid) -> Option<Ingress> {
    let spec = mc.spec.ingress.as_ref().filter(|i| i.enabled)?;
    let host = spec.host.clone()?;
    let mut metadata = meta(mc, valid, Names(&valid.name).workload());
    if !spec.annotations.is_empty() {
        metadata.annotations = Some(spec.annotations.clone());
    }
    Some(Ingress {
        metadata,
        spec: Some(K8sIngressSpec {
            ingress_class_name: spec.class_name.clone(),
            tls: spec.tls_secret_name.as_ref().map(|secret| {
                vec![IngressTLS {
                    hosts: Some(vec![host.clone()]),
                    secret_name: Some(secret.clone()),
                }]
            }),
            rules: Some(vec![IngressRule {
                host: Some(host),
                http: Some(HTTPIngressRuleValue {
                    paths: vec![HTTPIngressPath {
                        path: Some("/".into()),
                        path_type: "Prefix".into(),
                        backend: IngressBackend {
                            service: Some(IngressServiceBackend {
                                name: Names(&valid.name).workload(),
                                port: Some(ServiceBackendPort {
                                    name: Some("http".into()),
                                    number: None,
                                }),
                            }),
                            ..IngressBackend::default()
                        },
                    }],
                }),
            }]),
            ..K8sIngressSpec::default()
        }),
        ..Ingress::default()
    })
}
