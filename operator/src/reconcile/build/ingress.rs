//! The Ingress, when enabled and given a host.

use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule, IngressServiceBackend,
    IngressSpec as K8sIngressSpec, IngressTLS, ServiceBackendPort,
};

use crate::crd::MissionControl;
use crate::names::Names;
use crate::reconcile::build::meta;
use crate::reconcile::validate::Valid;

pub(super) fn ingress(mc: &MissionControl, valid: &Valid) -> Option<Ingress> {
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
