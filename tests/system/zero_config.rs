//! With no configuration the service starts on embedded SQLite under ./data, generates a
//! strong local token (mode 0600), prints it once, and keeps using it.
//!
//! SQLite only, by nature: zero configuration means embedded SQLite.

use std::os::unix::fs::PermissionsExt;

use system_tests::{Launch, client, init};

#[tokio::test]
async fn starts_with_no_configuration_and_keeps_its_generated_token() {
    init();
    let cwd = tempfile::tempdir().unwrap();
    // Only the port is chosen (0 = any free port) so parallel tests cannot collide on 8000,
    // and JSON logs so the test can read the address.
    let first = Launch::bare()
        .cwd(cwd.path())
        .env("PORT", "0")
        .env("LOG_FORMAT", "json")
        .start()
        .await
        .unwrap();

    let token_file = cwd.path().join("data/local-auth-token");
    let token = std::fs::read_to_string(&token_file).unwrap();
    assert!(token.len() >= 50, "token too short: {}", token.len());
    let mode = std::fs::metadata(&token_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(cwd.path().join("data/mission-control.db").exists());
    let printed = first.output().iter().filter(|l| l.contains(&token)).count();
    assert_eq!(printed, 1, "the token must be printed exactly once");

    let http = client();
    let me = http
        .get(first.url("/api/v1/users/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let ready = http.get(first.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    first.terminate().await;
    let mut first = first;
    assert_eq!(
        first.wait_exit(std::time::Duration::from_secs(20)).await.unwrap(),
        Some(0)
    );

    let second = Launch::bare()
        .cwd(cwd.path())
        .env("PORT", "0")
        .env("LOG_FORMAT", "json")
        .start()
        .await
        .unwrap();
    assert!(
        second.output().iter().all(|l| !l.contains(&token)),
        "the token was printed again"
    );
    let me = http
        .get(second.url("/api/v1/users/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200, "the stored token must keep working after a restart");
}
