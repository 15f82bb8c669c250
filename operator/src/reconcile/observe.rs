//! Read what exists: referenced Secrets, the generated token Secret and the Deployment.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Secret;
use kube::{Api, Client};

use crate::error::Error;
use crate::names::Names;
use crate::reconcile::validate::{Credentials, Valid};

/// The cluster state one reconcile starts from.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// Referenced user Secrets by name; `None` when absent.
    pub user_secrets: BTreeMap<String, Option<Secret>>,
    /// The generated token Secret (local mode without a user Secret).
    pub token_secret: Option<Secret>,
    /// The Deployment, if it exists.
    pub deployment: Option<Deployment>,
}

/// Fetch the objects the reconcile depends on, in a fixed order (secrets, token, deployment).
///
/// # Errors
/// API errors other than "not found".
pub async fn children(client: &Client, valid: &Valid) -> Result<Observed, Error> {
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &valid.namespace);
    let mut user_secrets = BTreeMap::new();
    for r in valid.referenced_secrets() {
        if !user_secrets.contains_key(&r.name) {
            user_secrets.insert(r.name.clone(), secrets.get_opt(&r.name).await?);
        }
    }
    let token_secret = match valid.credentials {
        Credentials::GeneratedToken => secrets.get_opt(&Names(&valid.name).token_secret()).await?,
        _ => None,
    };
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &valid.namespace);
    let deployment = deployments.get_opt(&Names(&valid.name).workload()).await?;
    Ok(Observed {
        user_secrets,
        token_secret,
        deployment,
    })
}
