//! The ClusterIP Service in front of the pods.

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::crd::MissionControl;
use crate::names::{self, Names};
use crate::reconcile::build::meta;
use crate::reconcile::validate::Valid;

pub(super) fn service(mc: &MissionControl, valid: &Valid) -> Service {
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
