use k8s_openapi::api::apps::v1::{Deployment, DeploymentCondition, DeploymentStatus};
use k8s_openapi::jiff::Timestamp;
use mission_control_operator::crd::MissionControlStatus;
use mission_control_operator::reconcile::reasons;
use mission_control_operator::reconcile::status::{self, Migration, Observation};
use mission_control_operator::reconcile::validate::{self, Invalid, Valid};

use crate::support::{fixture, snapshot, to_yaml};

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn deployment(generation: i64, observed: i64, replicas: i32, updated: i32, ready: i32) -> Deployment {
    let mut d = Deployment::default();
    d.metadata.generation = Some(generation);
    d.spec.replicas = Some(3);
    d.status = Some(DeploymentStatus {
        observed_generation: Some(observed),
        replicas: Some(replicas),
        updated_replicas: Some(updated),
        ready_replicas: Some(ready),
        ..DeploymentStatus::default()
    });
    d
}

fn valid() -> Valid {
    validate::spec(&fixture("postgres-redis-multi").mc).unwrap()
}

fn summary(s: &MissionControlStatus) -> Vec<String> {
    s.conditions
        .iter()
        .map(|c| format!("{}={} {}", c.type_, c.status, c.reason))
        .collect()
}

fn compute(
    prev: Option<&MissionControlStatus>,
    d: Option<&Deployment>,
    m: Migration,
    now: &str,
) -> MissionControlStatus {
    let v = valid();
    let obs = Observation {
        generation: Some(4),
        valid: &v,
        config_hash: "abc",
        deployment: d,
        migration: m,
    };
    status::compute(prev, &obs, t(now))
}

#[test]
fn a_running_migration_gates_the_rollout() {
    let s = compute(None, None, Migration::Running, "2026-01-01T00:00:00Z");
    assert_eq!(
        summary(&s),
        [
            "Ready=False MigrationRunning",
            "Progressing=True MigrationRunning",
            "Degraded=False AsExpected",
            "SecretsReady=True SecretsResolved",
            "MigrationsComplete=False MigrationRunning",
        ]
    );
}

#[test]
fn a_finished_rollout_is_ready_and_the_full_status_matches_the_snapshot() {
    let d = deployment(2, 2, 3, 3, 3);
    let s = compute(None, Some(&d), Migration::Succeeded, "2026-01-01T00:00:00Z");
    snapshot("status-ready.yaml", &to_yaml(&s));
    assert_eq!(
        s.selector.as_deref(),
        Some("app.kubernetes.io/instance=fleet,app.kubernetes.io/name=mission-control")
    );
    assert_eq!(
        (s.replicas, s.ready_replicas, s.observed_generation),
        (Some(3), Some(3), Some(4))
    );
}

#[test]
fn a_rollout_in_progress_is_progressing_and_not_ready() {
    let d = deployment(3, 3, 4, 1, 3);
    let s = compute(None, Some(&d), Migration::Succeeded, "2026-01-01T00:00:00Z");
    assert_eq!(
        &summary(&s)[..3],
        [
            "Ready=False ReplicasNotReady",
            "Progressing=True RollingOut",
            "Degraded=False AsExpected"
        ]
    );
}

#[test]
fn a_failed_migration_degrades_and_a_stuck_rollout_is_reported() {
    let s = compute(
        None,
        None,
        Migration::Failed("BackoffLimitExceeded".into()),
        "2026-01-01T00:00:00Z",
    );
    assert_eq!(
        &summary(&s)[..3],
        [
            "Ready=False MigrationFailed",
            "Progressing=False MigrationFailed",
            "Degraded=True MigrationFailed"
        ]
    );

    let mut d = deployment(2, 2, 3, 1, 1);
    d.status.as_mut().unwrap().conditions = Some(vec![DeploymentCondition {
        type_: Some("Progressing".into()),
        status: Some("False".into()),
        reason: Some("ProgressDeadlineExceeded".into()),
        ..DeploymentCondition::default()
    }]);
    let s = compute(None, Some(&d), Migration::Succeeded, "2026-01-01T00:00:00Z");
    assert_eq!(
        &summary(&s)[1..3],
        ["Progressing=False RolloutStuck", "Degraded=True RolloutStuck"]
    );
}

