//! Status: `compute` is pure (observations and `now` in, status out); `write` patches it and
//! publishes an Event for every condition that changed.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use k8s_openapi::jiff::Timestamp;
use kube::api::{Patch, PatchParams};
use kube::runtime::events::{Event, EventType};
use kube::{Api, Resource, ResourceExt};
use serde_json::json;

use crate::context::Context;
use crate::crd::{MissionControl, MissionControlStatus};
use crate::error::Error;
use crate::names;
use crate::reconcile::reasons::{self as r};
use crate::reconcile::validate::{Invalid, Valid};

/// Where the schema migrations stand for the current version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Migration {
    /// SQLite: each pod migrates in an init container.
    InPod,
    /// The Job has not finished.
    Running,
    /// The Job succeeded.
    Succeeded,
    /// The Job failed; the message says how.
    Failed(String),
}

/// What `compute` needs to know about the cluster.
#[derive(Debug, Clone)]
pub struct Observation<'a> {
    /// `metadata.generation` of the `MissionControl`.
    pub generation: Option<i64>,
    /// The validated spec.
    pub valid: &'a Valid,
    /// Hash of the current inputs.
    pub config_hash: &'a str,
    /// The Deployment as the API server returned it (absent while migrations gate it).
    pub deployment: Option<&'a Deployment>,
    /// Migration state.
    pub migration: Migration,
}

/// One condition, before the transition time is decided.
struct Cond {
    type_: &'static str,
    status: bool,
    reason: &'static str,
    message: String,
}

fn cond(type_: &'static str, status: bool, reason: &'static str, message: impl Into<String>) -> Cond {
    Cond {
        type_,
        status,
        reason,
        message: message.into(),
    }
}

/// Merge new condition values into the previous ones: `lastTransitionTime` moves only when the
/// status changes; conditions not mentioned are kept as they were.
fn merge(previous: &[Condition], updates: Vec<Cond>, generation: Option<i64>, now: Timestamp) -> Vec<Condition> {
    let mut out: Vec<Condition> = Vec::new();
    for type_ in r::CONDITION_TYPES {
        let old = previous.iter().find(|c| c.type_ == type_);
        match updates.iter().find(|u| u.type_ == type_) {
            Some(u) => {
                let status = if u.status { "True" } else { "False" };
                let last_transition_time = match old {
                    Some(o) if o.status == status => o.last_transition_time.clone(),
                    _ => Time(now),
                };
                out.push(Condition {
                    type_: type_.to_string(),
                    status: status.to_string(),
                    reason: u.reason.to_string(),
                    message: u.message.clone(),
                    observed_generation: generation,
                    last_transition_time,
                });
            }
            None => {
                if let Some(o) = old {
                    out.push(o.clone());
                }
            }
        }
    }
    out
}

