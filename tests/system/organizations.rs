//! Tenancy and organization rules with several real users (Clerk mode against a loopback
//! JWKS): nothing of another organization is visible, grants limit boards, invites, roles,
//! the last owner stays, and deleting an organization or a user leaves nothing behind.

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::idp::Idp;
use system_tests::{Launch, Service, TestDb};

async fn ok(svc: &Service, token: &str, method: Method, path: &str, body: Option<Value>) -> Value {
    let (status, value) = svc.call_as(token, method.clone(), path, body).await;
    assert_eq!(status, 200, "{method} {path}: {value}");
    value
}

async fn status(svc: &Service, token: &str, method: Method, path: &str, body: Option<Value>) -> u16 {
    svc.call_as(token, method, path, body).await.0
}

async fn run(svc: &Service, idp: &Idp) {
    let alice = idp.token("user_alice", "alice@example.test");
    let bob = idp.token("user_bob", "bob@example.test");
    let carol = idp.token("user_carol", "carol@example.test");
    for t in [&alice, &bob, &carol] {
        ok(svc, t, Method::POST, "/api/v1/auth/bootstrap", None).await;
    }
    let alice_org = ok(svc, &alice, Method::GET, "/api/v1/organizations/me", None).await;
    let board = |name: &str| json!({"name": name, "slug": name.to_lowercase(), "description": "d"});
    let x = ok(svc, &alice, Method::POST, "/api/v1/boards", Some(board("Xray"))).await;
    let y = ok(svc, &alice, Method::POST, "/api/v1/boards", Some(board("Yankee"))).await;
    let (xid, yid) = (
        x["id"].as_str().unwrap().to_owned(),
        y["id"].as_str().unwrap().to_owned(),
    );
    let task = ok(
        svc,
        &alice,
        Method::POST,
        &format!("/api/v1/boards/{xid}/tasks"),
        Some(json!({"title": "secret plan"})),
    )
    .await;

    // Another organization sees nothing, and existence is not revealed.
    assert_eq!(
        status(svc, &bob, Method::GET, &format!("/api/v1/boards/{xid}"), None).await,
        404
    );
    assert_eq!(
        status(svc, &bob, Method::GET, &format!("/api/v1/boards/{xid}/tasks"), None).await,
        404
    );
    assert_eq!(
        status(svc, &bob, Method::GET, &format!("/api/v1/boards/{xid}/snapshot"), None).await,
        404
    );
    assert_eq!(
        status(
            svc,
            &bob,
            Method::PATCH,
            &format!("/api/v1/boards/{xid}/tasks/{}", task["id"].as_str().unwrap()),
            Some(json!({"title": "mine"}))
        )
        .await,
        404
    );
    let bobs = ok(svc, &bob, Method::GET, "/api/v1/boards", None).await;
    assert_eq!(bobs["total"], 0);
    let feed = ok(svc, &bob, Method::GET, "/api/v1/activity", None).await;
    assert_eq!(feed["total"], 0, "activity of another organization leaks: {feed}");

    // An invite carries a role and a read grant on one board; only its addressee accepts it.
    let invite = ok(
        svc,
        &alice,
        Method::POST,
        "/api/v1/organizations/me/invites",
        Some(json!({"invited_email": "Bob@Example.test", "role": "member", "board_access": [{"board_id": xid, "can_read": true}]})),
    )
    .await;
    assert_eq!(invite["invited_email"], "bob@example.test");
    let token = invite["token"].as_str().unwrap().to_owned();
    assert_eq!(
        status(svc, &bob, Method::GET, "/api/v1/organizations/me/invites", None).await,
        200,
        "bob is admin of his own org"
    );
    let pending = ok(svc, &alice, Method::GET, "/api/v1/organizations/me/invites", None).await;
    assert_eq!(pending["total"], 1);
    assert_eq!(
        status(
            svc,
            &carol,
            Method::POST,
            "/api/v1/organizations/invites/accept",
            Some(json!({"token": token}))
        )
        .await,
        403
    );
    let joined = ok(
        svc,
        &bob,
        Method::POST,
        "/api/v1/organizations/invites/accept",
        Some(json!({"token": token})),
    )
    .await;
    assert_eq!(joined["organization_id"], alice_org["id"]);
    assert_eq!(joined["role"], "member");
    assert_eq!(
        status(
            svc,
            &bob,
            Method::POST,
            "/api/v1/organizations/invites/accept",
            Some(json!({"token": token}))
        )
        .await,
        404,
        "an invite is used once"
    );

    // Bob now acts in Alice's organization, limited to his grant.
    let list = ok(svc, &bob, Method::GET, "/api/v1/organizations/me/list", None).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == alice_org["id"] && o["is_active"] == true && o["role"] == "member")
    );
    let visible = ok(svc, &bob, Method::GET, "/api/v1/boards", None).await;
    assert_eq!(visible["total"], 1);
    assert_eq!(visible["items"][0]["id"], x["id"]);
    assert_eq!(
        status(svc, &bob, Method::GET, &format!("/api/v1/boards/{yid}"), None).await,
        403
    );
    assert_eq!(
        status(svc, &bob, Method::GET, &format!("/api/v1/boards/{xid}/tasks"), None).await,
        200
    );
    assert_eq!(
        status(
            svc,
            &bob,
            Method::POST,
            &format!("/api/v1/boards/{xid}/tasks"),
            Some(json!({"title": "nope"}))
        )
        .await,
        403,
        "a read grant does not allow writing"
    );
    let me = ok(svc, &bob, Method::GET, "/api/v1/organizations/me/member", None).await;
    assert_eq!(me["role"], "member");
    assert_eq!(me["board_access"][0]["board_id"], x["id"]);
    let bob_member = me["id"].as_str().unwrap().to_owned();
    let members = ok(svc, &bob, Method::GET, "/api/v1/organizations/me/members", None).await;
    assert_eq!(members["total"], 2);
    let alice_member = members["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["role"] == "owner")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Roles: members cannot administer; admins cannot touch owners; the last owner stays.
    assert_eq!(
        status(
            svc,
            &bob,
            Method::PATCH,
            &format!("/api/v1/organizations/me/members/{bob_member}"),
            Some(json!({"role": "admin"}))
        )
        .await,
        403
    );
    ok(
        svc,
        &alice,
        Method::PATCH,
        &format!("/api/v1/organizations/me/members/{bob_member}"),
        Some(json!({"role": "admin"})),
    )
    .await;
    assert_eq!(
        status(
            svc,
            &bob,
            Method::DELETE,
            &format!("/api/v1/organizations/me/members/{alice_member}"),
            None
        )
        .await,
        403
    );
    assert_eq!(
        status(
            svc,
            &bob,
            Method::PATCH,
            &format!("/api/v1/organizations/me/members/{alice_member}"),
            Some(json!({"role": "member"}))
        )
        .await,
        403
    );
    assert_eq!(
        status(
            svc,
            &alice,
            Method::PATCH,
            &format!("/api/v1/organizations/me/members/{alice_member}"),
            Some(json!({"role": "admin"}))
        )
        .await,
        409
    );
    assert_eq!(
        status(
            svc,
            &alice,
            Method::DELETE,
            &format!("/api/v1/organizations/me/members/{alice_member}"),
            None
        )
        .await,
        403,
        "nobody removes themselves"
    );
    assert_eq!(
        status(
            svc,
            &alice,
            Method::PATCH,
            &format!("/api/v1/organizations/me/members/{bob_member}"),
            Some(json!({"role": "emperor"}))
        )
        .await,
        422
    );

    // Access: blanket read opens every board; grants on foreign boards are refused.
    let carol_board = ok(svc, &carol, Method::POST, "/api/v1/boards", Some(board("Carols"))).await;
    assert_eq!(
        status(
            svc,
            &alice,
            Method::PUT,
            &format!("/api/v1/organizations/me/members/{bob_member}/access"),
            Some(json!({"board_access": [{"board_id": carol_board["id"], "can_read": true}]}))
        )
        .await,
        422
    );
    let opened = ok(
        svc,
        &alice,
        Method::PUT,
        &format!("/api/v1/organizations/me/members/{bob_member}/access"),
        Some(json!({"all_boards_read": true})),
    )
    .await;
    assert_eq!(opened["all_boards_read"], true);
    assert_eq!(opened["board_access"], json!([]));
    assert_eq!(ok(svc, &bob, Method::GET, "/api/v1/boards", None).await["total"], 2);

    // Switching back to his own organization.
    let bob_personal = list
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] != alice_org["id"])
        .unwrap()["id"]
        .clone();
    ok(
        svc,
        &bob,
        Method::PATCH,
        "/api/v1/organizations/me/active",
        Some(json!({"organization_id": bob_personal})),
    )
    .await;
    assert_eq!(ok(svc, &bob, Method::GET, "/api/v1/boards", None).await["total"], 0);
    assert_eq!(
        status(
            svc,
            &bob,
            Method::PATCH,
            "/api/v1/organizations/me/active",
            Some(json!({"organization_id": carol_board["organization_id"]}))
        )
        .await,
        404,
        "cannot switch into an organization one does not belong to"
    );

    // Revoking an invite.
    let spare = ok(
        svc,
        &alice,
        Method::POST,
        "/api/v1/organizations/me/invites",
        Some(json!({"invited_email": "dave@example.test"})),
    )
    .await;
    ok(
        svc,
        &alice,
        Method::DELETE,
        &format!("/api/v1/organizations/me/invites/{}", spare["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(
        ok(svc, &alice, Method::GET, "/api/v1/organizations/me/invites", None).await["total"],
        0
    );

    // A new organization, then deleting it removes its boards.
    let extra = ok(
        svc,
        &alice,
        Method::POST,
        "/api/v1/organizations",
        Some(json!({"name": "Side project"})),
    )
    .await;
    assert_eq!(
        ok(svc, &alice, Method::GET, "/api/v1/organizations/me", None).await["id"],
        extra["id"]
    );
    let side = ok(svc, &alice, Method::POST, "/api/v1/boards", Some(board("Side"))).await;
    ok(
        svc,
        &alice,
        Method::POST,
        &format!("/api/v1/boards/{}/tasks", side["id"].as_str().unwrap()),
        Some(json!({"title": "t"})),
    )
    .await;
    ok(svc, &alice, Method::DELETE, "/api/v1/organizations/me", None).await;
    // Alice lands in her remaining organization.
    assert_eq!(
        ok(svc, &alice, Method::GET, "/api/v1/organizations/me", None).await["id"],
        alice_org["id"]
    );
    assert_eq!(
        status(
            svc,
            &alice,
            Method::GET,
            &format!("/api/v1/boards/{}", side["id"].as_str().unwrap()),
            None
        )
        .await,
        404
    );

    // Bob deletes his account: his personal organization goes, Alice's keeps one member.
    ok(svc, &bob, Method::DELETE, "/api/v1/users/me", None).await;
    assert_eq!(
        ok(svc, &alice, Method::GET, "/api/v1/organizations/me/members", None).await["total"],
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn organization_rules_hold_on_sqlite() {
    let idp = Idp::start().await;
    let svc = idp.configure(Launch::new()).start().await.unwrap();
    run(&svc, &idp).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn organization_rules_hold_on_postgres_and_leave_no_orphans() {
    let idp = Idp::start().await;
    let db = TestDb::create().await.unwrap();
    let svc = idp.configure(Launch::new().postgres(&db)).start().await.unwrap();
    run(&svc, &idp).await;
    let mut conn = db.connect().await.unwrap();
    for (table, sql) in [
        (
            "boards",
            "SELECT count(*) FROM boards WHERE organization_id NOT IN (SELECT id FROM organizations)",
        ),
        (
            "tasks",
            "SELECT count(*) FROM tasks WHERE board_id NOT IN (SELECT id FROM boards)",
        ),
        (
            "members",
            "SELECT count(*) FROM organization_members WHERE organization_id NOT IN (SELECT id FROM organizations)",
        ),
        (
            "grants",
            "SELECT count(*) FROM organization_board_access WHERE organization_member_id NOT IN (SELECT id FROM organization_members)",
        ),
        ("users", "SELECT count(*) FROM users WHERE clerk_user_id = 'user_bob'"),
    ] {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(n, 0, "leftovers in {table}");
    }
}