#[test]
fn last_transition_time_moves_only_when_the_status_changes() {
    let rolling = deployment(2, 2, 3, 1, 1);
    let first = compute(None, Some(&rolling), Migration::Succeeded, "2026-01-01T00:00:00Z");
    let again = compute(
        Some(&first),
        Some(&rolling),
        Migration::Succeeded,
        "2026-01-01T00:05:00Z",
    );
    assert_eq!(first.conditions, again.conditions);

    let done = deployment(2, 2, 3, 3, 3);
    let later = compute(Some(&again), Some(&done), Migration::Succeeded, "2026-01-01T00:10:00Z");
    let ready = later.conditions.iter().find(|c| c.type_ == reasons::READY).unwrap();
    assert_eq!(ready.last_transition_time.0, t("2026-01-01T00:10:00Z"));
    let degraded = later.conditions.iter().find(|c| c.type_ == reasons::DEGRADED).unwrap();
    assert_eq!(degraded.last_transition_time.0, t("2026-01-01T00:00:00Z"));
    assert!(later.conditions.iter().all(|c| c.observed_generation == Some(4)));
}

#[test]
fn an_invalid_spec_sets_ready_false_and_degraded_true_and_keeps_other_fields() {
    let done = deployment(2, 2, 3, 3, 3);
    let before = compute(None, Some(&done), Migration::Succeeded, "2026-01-01T00:00:00Z");
    let invalid = Invalid {
        reason: reasons::INVALID_SPEC,
        message: "spec.replicas = 3 needs spec.database".into(),
    };
    let s = status::problem(Some(&before), Some(5), "fleet", &invalid, t("2026-01-01T01:00:00Z"));
    assert_eq!(
        summary(&s),
        [
            "Ready=False InvalidSpec",
            "Progressing=False InvalidSpec",
            "Degraded=True InvalidSpec",
            "SecretsReady=True SecretsResolved",
            "MigrationsComplete=True MigrationSucceeded",
        ]
    );
    assert_eq!((s.observed_generation, s.ready_replicas), (Some(5), Some(3)));
    let events = status::transitions(Some(&before), &s);
    let reasons: Vec<(&str, bool)> = events.iter().map(|e| (e.type_.as_str(), e.warning)).collect();
    assert_eq!(reasons, [("Ready", true), ("Progressing", false), ("Degraded", true)]);
}

#[test]
fn a_missing_secret_sets_secrets_ready_false() {
    let invalid = Invalid {
        reason: reasons::SECRET_NOT_FOUND,
        message: "Secret prod/mc-db does not exist".into(),
    };
    let s = status::problem(None, Some(1), "fleet", &invalid, t("2026-01-01T00:00:00Z"));
    assert_eq!(
        summary(&s),
        [
            "Ready=False SecretNotFound",
            "Progressing=False SecretNotFound",
            "Degraded=True SecretNotFound",
            "SecretsReady=False SecretNotFound",
        ]
    );
}

#[test]
fn pausing_says_so_in_progressing() {
    let s = status::paused(None, Some(2), "fleet", t("2026-01-01T00:00:00Z"));
    assert_eq!(summary(&s), ["Progressing=False Paused"]);
    assert!(s.conditions[0].message.contains("mission-control.dev/paused"));
}

#[test]
fn no_transition_no_event() {
    let d = deployment(2, 2, 3, 3, 3);
    let s = compute(None, Some(&d), Migration::Succeeded, "2026-01-01T00:00:00Z");
    assert_eq!(status::transitions(None, &s).len(), 5);
    assert!(status::transitions(Some(&s), &s).is_empty());
}
