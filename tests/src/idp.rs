//! A stand-in identity provider for Clerk mode: RSA keys generated with the `openssl` CLI,
//! a JWKS served on loopback, and signed session tokens for any user.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

/// An RSA signing key and its public modulus (base64url).
pub struct RsaKey {
    pub pem: Vec<u8>,
    pub n: String,
}

impl RsaKey {
    pub fn generate(dir: &std::path::Path, name: &str) -> Self {
        let path = dir.join(format!("{name}.pem"));
        let out = std::process::Command::new("openssl")
            .args([
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
            ])
            .arg(&path)
            .output()
            .expect("openssl");
        assert!(out.status.success(), "openssl genpkey failed");
        let modulus = std::process::Command::new("openssl")
            .args(["rsa", "-noout", "-modulus", "-in"])
            .arg(&path)
            .output()
            .expect("openssl");
        let text = String::from_utf8(modulus.stdout).expect("utf-8");
        let hex_modulus = text.trim().trim_start_matches("Modulus=");
        let bytes: Vec<u8> = (0..hex_modulus.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex_modulus[i..i + 2], 16).expect("hex"))
            .collect();
        Self {
            pem: std::fs::read(&path).expect("pem"),
            n: URL_SAFE_NO_PAD.encode(bytes),
        }
    }

    pub fn sign(&self, kid: &str, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.to_owned());
        encode(&header, claims, &EncodingKey::from_rsa_pem(&self.pem).expect("rsa key")).expect("sign")
    }
}

pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A JWKS endpoint on loopback serving one key (`kid` "k1").
pub struct Idp {
    pub key: RsaKey,
    pub api_url: String,
    pub fetches: Arc<AtomicUsize>,
    pub last_authorization: Arc<std::sync::Mutex<Option<String>>>,
    _dir: tempfile::TempDir,
}

impl Idp {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = RsaKey::generate(dir.path(), "signing");
        let fetches = Arc::new(AtomicUsize::new(0));
        let last_authorization = Arc::new(std::sync::Mutex::new(None::<String>));
        let jwks =
            json!({"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256", "n": key.n, "e": "AQAB"}]});
        let app = {
            let fetches = fetches.clone();
            let seen = last_authorization.clone();
            Router::new().route(
                "/v1/jwks",
                get(move |headers: axum::http::HeaderMap| {
                    let fetches = fetches.clone();
                    let seen = seen.clone();
                    let jwks = jwks.clone();
                    async move {
                        fetches.fetch_add(1, Ordering::SeqCst);
                        *seen.lock().expect("lock") = headers
                            .get("authorization")
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned);
                        axum::Json(jwks)
                    }
                }),
            )
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            key,
            api_url: format!("http://{addr}"),
            fetches,
            last_authorization,
            _dir: dir,
        }
    }

    /// A valid five-minute session token for `sub`.
    pub fn token(&self, sub: &str, email: &str) -> String {
        let t = unix_now();
        self.key.sign(
            "k1",
            &json!({"sub": sub, "email": email, "name": sub, "iat": t, "nbf": t - 5, "exp": t + 300}),
        )
    }

    /// Configures a launch for Clerk mode against this provider.
    pub fn configure(&self, launch: crate::Launch) -> crate::Launch {
        launch
            .without("LOCAL_AUTH_TOKEN")
            .env("AUTH_MODE", "clerk")
            .env("CLERK_SECRET_KEY", "sk_test_loopback")
            .env("CLERK_API_URL", self.api_url.clone())
            .env("CLERK_LEEWAY", "5")
    }
}
