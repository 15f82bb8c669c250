//! observe → validate → build → apply → status. Only observe, apply and status talk to the
//! API server; validate and build are pure and carry most of the tests.

pub mod apply;
pub mod build;
pub mod observe;
pub mod readiness;
pub mod reasons;
pub mod status;
pub mod validate;

use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::jiff::Timestamp;
use kube::ResourceExt;
use kube::runtime::controller::Action;

use crate::context::Context;
use crate::crd::MissionControl;
use crate::error::Error;
use crate::reconcile::validate::Credentials;

/// Resync when everything is settled.
pub const RESYNC_INTERVAL: Duration = Duration::from_secs(300);
/// Re-check soon while pods are not all gated ready or a migration runs.
pub const SETTLING_INTERVAL: Duration = Duration::from_secs(10);
/// Re-check a resource whose Secrets are missing (their creation also triggers a reconcile).
pub const SECRETS_RETRY_INTERVAL: Duration = Duration::from_secs(60);

fn key(mc: &MissionControl) -> String {
    format!("{}/{}", mc.namespace().unwrap_or_default(), mc.name_any())
}

/// Reconcile one `MissionControl`.
///
/// # Errors
/// Transient API errors; `error_policy` turns them into a backoff.
#[tracing::instrument(name = "reconcile", skip_all, fields(otel.name = "reconcile MissionControl", otel.kind = "internal", namespace = %mc.namespace().unwrap_or_default(), name = %mc.name_any()))]
pub async fn reconcile(mc: Arc<MissionControl>, ctx: Arc<Context>) -> Result<Action, Error> {
    let started = Instant::now();
    ctx.metrics.reconciles.inc();
    let result = run(&mc, &ctx).await;
    ctx.metrics.observe(started.elapsed());
    if result.is_ok() {
        ctx.reset_backoff(&key(&mc));
    }
    result
}

async fn run(mc: &MissionControl, ctx: &Context) -> Result<Action, Error> {
    let generation = mc.metadata.generation;
    let name = mc.name_any();
    if validate::paused(mc) {
        let next = status::paused(mc.status.as_ref(), generation, &name, Timestamp::now());
        status::write(ctx, mc, next).await?;
        return Ok(Action::await_change());
    }
    let valid = match validate::spec(mc) {
        Ok(valid) => valid,
        Err(invalid) => {
            tracing::warn!(mc = %key(mc), reason = invalid.reason, message = %invalid.message, "invalid spec");
            let next = status::problem(mc.status.as_ref(), generation, &name, &invalid, Timestamp::now());
            status::write(ctx, mc, next).await?;
            return Ok(Action::await_change());
        }
    };
    let observed = observe::children(&ctx.client, &valid).await?;
    let mut secrets = match validate::secrets(&valid, &observed.user_secrets, observed.token_secret.as_ref()) {
        Ok(values) => values,
        Err(invalid) => {
            tracing::warn!(mc = %key(mc), reason = invalid.reason, message = %invalid.message, "secrets not usable");
            let next = status::problem(mc.status.as_ref(), generation, &name, &invalid, Timestamp::now());
            status::write(ctx, mc, next).await?;
            return Ok(Action::requeue(SECRETS_RETRY_INTERVAL));
        }
    };
    if valid.credentials == Credentials::GeneratedToken {
        secrets.local_token = Some(apply::token(ctx, mc, &valid, observed.token_secret.as_ref()).await?);
    }
    let desired = build::desired(mc, &valid, &secrets);
    let config_hash = desired.config_hash.clone();
    let applied = apply::all(ctx, &valid, desired, observed.deployment).await?;
    let gated = if applied.deployment.is_some() {
        apply::readiness_gates(ctx, &valid, &config_hash).await?
    } else {
        false
    };
    let obs = status::Observation {
        generation,
        valid: &valid,
        config_hash: &config_hash,
        deployment: applied.deployment.as_ref(),
        migration: applied.migration.clone(),
    };
    let next = status::compute(mc.status.as_ref(), &obs, Timestamp::now());
    let settled = gated
        && next
            .conditions
            .iter()
            .any(|c| c.type_ == reasons::READY && c.status == "True");
    status::write(ctx, mc, next).await?;
    Ok(Action::requeue(if settled {
        RESYNC_INTERVAL
    } else {
        SETTLING_INTERVAL
    }))
}

/// Invalid specs never reach here (they set a condition and wait); API errors back off
/// exponentially per object and are counted by category.
pub fn error_policy(mc: Arc<MissionControl>, error: &Error, ctx: Arc<Context>) -> Action {
    ctx.metrics.error(error.category());
    let delay = ctx.backoff(&key(&mc));
    tracing::warn!(mc = %key(&mc), category = error.category(), error = %error, delay_s = delay.as_secs(), "reconcile failed");
    Action::requeue(delay)
}
