//! The HorizontalPodAutoscaler (CPU utilisation), when enabled.

use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, MetricSpec, MetricTarget,
    ResourceMetricSource,
};

use crate::crd::MissionControl;
use crate::names::Names;
use crate::reconcile::build::meta;
use crate::reconcile::validate::Valid;

pub(super) fn hpa(mc: &MissionControl, valid: &Valid) -> Option<HorizontalPodAutoscaler> {
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