/// Status of a reconcile that got as far as applying; pure.
pub fn compute(previous: Option<&MissionControlStatus>, obs: &Observation<'_>, now: Timestamp) -> MissionControlStatus {
    let prev_conditions = previous.map(|p| p.conditions.as_slice()).unwrap_or_default();
    let dep_spec_replicas = obs.deployment.and_then(|d| d.spec.replicas);
    let desired = obs.valid.replicas.or(dep_spec_replicas).unwrap_or(0);
    let dep_status = obs.deployment.and_then(|d| d.status.clone()).unwrap_or_default();
    let replicas = dep_status.replicas.unwrap_or(0);
    let ready = dep_status.ready_replicas.unwrap_or(0);
    let updated = dep_status.updated_replicas.unwrap_or(0);
    let dep_generation = obs.deployment.and_then(|d| d.metadata.generation);
    let dep_observed = dep_status.observed_generation;
    let dep_caught_up = match (dep_generation, dep_observed) {
        (Some(g), Some(o)) => o >= g,
        (None, _) => true,
        (Some(_), None) => false,
    };
    let stuck = dep_status.conditions.as_deref().unwrap_or_default().iter().any(|c| {
        c.type_.as_deref() == Some("Progressing")
            && c.status.as_deref() == Some("False")
            && c.reason.as_deref() == Some("ProgressDeadlineExceeded")
    });
    let rolled_out =
        obs.deployment.is_some() && dep_caught_up && updated >= desired && replicas <= desired && ready >= desired;

    let migrations = match &obs.migration {
        Migration::InPod => cond(
            r::MIGRATIONS_COMPLETE,
            true,
            r::MIGRATIONS_RUN_IN_POD,
            "SQLite: each pod runs `mission-control migrate` in an init container before serving",
        ),
        Migration::Running => cond(
            r::MIGRATIONS_COMPLETE,
            false,
            r::MIGRATION_RUNNING,
            format!(
                "The migration Job for {} is running; the rollout waits for it",
                obs.valid.version
            ),
        ),
        Migration::Succeeded => cond(
            r::MIGRATIONS_COMPLETE,
            true,
            r::MIGRATION_SUCCEEDED,
            format!("Migrations for {} completed", obs.valid.version),
        ),
        Migration::Failed(msg) => cond(
            r::MIGRATIONS_COMPLETE,
            false,
            r::MIGRATION_FAILED,
            format!("The migration Job for {} failed: {msg}", obs.valid.version),
        ),
    };
    let progressing = if matches!(obs.migration, Migration::Running) {
        cond(
            r::PROGRESSING,
            true,
            r::MIGRATION_RUNNING,
            "Waiting for the migration Job before rolling out",
        )
    } else if matches!(obs.migration, Migration::Failed(_)) {
        cond(
            r::PROGRESSING,
            false,
            r::MIGRATION_FAILED,
            "The rollout is blocked by a failed migration",
        )
    } else if obs.deployment.is_none() {
        cond(
            r::PROGRESSING,
            true,
            r::DEPLOYMENT_PENDING,
            "The Deployment is being created",
        )
    } else if stuck {
        cond(
            r::PROGRESSING,
            false,
            r::ROLLOUT_STUCK,
            "The Deployment exceeded its progress deadline",
        )
    } else if rolled_out {
        cond(
            r::PROGRESSING,
            false,
            r::ROLLOUT_COMPLETE,
            format!("{updated} of {desired} pods run the current configuration"),
        )
    } else {
        cond(
            r::PROGRESSING,
            true,
            r::ROLLING_OUT,
            format!("{updated} of {desired} pods updated, {ready} ready"),
        )
    };
    let degraded = match &obs.migration {
        Migration::Failed(msg) => cond(
            r::DEGRADED,
            true,
            r::MIGRATION_FAILED,
            format!("Migration failed: {msg}"),
        ),
        _ if stuck => cond(
            r::DEGRADED,
            true,
            r::ROLLOUT_STUCK,
            "The Deployment exceeded its progress deadline",
        ),
        _ => cond(r::DEGRADED, false, r::AS_EXPECTED, "Nothing needs attention"),
    };
    let ready_cond = if let Migration::Failed(_) = obs.migration {
        cond(
            r::READY,
            false,
            r::MIGRATION_FAILED,
            "Migrations failed; the new version is not rolled out",
        )
    } else if obs.deployment.is_none() {
        let reason = if matches!(obs.migration, Migration::Running) {
            r::MIGRATION_RUNNING
        } else {
            r::DEPLOYMENT_PENDING
        };
        cond(r::READY, false, reason, "No pod serves yet")
    } else if desired == 0 {
        cond(r::READY, false, r::SCALED_TO_ZERO, "Scaled to zero replicas")
    } else if rolled_out {
        cond(
            r::READY,
            true,
            r::ALL_REPLICAS_READY,
            format!("{ready} of {desired} pods ready with the current configuration"),
        )
    } else {
        cond(
            r::READY,
            false,
            r::REPLICAS_NOT_READY,
            format!("{ready} of {desired} pods ready with the current configuration"),
        )
    };
    let secrets = cond(
        r::SECRETS_READY,
        true,
        r::SECRETS_RESOLVED,
        "Every referenced Secret resolved",
    );
    let conditions = merge(
        prev_conditions,
        vec![ready_cond, progressing, degraded, secrets, migrations],
        obs.generation,
        now,
    );
    MissionControlStatus {
        observed_generation: obs.generation,
        replicas: Some(replicas),
        ready_replicas: Some(ready),
        updated_replicas: Some(updated),
        selector: Some(names::selector_string(&obs.valid.name)),
        version: Some(obs.valid.version.clone()),
        url: Some(obs.valid.url.clone()),
        config_hash: Some(obs.config_hash.to_string()),
        conditions,
    }
}

