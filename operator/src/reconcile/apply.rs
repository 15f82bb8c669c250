//! Write the desired state: server-side apply with one field manager, the generated token,
//! migration gating and the pods' readiness gate (decided in `readiness`).

use std::collections::BTreeMap;
use std::fmt::Debug;

use k8s_openapi::ByteString;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Pod, Secret};
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::jiff::Timestamp;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams};
use kube::{Api, Client, Resource, ResourceExt};
use rand::Rng;
use rand::distr::Alphanumeric;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::context::Context;
use crate::crd::MissionControl;
use crate::error::Error;
use crate::metrics::Metrics;
use crate::names::{self, Names};
use crate::reconcile::build::{self, Desired};
use crate::reconcile::readiness::{self, Gate, PodFacts};
use crate::reconcile::status::Migration;
use crate::reconcile::validate::{self, Valid};

/// What apply learned.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The Deployment as the API server holds it (absent while migrations gate it).
    pub deployment: Option<Deployment>,
    /// Migration state for the current version.
    pub migration: Migration,
}

fn apply_params() -> PatchParams {
    PatchParams::apply(names::FIELD_MANAGER).force()
}

async fn apply<K>(client: &Client, namespace: &str, obj: &K, metrics: &Metrics) -> Result<K, Error>
where
    K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + Debug
        + Serialize
        + DeserializeOwned,
{
    let api: Api<K> = Api::namespaced(client.clone(), namespace);
    let mut value = serde_json::to_value(obj)?;
    // SSA bodies need apiVersion and kind; k8s-openapi's Serialize adds them, but be explicit.
    value["apiVersion"] = json!(K::api_version(&()));
    value["kind"] = json!(K::kind(&()));
    metrics.applies.inc();
    Ok(api
        .patch(&obj.name_any(), &apply_params(), &Patch::Apply(&value))
        .await?)
}

async fn delete_if_present<K>(client: &Client, namespace: &str, name: &str) -> Result<(), Error>
where
    K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope> + Clone + Debug + DeserializeOwned,
{
    let api: Api<K> = Api::namespaced(client.clone(), namespace);
    match api.delete(name, &DeleteParams::background()).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// A new random token of [`names::TOKEN_LENGTH`] alphanumeric characters.
pub fn generate_token() -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(names::TOKEN_LENGTH)
        .map(char::from)
        .collect()
}

/// Make sure the generated token Secret exists and answers the latest rotation request;
/// returns the token. An existing token is never replaced unless rotation is requested.
///
/// # Errors
/// API errors.
pub async fn token(
    ctx: &Context,
    mc: &MissionControl,
    valid: &Valid,
    existing: Option<&Secret>,
) -> Result<String, Error> {
    let rotation = validate::rotation_request(mc);
    let current = existing
        .and_then(|s| validate::secret_value(s, names::TOKEN_KEY))
        .filter(|t| t.len() >= names::TOKEN_LENGTH);
    let answered = existing
        .and_then(|s| s.annotations().get(names::ROTATED_AT_ANNOTATION))
        .map(String::as_str);
    if let Some(token) = current
        && (rotation.is_none() || rotation == answered)
    {
        return Ok(token);
    }
    let token = generate_token();
    let mut annotations = BTreeMap::new();
    if let Some(at) = rotation {
        annotations.insert(names::ROTATED_AT_ANNOTATION.to_string(), at.to_string());
    }
    let secret = Secret {
        metadata: kube::api::ObjectMeta {
            name: Some(Names(&valid.name).token_secret()),
            namespace: Some(valid.namespace.clone()),
            labels: Some(names::labels(&valid.name, &valid.version)),
            annotations: (!annotations.is_empty()).then_some(annotations),
            owner_references: build::owner_reference(mc).map(|o| vec![o]),
            ..Default::default()
        },
        type_: Some("Opaque".into()),
        data: Some(BTreeMap::from([(
            names::TOKEN_KEY.to_string(),
            ByteString(token.clone().into_bytes()),
        )])),
        ..Secret::default()
    };
    apply(&ctx.client, &valid.namespace, &secret, &ctx.metrics).await?;
    tracing::info!(name = %valid.name, rotated = rotation.is_some(), "generated the local auth token");
    Ok(token)
}

