//! The OpenAPI document tells the truth: Schemathesis (pinned in
//! `tests/schemathesis/requirements.txt`) generates requests from our own `/openapi.json` and
//! runs every check against the service — undocumented statuses, responses that break their
//! schema, schema-valid requests refused, schema-invalid ones accepted, missing auth honoured,
//! 5xx — once as the user and once as an agent, on both backends. One organization is seeded
//! first so generated ids resolve (`tests/schemathesis/hooks.py` maps them); the exceptions the
//! run makes are in `tests/schemathesis/schemathesis.toml`, each with its reason, and listed in
//! docs/CONTRACT.md.
//!
//! `make test` runs a short pass (`SCHEMATHESIS_EXAMPLES`, default 3 examples per operation);
//! the full run is `make fuzz` (25 examples). Each run's report is kept in
//! `target/schemathesis/<backend>-<caller>.txt`.

use std::path::PathBuf;
use std::process::Stdio;

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::environment::environment;
use system_tests::gateway_double::{DOUBLE_TOKEN, GatewayDouble};
use system_tests::souls::FakeSoulsDirectory;
use system_tests::{Backend, Deployment, Launch, TOKEN, id, on_both_backends, target_dir, workspace_root};

on_both_backends!(the_document_holds_under_schemathesis);

async fn the_document_holds_under_schemathesis(backend: Backend) {
    let cli = schemathesis_cli();
    // The agent run makes thousands of agent-authenticated calls from one address.
    // The souls directory routes reach a local stand-in, never the internet.
    let souls = FakeSoulsDirectory::start().await;
    // Gateways the run creates live on a protocol-faithful double; generated URLs point
    // nowhere and fail fast.
    let double = GatewayDouble::current().await;
    let svc = backend
        .start_with(
            Launch::new()
                .env("RATE_LIMIT_AGENT_AUTH_REQUESTS", "1000000")
                .env("SOULS_DIRECTORY_BASE_URL", souls.base_url.clone())
                .env("GATEWAY_CONNECT_TIMEOUT_SECONDS", "1")
                .env("GATEWAY_CALL_TIMEOUT_SECONDS", "3")
                .env("GATEWAY_RETRY_SECONDS", "1"),
        )
        .await;
    let mut seed = seed(&svc, &double).await;
    let name = match backend {
        Backend::Sqlite => "sqlite",
        Backend::PostgresRedis => "postgres_redis",
    };
    run(&cli, &svc, &seed, name, "user").await;
    // The user run rotates tokens of fresh agents only; issue the seeded agent's token now so
    // the agent run starts from a valid one whatever happened before.
    let token = svc
        .ok(
            Method::POST,
            &format!("/api/v1/agents/{}/token", seed["agent_id"].as_str().unwrap()),
            None,
        )
        .await;
    seed["agent_token"] = token["token"].clone();
    run(&cli, &svc, &seed, name, "agent").await;
}

/// The CLI: `SCHEMATHESIS`, else the venv `tests/schemathesis/install.sh` makes (`make test`
/// runs it).
fn schemathesis_cli() -> PathBuf {
    let cli = environment()
        .schemathesis
        .clone()
        .unwrap_or_else(|| target_dir().join("schemathesis-venv/bin/schemathesis"));
    assert!(
        cli.exists(),
        "{} is missing: run `bash tests/schemathesis/install.sh` (make test does) or set SCHEMATHESIS",
        cli.display()
    );
    cli
}

