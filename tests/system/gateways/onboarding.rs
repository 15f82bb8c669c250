//! Board onboarding with the gateway main agent, and what a board without a gateway answers.

use reqwest::Method;
use serde_json::json;
use system_tests::gateway_double::GatewayDouble;
use system_tests::{Backend, id, on_both_backends};

use super::{Fleet, said};

on_both_backends!(onboarding_drafts_and_confirms_a_goal_with_the_main_agent);

async fn onboarding_drafts_and_confirms_a_goal_with_the_main_agent(backend: Backend) {
    let f = Fleet::start(backend, GatewayDouble::current().await).await;
    let base = format!("/api/v1/boards/{}/onboarding", f.board);
    let main_session = format!("agent:{}:main", f.main_key());
    // What the web UI does right after "Create board".
    let started = f.svc.ok(Method::POST, &format!("{base}/start"), Some(json!({}))).await;
    assert_eq!(started["status"], "active");
    assert_eq!(started["session_key"], main_session.as_str());
    for _ in 0..3 {
        let got = f.svc.ok(Method::GET, &base, None).await;
        assert_eq!(got["id"], started["id"]);
    }
    assert!(
        said(&f.double, &main_session)
            .iter()
            .any(|m| m.contains("Board onboarding"))
    );

    let main = f.token_of(&f.main_key());
    let agent_path = format!("/api/v1/agent/boards/{}/onboarding", f.board);
    let asked = f
        .svc
        .ok_as_agent(
            &main,
            Method::POST,
            &agent_path,
            Some(json!({"question": "What does done look like?", "options": [{"id": "1", "label": "A shipped release"}]})),
        )
        .await;
    assert_eq!(asked["messages"].as_array().unwrap().len(), 1);
    let answered = f
        .svc
        .ok(
            Method::POST,
            &format!("{base}/answer"),
            Some(json!({"answer": "A shipped release", "other_text": "by June"})),
        )
        .await;
    assert_eq!(answered["messages"][1]["role"], "user");
    assert!(
        said(&f.double, &main_session)
            .iter()
            .any(|m| m.contains("A shipped release: by June"))
    );

    // Users cannot post as the agent; the agent posts the completed draft.
    let (status, _) = f
        .svc
        .call(
            Method::POST,
            &format!("{base}/agent"),
            Some(json!({"question": "x", "options": []})),
        )
        .await;
    assert_eq!(status, 401);
    let draft = json!({"status": "complete", "board_type": "goal", "objective": "Ship 2.0",
        "success_metrics": {"metric": "release", "target": "2.0"}, "target_date": "2027-06-30",
        "user_profile": {"preferred_name": "Sam", "timezone": "Europe/Paris"},
        "lead_agent": {"name": "Captain", "autonomy_level": "fully autonomous", "identity_profile": {"role": "Release lead"}}});
    let done = f
        .svc
        .ok_as_agent(&main, Method::POST, &format!("{base}/agent"), Some(draft))
        .await;
    assert_eq!(done["status"], "completed");
    assert_eq!(done["draft_goal"]["objective"], "Ship 2.0");

    let board = f
        .svc
        .ok(
            Method::POST,
            &format!("{base}/confirm"),
            Some(json!({"board_type": "goal", "objective": "Ship 2.0", "success_metrics": {"metric": "release"}, "target_date": "2027-06-30"})),
        )
        .await;
    assert_eq!(board["goal_confirmed"], true);
    assert_eq!(board["goal_source"], "lead_agent_onboarding");
    assert_eq!(board["require_approval_for_done"], false, "a fully autonomous lead");
    let me = f.svc.ok(Method::GET, "/api/v1/users/me", None).await;
    assert_eq!(me["preferred_name"], "Sam");
    let agents = f
        .svc
        .ok(Method::GET, &format!("/api/v1/agents?board_id={}", f.board), None)
        .await;
    let lead = agents["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["is_board_lead"] == true)
        .unwrap()
        .clone();
    assert_eq!(lead["name"], "Captain");
    assert!(
        f.double.file(&format!("mc-{}", id(&lead)), "AGENTS.md").is_some(),
        "the lead is provisioned"
    );

    let (status, _) = f
        .svc
        .call_as_agent(
            &main,
            Method::POST,
            &agent_path,
            Some(json!({"question": "late", "options": []})),
        )
        .await;
    assert_eq!(status, 409, "the session is confirmed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_board_without_a_gateway_says_onboarding_needs_one() {
    let svc = Backend::Sqlite.start().await;
    let board = id(&svc.create_board("Plain").await);
    let base = format!("/api/v1/boards/{board}/onboarding");
    let (status, body) = svc.call(Method::POST, &format!("{base}/start"), Some(json!({}))).await;
    assert_eq!(status, 409, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("needs a gateway"), "{body}");
    let (status, body) = svc.call(Method::GET, &base, None).await;
    assert_eq!(status, 404, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("Onboarding session not found")
    );
}
