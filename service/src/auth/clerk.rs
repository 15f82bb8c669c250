//! Clerk session JWT verification against Clerk's JWKS.
//!
//! Keys are cached; an unknown `kid` triggers a refetch, at most once per
//! [`REFETCH_INTERVAL`], so a flood of forged tokens cannot hammer Clerk. Only asymmetric
//! algorithms are accepted (`alg: none` and HMAC never verify). `exp` and `nbf` are checked
//! with the configured leeway, and `iat` may not lie in the future beyond it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;
use tokio::sync::{Mutex, RwLock};

use super::AuthError;
use crate::config::ClerkConfig;
use crate::store::NewUser;

/// Minimum time between two JWKS fetches caused by unknown key ids.
pub const REFETCH_INTERVAL: Duration = Duration::from_secs(30);

const ACCEPTED: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    iat: Option<i64>,
    email: Option<String>,
    #[serde(default)]
    primary_email_address: Option<String>,
    name: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
}

pub struct ClerkVerifier {
    http: reqwest::Client,
    config: ClerkConfig,
    keys: RwLock<HashMap<String, Arc<DecodingKey>>>,
    last_fetch: Mutex<Option<Instant>>,
}

impl ClerkVerifier {
    pub fn new(config: ClerkConfig) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build()?;
        Ok(Self {
            http,
            config,
            keys: RwLock::new(HashMap::new()),
            last_fetch: Mutex::new(None),
        })
    }

    pub async fn verify(&self, token: &str) -> Result<NewUser, AuthError> {
        let header = decode_header(token).map_err(|e| AuthError::Rejected(format!("malformed header: {e}")))?;
        if !ACCEPTED.contains(&header.alg) {
            return Err(AuthError::Rejected(format!("algorithm {:?} not accepted", header.alg)));
        }
        let kid = header
            .kid
            .ok_or_else(|| AuthError::Rejected("token has no kid".into()))?;
        let key = self.key(&kid).await?;

        let mut validation = Validation::new(header.alg);
        validation.leeway = self.config.leeway.as_secs();
        validation.validate_nbf = true;
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "sub"]);
        let data = decode::<Claims>(token, &key, &validation).map_err(|e| AuthError::Rejected(e.to_string()))?;
        let claims = data.claims;
        let now = chrono::Utc::now().timestamp();
        let leeway = i64::try_from(self.config.leeway.as_secs()).unwrap_or(i64::MAX);
        if claims.iat.is_some_and(|iat| iat > now.saturating_add(leeway)) {
            return Err(AuthError::Rejected("iat is in the future".into()));
        }
        let name = claims.name.or_else(|| {
            let full = [claims.first_name.as_deref(), claims.last_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            (!full.is_empty()).then_some(full)
        });
        Ok(NewUser {
            clerk_user_id: claims.sub,
            email: claims
                .email
                .or(claims.primary_email_address)
                .map(|e| e.trim().to_lowercase()),
            name,
        })
    }

    async fn key(&self, kid: &str) -> Result<Arc<DecodingKey>, AuthError> {
        if let Some(key) = self.keys.read().await.get(kid) {
            return Ok(key.clone());
        }
        {
            let mut last = self.last_fetch.lock().await;
            // Another request may have fetched while we waited for the lock.
            if let Some(key) = self.keys.read().await.get(kid) {
                return Ok(key.clone());
            }
            if last.is_some_and(|t| t.elapsed() < REFETCH_INTERVAL) {
                return Err(AuthError::Rejected("unknown signing key".into()));
            }
            *last = Some(Instant::now());
            let fresh = self.fetch().await?;
            *self.keys.write().await = fresh;
        }
        self.keys
            .read()
            .await
            .get(kid)
            .cloned()
            .ok_or_else(|| AuthError::Rejected("unknown signing key".into()))
    }

    async fn fetch(&self) -> Result<HashMap<String, Arc<DecodingKey>>, AuthError> {
        let set: JwkSet = self
            .http
            .get(self.config.jwks_url.clone())
            .bearer_auth(self.config.secret_key.expose())
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| AuthError::Unavailable(e.without_url().to_string()))?
            .json()
            .await
            .map_err(|e| AuthError::Unavailable(format!("JWKS is not valid JSON: {e}")))?;
        let mut keys = HashMap::new();
        for jwk in &set.keys {
            let Some(kid) = jwk.common.key_id.clone() else { continue };
            match DecodingKey::from_jwk(jwk) {
                Ok(key) => {
                    keys.insert(kid, Arc::new(key));
                }
                Err(e) => tracing::warn!(kid = %kid, error = %e, "skipping unusable JWKS key"),
            }
        }
        tracing::info!(keys = keys.len(), "fetched Clerk JWKS");
        Ok(keys)
    }
}