/// One organization with one of everything the document's path parameters name.
async fn seed(svc: &Deployment, double: &GatewayDouble) -> Value {
    let organization = svc.ok(Method::GET, "/api/v1/organizations/me", None).await;
    let member = svc.ok(Method::GET, "/api/v1/organizations/me/member", None).await;
    let board = svc.create_board("Fuzz").await;
    let board_id = id(&board);
    let task = svc.create_task(&board_id, json!({"title": "Seeded task"})).await;
    let task_id = id(&task);
    let (agent, agent_token) = svc.create_agent(&board_id, "fuzz-agent").await;
    let gateway = svc
        .ok(
            Method::POST,
            "/api/v1/gateways",
            Some(double.create_body("fuzz-gateway")),
        )
        .await;
    let tag = svc
        .ok(Method::POST, "/api/v1/tags", Some(json!({"name": "fuzz"})))
        .await;
    let group = svc
        .ok(
            Method::POST,
            "/api/v1/board-groups",
            Some(json!({"name": "Fuzz group", "slug": "fuzz-group"})),
        )
        .await;
    // The board joins the group, so its group memory routes have a group to write to.
    svc.ok(
        Method::PATCH,
        &format!("/api/v1/boards/{board_id}"),
        Some(json!({"board_group_id": id(&group)})),
    )
    .await;
    let field = svc
        .ok(
            Method::POST,
            "/api/v1/organizations/me/custom-fields",
            Some(json!({"field_key": "fuzz_field", "label": "Fuzz", "field_type": "text", "board_ids": [board_id]})),
        )
        .await;
    let invite = svc
        .ok(
            Method::POST,
            "/api/v1/organizations/me/invites",
            Some(json!({"invited_email": "fuzz@example.com"})),
        )
        .await;
    let approval = svc
        .ok(
            Method::POST,
            &format!("/api/v1/boards/{board_id}/approvals"),
            Some(json!({
                "action_type": "deploy",
                "task_id": task_id,
                "payload": {"reason": "seeded for the fuzz run"},
                "confidence": 80,
            })),
        )
        .await;
    svc.ok(
        Method::POST,
        &format!("/api/v1/boards/{board_id}/tasks/{task_id}/comments"),
        Some(json!({"message": "seeded comment"})),
    )
    .await;
    svc.ok(
        Method::POST,
        &format!("/api/v1/boards/{board_id}/memory"),
        Some(json!({"content": "seeded memory"})),
    )
    .await;
    // A webhook without a secret, and one payload it received.
    let hook = svc
        .ok(
            Method::POST,
            &format!("/api/v1/boards/{board_id}/webhooks"),
            Some(json!({"description": "seeded webhook"})),
        )
        .await;
    let received = svc
        .http
        .post(svc.url(&format!("/api/v1/boards/{board_id}/webhooks/{}", id(&hook))))
        .body("{\"seeded\": true}")
        .send()
        .await
        .unwrap();
    let received: Value = received.json().await.unwrap();
    json!({
        "webhook_id": id(&hook),
        "payload_id": received["payload_id"],
        "organization_id": id(&organization),
        "member_id": id(&member),
        "board_id": board_id,
        "task_id": task_id,
        "agent_id": id(&agent),
        "agent_token": agent_token,
        "gateway_id": id(&gateway),
        "gateway_url": double.url,
        "gateway_token": DOUBLE_TOKEN,
        "tag_id": id(&tag),
        "group_id": id(&group),
        "task_custom_field_definition_id": id(&field),
        "invite_id": id(&invite),
        "approval_id": id(&approval),
    })
}

/// One Schemathesis run as `caller` ("user" or "agent"); fails the test with the report's
/// failures when any check fails.
async fn run(cli: &PathBuf, svc: &Deployment, seed: &Value, backend: &str, caller: &str) {
    let reports = target_dir().join("schemathesis");
    std::fs::create_dir_all(&reports).unwrap();
    let seed_file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(seed_file.path(), seed.to_string()).unwrap();
    let examples = environment()
        .schemathesis_examples
        .clone()
        .unwrap_or_else(|| "3".to_owned());
    // The credential is tied to its security scheme, so the checks that drop or spoil it
    // (ignored_auth) know which one it is; operations that do not take the scheme get none.
    let credential = match caller {
        "user" => format!("[auth.openapi.HTTPBearer]\nbearer = \"{TOKEN}\"\n"),
        _ => format!(
            "[auth.openapi.AgentToken]\napi_key = \"{}\"\n",
            seed["agent_token"].as_str().unwrap()
        ),
    };
    let dir = workspace_root().join("tests/schemathesis");
    let common = std::fs::read_to_string(dir.join("schemathesis.toml")).unwrap();
    let config = reports.join(format!("{backend}-{caller}.toml"));
    std::fs::write(&config, format!("{common}\n{credential}")).unwrap();
    // Run from the reports directory: whatever the tool leaves behind stays out of the tree.
    let output = tokio::process::Command::new(cli)
        .current_dir(&reports)
        .arg("--config-file")
        .arg(&config)
        .args(["run", &svc.url("/openapi.json")])
        .args(["--checks", "all", "--seed", "42"])
        .args(["--max-examples", &examples, "--workers", "1"])
        .env("SCHEMATHESIS_HOOKS", "hooks")
        .env("PYTHONPATH", &dir)
        .env("MC_BASE_URL", svc.url(""))
        .env("MC_SEED_FILE", seed_file.path())
        .env("MC_USER_TOKEN", TOKEN)
        .env("MC_CALLER", caller)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .await
        .expect("run schemathesis");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let file = reports.join(format!("{backend}-{caller}.txt"));
    std::fs::write(&file, &report).unwrap();
    assert!(
        report.contains("Tested:"),
        "schemathesis did not test anything ({}):\n{report}",
        file.display()
    );
    assert!(
        output.status.success(),
        "schemathesis found failures as {caller} on {backend} (full report: {}):\n{}",
        file.display(),
        tail(&report, 30_000)
    );
}

fn tail(text: &str, max: usize) -> &str {
    let start = text.len().saturating_sub(max);
    let start = (start..text.len())
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(text.len());
    &text[start..]
}
