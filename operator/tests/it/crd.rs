use kube::CustomResourceExt;
use mission_control_operator::crd::{MissionControl, crd_yaml};

use crate::support::manifest_dir;

#[test]
fn k8s_crd_yaml_is_the_generated_crd() {
    let path = manifest_dir().join("../k8s/crd.yaml");
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(
        committed == crd_yaml().unwrap(),
        "k8s/crd.yaml is stale: run `cargo run -p mission-control-operator -- crd > k8s/crd.yaml`"
    );
}

#[test]
fn the_crd_has_scale_status_short_name_and_printer_columns() {
    let crd = MissionControl::crd();
    assert_eq!(
        crd.metadata.name.as_deref(),
        Some("missioncontrols.mission-control.dev")
    );
    assert_eq!(crd.spec.names.short_names, Some(vec!["mc".to_string()]));
    assert_eq!(crd.spec.scope, "Namespaced");
    let version = &crd.spec.versions[0];
    assert_eq!(version.name, "v1alpha1");
    let sub = version.subresources.as_ref().unwrap();
    assert!(sub.status.is_some());
    let scale = sub.scale.as_ref().unwrap();
    assert_eq!(scale.spec_replicas_path, ".spec.replicas");
    assert_eq!(scale.status_replicas_path, ".status.replicas");
    assert_eq!(scale.label_selector_path.as_deref(), Some(".status.selector"));
    let columns: Vec<&str> = version
        .additional_printer_columns
        .as_ref()
        .unwrap()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(columns, ["Desired", "Ready", "Version", "Status", "Age"]);
}

#[test]
fn the_schema_bounds_numbers_and_carries_the_cross_field_cel_rules() {
    let json = serde_json::to_value(MissionControl::crd()).unwrap();
    let spec = &json["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"];
    assert_eq!(spec["properties"]["replicas"]["minimum"], 0.0);
    assert_eq!(spec["properties"]["replicas"]["maximum"], 100.0);
    assert_eq!(spec["properties"]["shutdownDrainSeconds"]["maximum"], 300.0);
    assert_eq!(
        spec["properties"]["telemetry"]["properties"]["samplerArg"]["maximum"],
        1.0
    );
    let rules: Vec<&str> = spec["x-kubernetes-validations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"self.replicas <= 1 || (has(self.database) && has(self.redis))"),
        "{rules:?}"
    );
    assert!(
        rules.iter().any(|r| r.contains("self.auth.mode != 'Clerk'")),
        "{rules:?}"
    );
}
