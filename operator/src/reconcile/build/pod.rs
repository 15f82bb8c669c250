//! What the service pods and the migration Job's pod share: security contexts, the
//! environment wiring, volumes, the migrate container and pull secrets.

use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMapEnvSource, Container, EmptyDirVolumeSource, EnvFromSource, EnvVar, EnvVarSource,
    LocalObjectReference, PersistentVolumeClaimVolumeSource, PodSecurityContext, SeccompProfile, SecretKeySelector,
    SecurityContext, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use crate::crd::MissionControl;
use crate::names::{self, Names};
use crate::reconcile::validate::{Credentials, Database, Valid};

pub(super) fn container_security() -> SecurityContext {
    SecurityContext {
        allow_privilege_escalation: Some(false),
        read_only_root_filesystem: Some(true),
        run_as_non_root: Some(true),
        run_as_user: Some(names::RUN_AS_USER),
        run_as_group: Some(names::RUN_AS_USER),
        capabilities: Some(Capabilities {
            drop: Some(vec!["ALL".into()]),
            ..Capabilities::default()
        }),
        ..SecurityContext::default()
    }
}

pub(super) fn pod_security() -> PodSecurityContext {
    PodSecurityContext {
        run_as_non_root: Some(true),
        run_as_user: Some(names::RUN_AS_USER),
        run_as_group: Some(names::RUN_AS_USER),
        fs_group: Some(names::RUN_AS_USER),
        seccomp_profile: Some(SeccompProfile {
            type_: "RuntimeDefault".into(),
            ..SeccompProfile::default()
        }),
        ..PodSecurityContext::default()
    }
}

fn secret_env(name: &str, secret: &str, key: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: secret.into(),
                key: key.into(),
                optional: Some(false),
            }),
            ..EnvVarSource::default()
        }),
        ..EnvVar::default()
    }
}

/// `envFrom` + `env` of the service and migration containers.
pub(super) fn container_env(valid: &Valid) -> (Vec<EnvFromSource>, Vec<EnvVar>) {
    let names = Names(&valid.name);
    let env_from = vec![EnvFromSource {
        config_map_ref: Some(ConfigMapEnvSource {
            name: names.config_map(),
            optional: Some(false),
        }),
        ..EnvFromSource::default()
    }];
    let mut env = Vec::new();
    match &valid.credentials {
        Credentials::GeneratedToken => {
            env.push(secret_env("LOCAL_AUTH_TOKEN", &names.token_secret(), names::TOKEN_KEY));
        }
        Credentials::ExistingToken(r) => env.push(secret_env("LOCAL_AUTH_TOKEN", &r.name, &r.key)),
        Credentials::Clerk(r) => env.push(secret_env("CLERK_SECRET_KEY", &r.name, &r.key)),
    }
    if let Database::Postgres(r) = &valid.database {
        env.push(secret_env("DATABASE_URL", &r.name, &r.key));
    }
    if let Some(r) = &valid.redis {
        env.push(secret_env("RATE_LIMIT_REDIS_URL", &r.name, &r.key));
    }
    (env_from, env)
}

pub(super) fn volume_mounts() -> Vec<VolumeMount> {
    vec![
        VolumeMount {
            name: "data".into(),
            mount_path: names::DATA_DIR.into(),
            ..VolumeMount::default()
        },
        VolumeMount {
            name: "tmp".into(),
            mount_path: "/tmp".into(),
            ..VolumeMount::default()
        },
    ]
}

pub(super) fn volumes(valid: &Valid) -> Vec<Volume> {
    let data = match valid.database {
        Database::Sqlite => Volume {
            name: "data".into(),
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: Names(&valid.name).data_claim(),
                read_only: Some(false),
            }),
            ..Volume::default()
        },
        Database::Postgres(_) => Volume {
            name: "data".into(),
            empty_dir: Some(EmptyDirVolumeSource::default()),
            ..Volume::default()
        },
    };
    let tmp = Volume {
        name: "tmp".into(),
        empty_dir: Some(EmptyDirVolumeSource {
            size_limit: Some(Quantity("64Mi".into())),
            ..EmptyDirVolumeSource::default()
        }),
        ..Volume::default()
    };
    vec![data, tmp]
}

pub(super) fn migrate_container(mc: &MissionControl, valid: &Valid) -> Container {
    let (env_from, env) = container_env(valid);
    Container {
        name: "migrate".into(),
        image: Some(valid.image.clone()),
        image_pull_policy: mc.spec.image.pull_policy.map(|p| p.as_str().to_string()),
        command: Some(vec!["mission-control".into(), "migrate".into()]),
        env_from: Some(env_from),
        env: Some(env),
        volume_mounts: Some(volume_mounts()),
        security_context: Some(container_security()),
        resources: mc.spec.resources.clone(),
        ..Container::default()
    }
}

pub(super) fn pull_secrets(mc: &MissionControl) -> Option<Vec<LocalObjectReference>> {
    let secrets = &mc.spec.image.pull_secrets;
    (!secrets.is_empty()).then(|| {
        secrets
            .iter()
            .map(|name| LocalObjectReference { name: name.clone() })
            .collect()
    })
}
