//! Clerk mode: session JWTs are verified against a JWKS served on loopback by the test,
//! with keys it generates. Bad signatures, `alg: none`, HMAC, expired/not-yet-valid tokens
//! and unknown keys are refused; unknown keys do not make the service hammer the JWKS.
//!
//! SQLite only: token verification happens before any store is involved; the organization
//! rules in Clerk mode run on both backends (`organizations`).

use std::sync::atomic::Ordering;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use system_tests::Launch;
use system_tests::idp::{Idp, RsaKey, unix_now};

#[tokio::test(flavor = "multi_thread")]
async fn clerk_tokens_are_verified_against_the_jwks() {
    system_tests::init();
    let idp = Idp::start().await;
    let dir = tempfile::tempdir().unwrap();
    let stranger = RsaKey::generate(dir.path(), "stranger");
    let svc = idp.configure(Launch::new()).start().await.unwrap();
    let me = |token: String| {
        let req = svc.http.get(svc.url("/api/v1/users/me")).bearer_auth(token);
        async move {
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };

    let t = unix_now();
    let key = &idp.key;
    let good = key.sign("k1", &json!({"sub": "user_2abc", "email": "Ada@Example.test", "name": "Ada", "iat": t, "nbf": t - 5, "exp": t + 300}));
    let (status, body) = me(good).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["clerk_user_id"], "user_2abc");
    assert_eq!(body["email"], "ada@example.test");
    assert_eq!(
        idp.last_authorization.lock().unwrap().as_deref(),
        Some("Bearer sk_test_loopback")
    );
    assert_eq!(idp.fetches.load(Ordering::SeqCst), 1);

    let refused = [
        (
            "expired",
            key.sign("k1", &json!({"sub": "u", "iat": t - 600, "exp": t - 60})),
        ),
        (
            "not yet valid",
            key.sign("k1", &json!({"sub": "u", "iat": t, "nbf": t + 600, "exp": t + 900})),
        ),
        (
            "issued in the future",
            key.sign("k1", &json!({"sub": "u", "iat": t + 600, "exp": t + 900})),
        ),
        (
            "wrong key",
            stranger.sign("k1", &json!({"sub": "u", "iat": t, "exp": t + 300})),
        ),
        ("no sub", key.sign("k1", &json!({"iat": t, "exp": t + 300}))),
        (
            "unknown kid",
            key.sign("k-unknown", &json!({"sub": "u", "iat": t, "exp": t + 300})),
        ),
        (
            "unknown kid again",
            key.sign("k-other", &json!({"sub": "u", "iat": t, "exp": t + 300})),
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
        idp.fetches.load(Ordering::SeqCst),
        1,
        "unknown keys must not refetch the JWKS more than once per interval"
    );
}
