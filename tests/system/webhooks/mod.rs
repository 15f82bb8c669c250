//! Inbound webhooks (domain §8): their settings, ingest with every refusal, the signature
//! rules, replay-safe delivery keys, the payload reads of users and agents, and the
//! `webhook_delivery` job running once per payload — also across two PostgreSQL replicas.

mod crash;
mod crud;
mod delivery;
mod ingest;
mod metrics;
mod replicas;
mod signatures;

use hmac::{Hmac, KeyInit, Mac};
use reqwest::Method;
use serde_json::Value;
use sha2::Sha256;
use system_tests::{Service, json_of};

/// Creates a webhook on the board; the created read model.
pub async fn create_webhook(svc: &Service, board: &str, body: Value) -> Value {
    svc.ok(Method::POST, &format!("/api/v1/boards/{board}/webhooks"), Some(body))
        .await
}

/// Lower-case hex HMAC-SHA256 of `body` under `secret`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Posts a delivery without credentials: the status and the body.
pub async fn deliver(
    svc: &Service,
    board: &str,
    hook: &str,
    body: impl Into<reqwest::Body>,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let mut req = svc
        .http
        .post(svc.url(&format!("/api/v1/boards/{board}/webhooks/{hook}")))
        .body(body);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    json_of(req.send().await.unwrap()).await
}
