//! Fixtures and snapshot files.

use std::collections::BTreeMap;
use std::path::PathBuf;

use k8s_openapi::api::core::v1::Secret;
use mission_control_operator::crd::MissionControl;
use serde::Deserialize;

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture: the `MissionControl` and the Secrets that exist next to it.
pub struct Fixture {
    pub mc: MissionControl,
    pub secrets: BTreeMap<String, Secret>,
}

pub fn fixture(name: &str) -> Fixture {
    let path = manifest_dir().join("tests/fixtures").join(format!("{name}.yaml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut mc = None;
    let mut secrets = BTreeMap::new();
    for doc in serde_yaml::Deserializer::from_str(&text) {
        let value = serde_yaml::Value::deserialize(doc).unwrap();
        match value.get("kind").and_then(|k| k.as_str()) {
            Some("MissionControl") => mc = Some(serde_yaml::from_value(value).unwrap()),
            Some("Secret") => {
                let s: Secret = serde_yaml::from_value(value).unwrap();
                secrets.insert(s.metadata.name.clone().unwrap(), s);
            }
            other => panic!("unexpected kind {other:?} in {name}"),
        }
    }
    Fixture {
        mc: mc.expect("fixture has a MissionControl"),
        secrets,
    }
}

/// Compare `actual` with `tests/snapshots/<name>`; `UPDATE_SNAPSHOTS=1` rewrites it.
#[allow(
    clippy::disallowed_methods,
    reason = "UPDATE_SNAPSHOTS is a switch for the person running the tests"
)]
pub fn snapshot(name: &str, actual: &str) {
    let path = manifest_dir().join("tests/snapshots").join(name);
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "snapshot {} is missing; run with UPDATE_SNAPSHOTS=1 and review it",
            path.display()
        )
    });
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .filter(|(_, (e, a))| e != a)
            .take(10)
            .map(|(i, (e, a))| format!("line {}:\n  - {e}\n  + {a}", i + 1))
            .collect();
        panic!(
            "snapshot {} differs ({} vs {} lines); first differences:\n{}\nrun with UPDATE_SNAPSHOTS=1 to accept",
            path.display(),
            expected.lines().count(),
            actual.lines().count(),
            diff.join("\n")
        );
    }
}

pub fn to_yaml<T: serde::Serialize>(value: &T) -> String {
    serde_yaml::to_string(value).unwrap()
}
