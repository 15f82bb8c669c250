//! The CRD's CEL rules (`x-kubernetes-validations`), evaluated by a CEL interpreter the way
//! the API server would: on the stored object (schema defaults applied), each rule with
//! `self` bound to the object it sits on, skipped when that object is absent. The operator's
//! own `validate::spec` must agree with them on every case.

use cel_interpreter::{Context, Program, Value};
use kube::CustomResourceExt;
use mission_control_operator::crd::MissionControl;
use mission_control_operator::reconcile::{reasons, validate};
use serde::Deserialize;
use serde_json::{Value as Json, json};

use crate::support::manifest_dir;

/// Every rule in the CRD's spec schema, with the path (under `spec`) of the object it is on.
fn rules() -> Vec<(Vec<String>, String)> {
    fn walk(schema: &Json, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, String)>) {
        for rule in schema["x-kubernetes-validations"].as_array().into_iter().flatten() {
            out.push((path.clone(), rule["rule"].as_str().unwrap().to_owned()));
        }
        for (key, sub) in schema["properties"].as_object().into_iter().flatten() {
            path.push(key.clone());
            walk(sub, path, out);
            path.pop();
        }
        assert!(
            schema["items"]["x-kubernetes-validations"].is_null(),
            "rules inside arrays are not evaluated by this test"
        );
    }
    let mut out = Vec::new();
    walk(&spec_schema(), &mut Vec::new(), &mut out);
    out
}

fn spec_schema() -> Json {
    let crd = serde_json::to_value(MissionControl::crd()).unwrap();
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"].clone()
}

/// Fills absent fields that have a schema default, as the API server does before validating.
fn apply_defaults(schema: &Json, value: &mut Json) {
    let Some(object) = value.as_object_mut() else { return };
    for (key, sub) in schema["properties"].as_object().into_iter().flatten() {
        match object.get_mut(key) {
            Some(child) => apply_defaults(sub, child),
            None => {
                if let Some(default) = sub.get("default") {
                    let mut child = default.clone();
                    apply_defaults(sub, &mut child);
                    object.insert(key.clone(), child);
                }
            }
        }
    }
}

/// The rules that evaluate to false on `spec` (an error evaluating one is a test failure).
fn failing_rules(spec: &Json) -> Vec<String> {
    let mut spec = spec.clone();
    apply_defaults(&spec_schema(), &mut spec);
    let mut failing = Vec::new();
    for (path, rule) in rules() {
        let Some(target) = path.iter().try_fold(&spec, |v, key| v.get(key)) else {
            continue;
        };
        let program = Program::compile(&rule).unwrap_or_else(|e| panic!("rule {rule:?} does not parse: {e:?}"));
        let mut context = Context::default();
        context
            .add_variable("self", cel_interpreter::to_value(target).unwrap())
            .unwrap();
        match program.execute(&context) {
            Ok(Value::Bool(true)) => {}
            Ok(Value::Bool(false)) => failing.push(rule),
            other => panic!("rule {rule:?} on {target}: {other:?}"),
        }
    }
    failing
}

/// A fixture's MissionControl as it was written (no Rust defaults applied).
fn raw_fixture(name: &str) -> Json {
    let path = manifest_dir().join("tests/fixtures").join(format!("{name}.yaml"));
    let text = std::fs::read_to_string(&path).unwrap();
    serde_yaml::Deserializer::from_str(&text)
        .map(|doc| serde_yaml::Value::deserialize(doc).unwrap())
        .find(|doc| doc.get("kind").and_then(|k| k.as_str()) == Some("MissionControl"))
        .map(|doc| serde_json::to_value(doc).unwrap())
        .unwrap()
}

fn operator_verdict(resource: &Json) -> Result<(), String> {
    let mc: MissionControl = serde_json::from_value(resource.clone()).unwrap();
    validate::spec(&mc).map(|_| ()).map_err(|e| {
        assert_eq!(e.reason, reasons::INVALID_SPEC);
        e.message
    })
}

const FIXTURES: [&str; 5] = ["sqlite-single", "postgres-redis-multi", "clerk", "hpa", "ingress"];

#[test]
fn the_crd_carries_the_rules_this_test_evaluates() {
    let found: Vec<String> = rules()
        .into_iter()
        .map(|(path, rule)| format!("{}: {rule}", path.join(".")))
        .collect();
    assert_eq!(found.len(), 5, "{found:#?}");
}

#[test]
fn every_fixture_passes_the_cel_rules_and_the_operator() {
    for name in FIXTURES {
        let resource = raw_fixture(name);
        assert_eq!(failing_rules(&resource["spec"]), Vec::<String>::new(), "{name}");
        operator_verdict(&resource).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn each_cross_field_rule_refuses_what_the_operator_refuses() {
    type Mutation = fn(&mut Json);
    let cases: [(&str, Mutation, &str); 5] = [
        ("sqlite-single", |s| s["replicas"] = json!(3), "self.replicas <= 1"),
        (
            "hpa",
            |s| {
                // One replica, so only the autoscaling rule speaks.
                s["replicas"] = json!(1);
                s.as_object_mut().unwrap().remove("redis");
            },
            "!has(self.autoscaling)",
        ),
        (
            "sqlite-single",
            |s| s["auth"] = json!({"mode": "Clerk"}),
            "self.auth.mode != 'Clerk'",
        ),
        (
            "ingress",
            |s| {
                s["ingress"].as_object_mut().unwrap().remove("host");
            },
            "!has(self.ingress)",
        ),
        (
            "hpa",
            |s| s["autoscaling"]["maxReplicas"] = json!(1),
            "self.maxReplicas >= self.minReplicas",
        ),
    ];
    for (name, mutate, rule) in cases {
        let mut resource = raw_fixture(name);
        mutate(&mut resource["spec"]);
        let failing = failing_rules(&resource["spec"]);
        assert!(
            failing.len() == 1 && failing[0].starts_with(rule),
            "{name} / {rule}: CEL refused {failing:?}"
        );
        assert!(
            operator_verdict(&resource).is_err(),
            "{name} / {rule}: the operator accepted what the API server refuses"
        );
    }
}

#[test]
fn what_the_rules_allow_the_operator_allows() {
    type Mutation = fn(&mut Json);
    let cases: [(&str, Mutation); 4] = [
        // More replicas with a database and Redis.
        ("postgres-redis-multi", |s| s["replicas"] = json!(7)),
        // A disabled Ingress needs no host.
        ("ingress", |s| {
            s["ingress"] = json!({"enabled": false});
        }),
        // Autoscaling switched off needs neither database nor Redis.
        ("sqlite-single", |s| {
            s["autoscaling"] = json!({"enabled": false, "minReplicas": 1, "maxReplicas": 1});
        }),
        // Zero replicas (paused) on SQLite.
        ("sqlite-single", |s| s["replicas"] = json!(0)),
    ];
    for (name, mutate) in cases {
        let mut resource = raw_fixture(name);
        mutate(&mut resource["spec"]);
        assert_eq!(
            failing_rules(&resource["spec"]),
            Vec::<String>::new(),
            "{name}: {}",
            resource["spec"]
        );
        operator_verdict(&resource).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}
