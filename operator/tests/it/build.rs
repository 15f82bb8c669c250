use std::collections::BTreeMap;

use mission_control_operator::reconcile::apply::generate_token;
use mission_control_operator::reconcile::build::{self, Desired};
use mission_control_operator::reconcile::validate::{self, SecretValues, Valid};

use crate::support::{Fixture, fixture, snapshot, to_yaml};

fn resolve(f: &Fixture) -> (Valid, SecretValues) {
    let valid = validate::spec(&f.mc).unwrap();
    let secrets: BTreeMap<_, _> = f.secrets.iter().map(|(k, s)| (k.clone(), Some(s.clone()))).collect();
    let token = f.secrets.get(&format!("{}-auth-token", valid.name));
    let values = validate::secrets(&valid, &secrets, token).unwrap();
    (valid, values)
}

fn render(name: &str) -> (Desired, String) {
    let f = fixture(name);
    let (valid, values) = resolve(&f);
    let d = build::desired(&f.mc, &valid, &values);
    let mut docs = vec![to_yaml(&d.config_map), to_yaml(&d.service), to_yaml(&d.deployment)];
    docs.extend(d.data_claim.iter().map(to_yaml));
    docs.extend(d.migration_job.iter().map(to_yaml));
    docs.extend(d.pdb.iter().map(to_yaml));
    docs.extend(d.hpa.iter().map(to_yaml));
    docs.extend(d.ingress.iter().map(to_yaml));
    let env = build::rendered_env(&f.mc, &valid, &values);
    docs.push(to_yaml(&env));
    (d, docs.join("---\n"))
}

#[test]
fn single_replica_sqlite_renders_a_pvc_an_init_migration_and_no_pdb() {
    let (d, yaml) = render("sqlite-single");
    snapshot("sqlite-single.yaml", &yaml);
    assert!(d.data_claim.is_some() && d.migration_job.is_none() && d.pdb.is_none() && d.hpa.is_none());
    let pod = d.deployment.spec.template.spec.as_ref().unwrap();
    assert_eq!(
        pod.init_containers.as_ref().unwrap()[0].command.as_ref().unwrap(),
        &["mission-control", "migrate"]
    );
    assert_eq!(
        d.deployment.spec.strategy.as_ref().unwrap().type_.as_deref(),
        Some("Recreate")
    );
    assert_eq!(
        d.config_map.data.as_ref().unwrap()["DATABASE_URL"],
        "sqlite:///var/lib/mission-control/mission-control.db"
    );
}

#[test]
fn multi_replica_postgres_and_redis_renders_a_migration_job_a_pdb_and_the_redis_backend() {
    let (d, yaml) = render("postgres-redis-multi");
    snapshot("postgres-redis-multi.yaml", &yaml);
    assert!(d.data_claim.is_none());
    let job = d.migration_job.as_ref().unwrap();
    assert!(job.metadata.name.as_ref().unwrap().starts_with("fleet-migrate-"));
    assert_eq!(d.deployment.spec.replicas, Some(3));
    assert_eq!(d.config_map.data.as_ref().unwrap()["RATE_LIMIT_BACKEND"], "redis");
    assert!(d.pdb.is_some());
}

#[test]
fn hpa_leaves_replicas_unset_on_the_deployment() {
    let (d, yaml) = render("hpa");
    snapshot("hpa.yaml", &yaml);
    assert_eq!(d.deployment.spec.replicas, None);
    let hpa = d.hpa.as_ref().unwrap();
    assert_eq!((hpa.spec.min_replicas, hpa.spec.max_replicas), (Some(2), 8));
}

#[test]
fn ingress_renders_class_host_tls_and_annotations() {
    let (d, yaml) = render("ingress");
    snapshot("ingress.yaml", &yaml);
    let ingress = d.ingress.as_ref().unwrap();
    assert_eq!(
        ingress.spec.as_ref().unwrap().ingress_class_name.as_deref(),
        Some("nginx")
    );
}

#[test]
fn clerk_renders_the_clerk_key_from_its_secret_and_no_local_token() {
    let (d, yaml) = render("clerk");
    snapshot("clerk.yaml", &yaml);
    let container = &d.deployment.spec.template.spec.as_ref().unwrap().containers[0];
    let env: Vec<&str> = container
        .env
        .as_ref()
        .unwrap()
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(env, ["CLERK_SECRET_KEY"]);
}

#[test]
fn every_child_is_owned_by_the_mission_control_as_its_controller() {
    let (d, _) = render("postgres-redis-multi");
    let metas = [
        &d.config_map.metadata,
        &d.service.metadata,
        &d.deployment.metadata,
        &d.migration_job.as_ref().unwrap().metadata,
        &d.pdb.as_ref().unwrap().metadata,
    ];
    for meta in metas {
        let owner = &meta.owner_references.as_ref().unwrap()[0];
        assert_eq!(
            (owner.kind.as_str(), owner.name.as_str(), owner.controller),
            ("MissionControl", "fleet", Some(true))
        );
        assert_eq!(owner.uid, "22222222-2222-2222-2222-222222222222");
    }
}

#[test]
fn the_config_hash_moves_with_secret_contents_and_config_but_not_with_replicas() {
    let f = fixture("postgres-redis-multi");
    let (valid, values) = resolve(&f);
    let base = build::desired(&f.mc, &valid, &values).config_hash;

    let mut rotated = values.clone();
    rotated.database_url = Some("postgres://mc:new@postgres.prod:5432/mission_control".into());
    assert_ne!(build::desired(&f.mc, &valid, &rotated).config_hash, base);

    let mut mc = f.mc.clone();
    mc.spec.log_level = mission_control_operator::crd::LogLevel::Warn;
    assert_ne!(build::desired(&mc, &valid, &values).config_hash, base);

    let mut mc = f.mc.clone();
    mc.spec.replicas = 7;
    let valid7 = validate::spec(&mc).unwrap();
    assert_eq!(build::desired(&mc, &valid7, &values).config_hash, base);
}

#[test]
fn generated_tokens_are_64_random_alphanumerics() {
    let a = generate_token();
    let b = generate_token();
    assert_eq!(a.len(), 64);
    assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_ne!(a, b);
}
