//! Clerk mode: session JWTs are verified against a JWKS served on loopback by the test,
//! with keys it generates. Bad signatures, `alg: none`, HMAC, expired/not-yet-valid tokens
//! and unknown keys are refused; unknown keys do not make the service hammer the JWKS.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use system_tests::Launch;

struct Key {
    pem: Vec<u8>,
    n: String,
}

fn rsa_key(dir: &std::path::Path, name: &str) -> Key {
    let path = dir.join(format!("{name}.pem"));
    let status = std::process::Command::new("openssl")
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
    assert!(status.status.success(), "openssl genpkey failed");
    let modulus = std::process::Command::new("openssl")
        .args(["rsa", "-noout", "-modulus", "-in"])
        .arg(&path)
        .output()
        .expect("openssl");
    let text = String::from_utf8(modulus.stdout).unwrap();
    let hex_modulus = text.trim().trim_start_matches("Modulus=");
    let bytes: Vec<u8> = (0..hex_modulus.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex_modulus[i..i + 2], 16).unwrap())
        .collect();
    Key {
        pem: std::fs::read(&path).unwrap(),
        n: URL_SAFE_NO_PAD.encode(bytes),
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn sign(key: &Key, kid: &str, claims: Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    encode(&header, &claims, &EncodingKey::from_rsa_pem(&key.pem).unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn clerk_tokens_are_verified_against_the_jwks() {
    system_tests::init();
    let dir = tempfile::tempdir().unwrap();
    let key = rsa_key(dir.path(), "signing");
    let stranger = rsa_key(dir.path(), "stranger");

    let fetches = Arc::new(AtomicUsize::new(0));
    let auth_seen = Arc::new(std::sync::Mutex::new(None::<String>));
    let jwks = json!({"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256", "n": key.n, "e": "AQAB"}]});
    let app = {
        let fetches = fetches.clone();
        let auth_seen = auth_seen.clone();
        Router::new().route(
            "/v1/jwks",
            get(move |headers: axum::http::HeaderMap| {
                let fetches = fetches.clone();
                let auth_seen = auth_seen.clone();
                let jwks = jwks.clone();
                async move {
                    fetches.fetch_add(1, Ordering::SeqCst);
                    *auth_seen.lock().unwrap() = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    axum::Json(jwks)
                }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let jwks_addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let svc = Launch::new()
        .without("LOCAL_AUTH_TOKEN")
        .env("AUTH_MODE", "clerk")
        .env("CLERK_SECRET_KEY", "sk_test_loopback")
        .env("CLERK_API_URL", format!("http://{jwks_addr}"))
        .env("CLERK_LEEWAY", "5")
        .start()
        .await
        .unwrap();
    let me = |token: String| {
        let req = svc.http.get(svc.url("/api/v1/users/me")).bearer_auth(token);
        async move {
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };

    let t = now();
    let good = sign(
        &key,
        "k1",
        json!({"sub": "user_2abc", "email": "Ada@Example.test", "name": "Ada", "iat": t, "nbf": t - 5, "exp": t + 300}),
    );
    let (status, body) = me(good).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["clerk_user_id"], "user_2abc");
    assert_eq!(body["email"], "ada@example.test");
    assert_eq!(auth_seen.lock().unwrap().as_deref(), Some("Bearer sk_test_loopback"));
    assert_eq!(fetches.load(Ordering::SeqCst), 1);

    let refused = [
        (
            "expired",
            sign(&key, "k1", json!({"sub": "u", "iat": t - 600, "exp": t - 60})),
        ),
        (
            "not yet valid",
            sign(
                &key,
                "k1",
                json!({"sub": "u", "iat": t, "nbf": t + 600, "exp": t + 900}),
            ),
        ),
        (
            "issued in the future",
            sign(&key, "k1", json!({"sub": "u", "iat": t + 600, "exp": t + 900})),
        ),
        (
            "wrong key",
            sign(&stranger, "k1", json!({"sub": "u", "iat": t, "exp": t + 300})),
        ),
        ("no sub", sign(&key, "k1", json!({"iat": t, "exp": t + 300}))),
        (
            "unknown kid",
            sign(&key, "k-unknown", json!({"sub": "u", "iat": t, "exp": t + 300})),
        ),
        (
            "unknown kid again",
            sign(&key, "k-other", json!({"sub": "u", "iat": t, "exp": t + 300})),
        ),
        (
            "alg none",
            format!(
                "{}.{}.",
                URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT","kid":"k1"}"#),
                URL_SAFE_NO_PAD.encode(format!(r#"{{"sub":"u","exp":{}}}"#, t + 300))
            ),
        ),
        ("hmac", {
            let mut header = Header::new(Algorithm::HS256);
            header.kid = Some("k1".into());
            encode(
                &header,
                &json!({"sub": "u", "iat": t, "exp": t + 300}),
                &EncodingKey::from_secret(key.n.as_bytes()).unwrap(),
            )
            .unwrap()
        }),
        ("garbage", "not.a.jwt".to_owned()),
    ];
    for (case, token) in refused {
        let (status, body) = me(token).await;
        assert_eq!(status, 401, "{case}: {body}");
        assert!(body["request_id"].is_string(), "{case}: {body}");
    }
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        1,
        "unknown keys must not refetch the JWKS more than once per interval"
    );
}
