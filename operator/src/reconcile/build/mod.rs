//! Pure builders: a valid spec and the resolved Secret values in, plain `k8s-openapi` objects out.
//! No client, no clock, no randomness (the token is generated in `apply`). One file per built
//! object; this module assembles them into [`Desired`] and holds the metadata they all carry.

mod config_map;
mod data_claim;
mod deployment;
mod hash;
mod hpa;
mod ingress;
mod migration_job;
mod pdb;
mod pod;
mod service;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolumeClaim, Service};
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, OwnerReference};
use kube::Resource;

pub use self::config_map::{config_data, rendered_env};
pub use self::hash::{config_hash, migration_hash};
use crate::crd::MissionControl;
use crate::names;
use crate::reconcile::validate::{Database, SecretValues, Valid};

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
    let migration_job = match &valid.database {
        Database::Postgres(_) => Some(migration_job::migration_job(mc, valid, secrets)),
        Database::Sqlite => None,
    };
    Desired {
        service: service::service(mc, valid),
        deployment: deployment::deployment(mc, valid, &config_hash),
        data_claim: matches!(valid.database, Database::Sqlite).then(|| data_claim::data_claim(mc, valid)),
        migration_job,
        pdb: valid.pdb_max_unavailable.map(|max| pdb::pdb(mc, valid, max)),
        hpa: hpa::hpa(mc, valid),
        ingress: ingress::ingress(mc, valid),
        config_map: config_map::config_map(mc, valid, config),
        config_hash,
    }
}

/// Owner reference making `mc` the controller of a child.
pub fn owner_reference(mc: &MissionControl) -> Option<OwnerReference> {
    mc.controller_owner_ref(&())
}

/// Metadata every child carries: name, namespace, labels and the controller reference.
fn meta(mc: &MissionControl, valid: &Valid, name: String) -> ObjectMeta {
    ObjectMeta {
        name: Some(name),
        namespace: Some(valid.namespace.clone()),
        labels: Some(names::labels(&valid.name, &valid.version)),
        owner_references: owner_reference(mc).map(|o| vec![o]),
        ..ObjectMeta::default()
    }
}

/// The selector matching the service pods (never the migration pod).
fn selector(valid: &Valid) -> LabelSelector {
    LabelSelector {
        match_labels: Some(names::selector_labels(&valid.name)),
        ..LabelSelector::default()
    }
}
