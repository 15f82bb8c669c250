//! The readiness-gate decision for one pod: pure. `apply::readiness_gates` lists the pods,
//! probes `/readyz` when [`gate`] asks for it and writes the condition it returns.

use k8s_openapi::api::core::v1::Pod;
use kube::ResourceExt;

use crate::names;

/// What the decision needs to know about a pod, read from its spec, metadata and status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodFacts<'a> {
    /// The pod declares the `mission-control.dev/ready` readiness gate.
    pub gated: bool,
    /// The pod is being deleted.
    pub deleting: bool,
    /// The config hash the pod was created with (pod-template annotation).
    pub config_hash: Option<&'a str>,
    /// The `ContainersReady` condition is True.
    pub containers_ready: bool,
    /// The pod's IP, once it has one.
    pub pod_ip: Option<&'a str>,
    /// The gate condition's current status (`"True"`/`"False"`), when set.
    pub current: Option<&'a str>,
}

impl<'a> PodFacts<'a> {
    /// Reads the facts off `pod`.
    pub fn of(pod: &'a Pod) -> Self {
        let conditions = pod
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_deref())
            .unwrap_or_default();
        Self {
            gated: pod
                .spec
                .as_ref()
                .and_then(|s| s.readiness_gates.as_ref())
                .is_some_and(|g| g.iter().any(|g| g.condition_type == names::READINESS_GATE)),
            deleting: pod.metadata.deletion_timestamp.is_some(),
            config_hash: pod.annotations().get(names::CONFIG_HASH_ANNOTATION).map(String::as_str),
            containers_ready: conditions
                .iter()
                .any(|c| c.type_ == "ContainersReady" && c.status == "True"),
            pod_ip: pod.status.as_ref().and_then(|s| s.pod_ip.as_deref()),
            current: conditions
                .iter()
                .find(|c| c.type_ == names::READINESS_GATE)
                .map(|c| c.status.as_str()),
        }
    }
}

/// The gate condition a pod should carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateCondition {
    pub ready: bool,
    /// CamelCase reason.
    pub reason: &'static str,
    /// A human sentence.
    pub message: String,
}

impl GateCondition {
    fn not_ready(reason: &'static str, message: impl Into<String>) -> Self {
        Self {
            ready: false,
            reason,
            message: message.into(),
        }
    }

    /// The condition's `status` field.
    pub fn status(&self) -> &'static str {
        if self.ready { "True" } else { "False" }
    }
}

/// The outcome of [`gate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate<'a> {
    /// Not a gated pod, or one being deleted: leave it alone.
    Skip,
    /// Everything else holds: ask the pod's own `/readyz` at this IP, then decide again with
    /// the answer.
    ProbeReadyz { ip: &'a str },
    /// The condition to hold; `patch` when the pod's current status differs.
    Set { condition: GateCondition, patch: bool },
}

/// Decides the gate of one pod: True only when the pod runs `desired_hash`, its containers are
/// ready and its own `/readyz` answered 200. `readyz` is the probe's answer (`None` before
/// probing; `Err` carries why it failed).
pub fn gate<'a>(pod: &PodFacts<'a>, desired_hash: &str, readyz: Option<&Result<(), String>>) -> Gate<'a> {
    if !pod.gated || pod.deleting {
        return Gate::Skip;
    }
    let condition = if pod.config_hash != Some(desired_hash) {
        GateCondition::not_ready("StaleConfiguration", "The pod runs an outdated configuration hash")
    } else if !pod.containers_ready {
        GateCondition::not_ready("ContainersNotReady", "The containers are not ready yet")
    } else {
        match (pod.pod_ip, readyz) {
            (None, _) => GateCondition::not_ready("NoPodIP", "The pod has no IP yet"),
            (Some(ip), None) => return Gate::ProbeReadyz { ip },
            (Some(_), Some(Ok(()))) => GateCondition {
                ready: true,
                reason: "ReadyzOk",
                message: "GET /readyz answered 200".to_string(),
            },
            (Some(_), Some(Err(why))) => GateCondition::not_ready("ReadyzFailed", why.clone()),
        }
    };
    let patch = pod.current != Some(condition.status());
    Gate::Set { condition, patch }
}
