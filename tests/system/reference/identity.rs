//! The caller: bootstrap creates the user and a personal organization; the profile updates
//! only the fields sent.

use reqwest::Method;
use serde_json::json;
use system_tests::{Backend, on_both_backends};

on_both_backends!(
    bootstrap_creates_the_user_and_a_personal_organization_once,
    updating_the_profile_keeps_the_fields_not_sent,
);

async fn bootstrap_creates_the_user_and_a_personal_organization_once(backend: Backend) {
    let svc = backend.start().await;
    let me = svc.ok(Method::POST, "/api/v1/auth/bootstrap", None).await;
    assert_eq!(me["clerk_user_id"], "local-auth-user");
    assert_eq!(me["email"], "admin@home.local");
    let again = svc.ok(Method::GET, "/api/v1/users/me", None).await;
    assert_eq!(again["id"], me["id"], "bootstrap is idempotent");
    let org = svc.ok(Method::GET, "/api/v1/organizations/me", None).await;
    assert_eq!(org["name"], "Personal");
}

async fn updating_the_profile_keeps_the_fields_not_sent(backend: Backend) {
    let svc = backend.start().await;
    let updated = svc
        .ok(
            Method::PATCH,
            "/api/v1/users/me",
            Some(json!({"timezone": "Europe/Paris", "preferred_name": "Sam"})),
        )
        .await;
    assert_eq!(updated["timezone"], "Europe/Paris");
    assert_eq!(updated["name"], "Local User", "untouched fields stay");
}
