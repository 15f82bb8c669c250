//! The PersistentVolumeClaim holding embedded SQLite's data.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{PersistentVolumeClaim, PersistentVolumeClaimSpec, VolumeResourceRequirements};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use crate::crd::MissionControl;
use crate::names::Names;
use crate::reconcile::build::meta;
use crate::reconcile::validate::Valid;

pub(super) fn data_claim(mc: &MissionControl, valid: &Valid) -> PersistentVolumeClaim {
    let storage = mc.spec.storage.clone().unwrap_or_default();
    PersistentVolumeClaim {
        metadata: meta(mc, valid, Names(&valid.name).data_claim()),
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteOnce".into()]),
            storage_class_name: storage.storage_class_name,
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([("storage".to_string(), Quantity(storage.size))])),
                ..VolumeResourceRequirements::default()
            }),
            ..PersistentVolumeClaimSpec::default()
        }),
        ..PersistentVolumeClaim::default()
    }
}