/// Status of a resource whose spec or Secrets cannot be used; pure. Other fields stay as they were.
pub fn problem(
    previous: Option<&MissionControlStatus>,
    generation: Option<i64>,
    name: &str,
    invalid: &Invalid,
    now: Timestamp,
) -> MissionControlStatus {
    let mut status = previous.cloned().unwrap_or_default();
    let is_secret = invalid.reason != r::INVALID_SPEC;
    let mut updates = vec![
        cond(r::READY, false, invalid.reason, invalid.message.clone()),
        cond(r::DEGRADED, true, invalid.reason, invalid.message.clone()),
        cond(
            r::PROGRESSING,
            false,
            invalid.reason,
            "Waiting for the resource or its Secrets to change",
        ),
    ];
    if is_secret {
        updates.push(cond(r::SECRETS_READY, false, invalid.reason, invalid.message.clone()));
    }
    status.conditions = merge(&status.conditions, updates, generation, now);
    status.observed_generation = generation;
    status.selector = Some(names::selector_string(name));
    status
}

/// Status while the pause annotation is set; pure.
pub fn paused(
    previous: Option<&MissionControlStatus>,
    generation: Option<i64>,
    name: &str,
    now: Timestamp,
) -> MissionControlStatus {
    let mut status = previous.cloned().unwrap_or_default();
    let updates = vec![cond(
        r::PROGRESSING,
        false,
        r::PAUSED,
        format!(
            "Reconciling is paused: remove the {} annotation to resume",
            names::PAUSED_ANNOTATION
        ),
    )];
    status.conditions = merge(&status.conditions, updates, generation, now);
    status.observed_generation = generation;
    status.selector = Some(names::selector_string(name));
    status
}

/// A condition change worth an Event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// Condition type.
    pub type_: String,
    /// New status.
    pub status: String,
    /// New reason.
    pub reason: String,
    /// New message.
    pub message: String,
    /// Whether it is bad news.
    pub warning: bool,
}

/// Conditions whose status or reason changed between two statuses; pure.
pub fn transitions(previous: Option<&MissionControlStatus>, next: &MissionControlStatus) -> Vec<Transition> {
    let prev = previous.map(|p| p.conditions.as_slice()).unwrap_or_default();
    next.conditions
        .iter()
        .filter(|c| {
            prev.iter()
                .find(|p| p.type_ == c.type_)
                .is_none_or(|p| p.status != c.status || p.reason != c.reason)
        })
        .map(|c| Transition {
            type_: c.type_.clone(),
            status: c.status.clone(),
            reason: c.reason.clone(),
            message: c.message.clone(),
            warning: if c.type_ == r::DEGRADED {
                c.status == "True"
            } else {
                c.status == "False"
                    && c.type_ != r::PROGRESSING
                    && c.reason != r::SCALED_TO_ZERO
                    && c.reason != r::MIGRATION_RUNNING
                    && c.reason != r::DEPLOYMENT_PENDING
                    && c.reason != r::REPLICAS_NOT_READY
            },
        })
        .collect()
}

/// Patch the status (only when it changed) and publish Events for the transitions.
///
/// # Errors
/// API errors of the status patch; Event failures are logged, not returned.
pub async fn write(ctx: &Context, mc: &MissionControl, next: MissionControlStatus) -> Result<(), Error> {
    let previous = mc.status.as_ref();
    if previous == Some(&next) {
        return Ok(());
    }
    let namespace = mc.namespace().unwrap_or_default();
    let api: Api<MissionControl> = Api::namespaced(ctx.client.clone(), &namespace);
    let patch = json!({
        "apiVersion": "mission-control.dev/v1alpha1",
        "kind": "MissionControl",
        "status": next,
    });
    api.patch_status(&mc.name_any(), &PatchParams::default(), &Patch::Merge(&patch))
        .await?;
    // One Event per reason: conditions that change together for one cause make one Event.
    let mut seen = std::collections::BTreeSet::new();
    for t in transitions(previous, &next) {
        if !seen.insert(t.reason.clone()) {
            continue;
        }
        let event = Event {
            type_: if t.warning {
                EventType::Warning
            } else {
                EventType::Normal
            },
            reason: t.reason.clone(),
            note: Some(format!("{} is {}: {}", t.type_, t.status, t.message)),
            action: "Reconcile".into(),
            secondary: None,
        };
        if let Err(e) = ctx.recorder.publish(&event, &mc.object_ref(&())).await {
            tracing::warn!(error = %e, reason = %t.reason, "could not publish event");
        }
    }
    Ok(())
}
