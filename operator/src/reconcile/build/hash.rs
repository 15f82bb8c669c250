//! The hashes that drive rollouts: the pod template's config hash and the migration Job's name.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::names;
use crate::reconcile::validate::{SecretValues, Valid};

/// Hash of every input that should roll the pods: configuration and Secret contents.
pub fn config_hash(config: &BTreeMap<String, String>, secrets: &SecretValues) -> String {
    let mut hasher = Sha256::new();
    for (k, v) in config {
        hash_field(&mut hasher, "config", k, v);
    }
    let secret_fields = [
        ("LOCAL_AUTH_TOKEN", &secrets.local_token),
        ("CLERK_SECRET_KEY", &secrets.clerk_secret_key),
        ("DATABASE_URL", &secrets.database_url),
        ("RATE_LIMIT_REDIS_URL", &secrets.redis_url),
    ];
    for (k, v) in secret_fields {
        if let Some(v) = v {
            hash_field(&mut hasher, "secret", k, v);
        }
    }
    hex::encode(hasher.finalize())
}

/// Hash of what decides whether migrations must run again: the image and the database.
pub fn migration_hash(valid: &Valid, secrets: &SecretValues) -> String {
    let mut hasher = Sha256::new();
    hash_field(&mut hasher, "image", "image", &valid.image);
    hash_field(
        &mut hasher,
        "secret",
        "DATABASE_URL",
        secrets.database_url.as_deref().unwrap_or(names::SQLITE_URL),
    );
    hex::encode(hasher.finalize())
}

fn hash_field(hasher: &mut Sha256, kind: &str, key: &str, value: &str) {
    // Length-prefixed so that no two different inputs produce the same byte stream.
    for part in [kind, key, value] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
}
