//! The PodDisruptionBudget, when enabled.

use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::crd::MissionControl;
use crate::names::Names;
use crate::reconcile::build::{meta, selector};
use crate::reconcile::validate::Valid;

pub(super) fn pdb(mc: &MissionControl, valid: &Valid, max_unavailable: i32) -> PodDisruptionBudget {
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
