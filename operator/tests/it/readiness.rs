//! The readiness-gate decision, branch by branch, and the facts it reads off a pod.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, PodCondition, PodReadinessGate, PodSpec, PodStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use mission_control_operator::names;
use mission_control_operator::reconcile::readiness::{Gate, GateCondition, PodFacts, gate};

const HASH: &str = "abc123";

/// A gated, live pod on the current hash with ready containers and an IP, gate not yet set.
fn ready_pod() -> PodFacts<'static> {
    PodFacts {
        gated: true,
        deleting: false,
        config_hash: Some(HASH),
        containers_ready: true,
        pod_ip: Some("10.0.0.7"),
        current: None,
    }
}

fn set(ready: bool, reason: &'static str, message: &str, patch: bool) -> Gate<'static> {
    Gate::Set {
        condition: GateCondition {
            ready,
            reason,
            message: message.to_string(),
        },
        patch,
    }
}

#[test]
fn a_pod_without_the_gate_is_left_alone() {
    let pod = PodFacts {
        gated: false,
        ..ready_pod()
    };
    assert_eq!(gate(&pod, HASH, None), Gate::Skip);
}

#[test]
fn a_pod_being_deleted_is_left_alone() {
    let pod = PodFacts {
        deleting: true,
        ..ready_pod()
    };
    assert_eq!(gate(&pod, HASH, Some(&Ok(()))), Gate::Skip);
}

#[test]
fn a_pod_on_another_hash_is_stale() {
    let stale = set(
        false,
        "StaleConfiguration",
        "The pod runs an outdated configuration hash",
        true,
    );
    let other = PodFacts {
        config_hash: Some("old"),
        ..ready_pod()
    };
    assert_eq!(gate(&other, HASH, Some(&Ok(()))), stale);
    let unannotated = PodFacts {
        config_hash: None,
        ..ready_pod()
    };
    assert_eq!(gate(&unannotated, HASH, None), stale);
}

#[test]
fn a_pod_whose_containers_are_not_ready_is_not_ready() {
    let pod = PodFacts {
        containers_ready: false,
        ..ready_pod()
    };
    assert_eq!(
        gate(&pod, HASH, None),
        set(false, "ContainersNotReady", "The containers are not ready yet", true)
    );
}

#[test]
fn a_pod_without_an_ip_is_not_ready() {
    let pod = PodFacts {
        pod_ip: None,
        ..ready_pod()
    };
    assert_eq!(
        gate(&pod, HASH, None),
        set(false, "NoPodIP", "The pod has no IP yet", true)
    );
}

#[test]
fn an_otherwise_ready_pod_is_probed_at_its_ip() {
    assert_eq!(gate(&ready_pod(), HASH, None), Gate::ProbeReadyz { ip: "10.0.0.7" });
}

#[test]
fn readyz_answering_200_gates_the_pod_true() {
    assert_eq!(
        gate(&ready_pod(), HASH, Some(&Ok(()))),
        set(true, "ReadyzOk", "GET /readyz answered 200", true)
    );
}

#[test]
fn a_failed_readyz_gates_the_pod_false_with_the_probes_words() {
    let answer = Err("GET /readyz answered 503".to_string());
    assert_eq!(
        gate(&ready_pod(), HASH, Some(&answer)),
        set(false, "ReadyzFailed", "GET /readyz answered 503", true)
    );
}

#[test]
fn an_unchanged_status_is_not_patched_again() {
    let already_true = PodFacts {
        current: Some("True"),
        ..ready_pod()
    };
    assert_eq!(
        gate(&already_true, HASH, Some(&Ok(()))),
        set(true, "ReadyzOk", "GET /readyz answered 200", false)
    );
    let already_false = PodFacts {
        current: Some("False"),
        containers_ready: false,
        ..ready_pod()
    };
    assert_eq!(
        gate(&already_false, HASH, None),
        set(false, "ContainersNotReady", "The containers are not ready yet", false)
    );
    let was_true = PodFacts {
        current: Some("True"),
        pod_ip: None,
        ..ready_pod()
    };
    assert_eq!(
        gate(&was_true, HASH, None),
        set(false, "NoPodIP", "The pod has no IP yet", true)
    );
}

fn condition(type_: &str, status: &str) -> PodCondition {
    PodCondition {
        type_: type_.into(),
        status: status.into(),
        ..PodCondition::default()
    }
}

#[test]
fn the_facts_are_read_off_the_pod() {
    let mut pod = Pod {
        spec: Some(PodSpec {
            readiness_gates: Some(vec![PodReadinessGate {
                condition_type: names::READINESS_GATE.into(),
            }]),
            ..PodSpec::default()
        }),
        status: Some(PodStatus {
            pod_ip: Some("10.0.0.7".into()),
            conditions: Some(vec![
                condition("ContainersReady", "True"),
                condition(names::READINESS_GATE, "False"),
            ]),
            ..PodStatus::default()
        }),
        ..Pod::default()
    };
    pod.metadata.annotations = Some(BTreeMap::from([(
        names::CONFIG_HASH_ANNOTATION.to_string(),
        HASH.to_string(),
    )]));
    assert_eq!(
        PodFacts::of(&pod),
        PodFacts {
            current: Some("False"),
            ..ready_pod()
        }
    );

    pod.metadata.deletion_timestamp = Some(Time("2026-01-01T00:00:00Z".parse().unwrap()));
    assert!(PodFacts::of(&pod).deleting);

    let bare = Pod::default();
    assert_eq!(
        PodFacts::of(&bare),
        PodFacts {
            gated: false,
            deleting: false,
            config_hash: None,
            containers_ready: false,
            pod_ip: None,
            current: None,
        }
    );
}
