//! The migration Job (PostgreSQL only), named after the migration hash so that a new image or
//! database runs it again.

use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::{PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::crd::MissionControl;
use crate::names::Names;
use crate::reconcile::build::hash::migration_hash;
use crate::reconcile::build::meta;
use crate::reconcile::build::pod::{migrate_container, pod_security, pull_secrets, volumes};
use crate::reconcile::validate::{SecretValues, Valid};

pub(super) fn migration_job(mc: &MissionControl, valid: &Valid, secrets: &SecretValues) -> Job {
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
