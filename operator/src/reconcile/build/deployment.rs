//! The Deployment of the service pods: probes, drain timing, the config-hash annotation that
//! rolls them, the readiness gate, and the rollout strategy per database.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, DeploymentStrategy, RollingUpdateDeployment};
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, HTTPGetAction, Lifecycle, LifecycleHandler, PodReadinessGate, PodSpec, PodTemplateSpec,
    Probe, SleepAction, TopologySpreadConstraint,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::crd::MissionControl;
use crate::names::{self, Names};
use crate::reconcile::build::pod::{
    container_env, container_security, migrate_container, pod_security, pull_secrets, volume_mounts, volumes,
};
use crate::reconcile::build::{meta, selector};
use crate::reconcile::validate::{Database, Valid};

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

pub(super) fn deployment(mc: &MissionControl, valid: &Valid, config_hash: &str) -> Deployment {
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