fn migration_state(job: &Job) -> Migration {
    let status = job.status.clone().unwrap_or_default();
    if status.succeeded.unwrap_or(0) > 0 {
        return Migration::Succeeded;
    }
    let failed = status
        .conditions
        .unwrap_or_default()
        .into_iter()
        .find(|c| c.type_ == "Failed" && c.status == "True");
    match failed {
        Some(c) => Migration::Failed(c.message.or(c.reason).unwrap_or_else(|| "the Job failed".into())),
        None => Migration::Running,
    }
}

/// Apply every desired object in a fixed order; the Deployment waits for the migration Job.
///
/// # Errors
/// API errors.
pub async fn all(
    ctx: &Context,
    valid: &Valid,
    desired: Desired,
    existing: Option<Deployment>,
) -> Result<Applied, Error> {
    let client = &ctx.client;
    let ns = valid.namespace.as_str();
    let m = ctx.metrics.as_ref();
    apply(client, ns, &desired.config_map, m).await?;
    if let Some(pvc) = &desired.data_claim {
        apply(client, ns, pvc, m).await?;
    }
    apply(client, ns, &desired.service, m).await?;

    let migration = match &desired.migration_job {
        None => Migration::InPod,
        Some(job) => {
            let jobs: Api<Job> = Api::namespaced(client.clone(), ns);
            match jobs.get_opt(&job.name_any()).await? {
                Some(found) => migration_state(&found),
                None => migration_state(&apply(client, ns, job, m).await?),
            }
        }
    };
    let deployment = match migration {
        Migration::InPod | Migration::Succeeded => Some(apply(client, ns, &desired.deployment, m).await?),
        Migration::Running | Migration::Failed(_) => existing,
    };

    let workload = Names(&valid.name).workload();
    match &desired.pdb {
        Some(pdb) => drop(apply(client, ns, pdb, m).await?),
        None => delete_if_present::<PodDisruptionBudget>(client, ns, &workload).await?,
    }
    match &desired.hpa {
        Some(hpa) => drop(apply(client, ns, hpa, m).await?),
        None => delete_if_present::<HorizontalPodAutoscaler>(client, ns, &workload).await?,
    }
    match &desired.ingress {
        Some(ingress) => drop(apply(client, ns, ingress, m).await?),
        None => delete_if_present::<Ingress>(client, ns, &workload).await?,
    }
    Ok(Applied { deployment, migration })
}

/// Set the `mission-control.dev/ready` condition of every pod as [`readiness::gate`] decides:
/// True only when the pod runs the current hash, its containers are ready and its own
/// `/readyz` answers 200. Returns whether every pod is gated True.
///
/// # Errors
/// API errors.
pub async fn readiness_gates(ctx: &Context, valid: &Valid, config_hash: &str) -> Result<bool, Error> {
    let pods: Api<Pod> = Api::namespaced(ctx.client.clone(), &valid.namespace);
    let list = pods
        .list(&ListParams::default().labels(&names::selector_string(&valid.name)))
        .await?;
    let mut all_ready = true;
    for pod in list.items {
        let facts = PodFacts::of(&pod);
        let mut decision = readiness::gate(&facts, config_hash, None);
        if let Gate::ProbeReadyz { ip } = decision {
            let answer = probe(ctx, ip).await;
            decision = readiness::gate(&facts, config_hash, Some(&answer));
        }
        let Gate::Set { condition, patch } = decision else {
            continue;
        };
        all_ready &= condition.ready;
        if patch {
            let patch = json!({
                "status": {"conditions": [{
                    "type": names::READINESS_GATE,
                    "status": condition.status(),
                    "reason": condition.reason,
                    "message": condition.message,
                    "lastTransitionTime": Timestamp::now().to_string(),
                }]}
            });
            pods.patch_status(&pod.name_any(), &PatchParams::default(), &Patch::Strategic(&patch))
                .await?;
        }
    }
    Ok(all_ready)
}

async fn probe(ctx: &Context, ip: &str) -> Result<(), String> {
    let host = if ip.contains(':') {
        format!("[{ip}]")
    } else {
        ip.to_string()
    };
    let url = format!("http://{host}:{}/readyz", names::SERVICE_PORT);
    match ctx.http.get(&url).send().await {
        Ok(resp) if resp.status().as_u16() == 200 => Ok(()),
        Ok(resp) => Err(format!("GET /readyz answered {}", resp.status().as_u16())),
        Err(e) => Err(format!("GET /readyz failed: {e}")),
    }
}
