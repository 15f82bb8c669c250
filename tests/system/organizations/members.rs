//! Roles and the organization's life: members cannot administer, admins cannot touch owners,
//! the last owner stays; invites are revoked; deleting an organization or a user leaves
//! nothing behind.

use reqwest::Method;
use serde_json::json;
use system_tests::{Backend, id, on_both_backends};

use super::{World, board};

on_both_backends!(
    members_cannot_administer_and_admins_cannot_touch_owners,
    the_last_owner_stays_and_nobody_removes_themselves,
    a_revoked_invite_is_gone,
    deleting_an_organization_removes_its_boards,
    deleting_a_user_leaves_no_orphans,
);

fn member(id: &str) -> String {
    format!("/api/v1/organizations/me/members/{id}")
}

async fn members_cannot_administer_and_admins_cannot_touch_owners(backend: Backend) {
    let w = World::start(backend).await;
    let (bob_member, alice_member) = w.bob_joins().await;
    let admin = Some(json!({"role": "admin"}));
    assert_eq!(
        w.status(&w.bob, Method::PATCH, &member(&bob_member), admin.clone())
            .await,
        403
    );
    w.svc.ok_as(&w.alice, Method::PATCH, &member(&bob_member), admin).await;
    assert_eq!(
        w.status(&w.bob, Method::DELETE, &member(&alice_member), None).await,
        403
    );
    assert_eq!(
        w.status(
            &w.bob,
            Method::PATCH,
            &member(&alice_member),
            Some(json!({"role": "member"}))
        )
        .await,
        403
    );
}

async fn the_last_owner_stays_and_nobody_removes_themselves(backend: Backend) {
    let w = World::start(backend).await;
    let (bob_member, alice_member) = w.bob_joins().await;
    assert_eq!(
        w.status(
            &w.alice,
            Method::PATCH,
            &member(&alice_member),
            Some(json!({"role": "admin"}))
        )
        .await,
        409,
        "the last owner stays"
    );
    assert_eq!(
        w.status(&w.alice, Method::DELETE, &member(&alice_member), None).await,
        403,
        "nobody removes themselves"
    );
    assert_eq!(
        w.status(
            &w.alice,
            Method::PATCH,
            &member(&bob_member),
            Some(json!({"role": "emperor"}))
        )
        .await,
        422
    );
}

async fn a_revoked_invite_is_gone(backend: Backend) {
    let w = World::start(backend).await;
    let spare = w
        .svc
        .ok_as(
            &w.alice,
            Method::POST,
            "/api/v1/organizations/me/invites",
            Some(json!({"invited_email": "dave@example.test"})),
        )
        .await;
    w.svc
        .ok_as(
            &w.alice,
            Method::DELETE,
            &format!("/api/v1/organizations/me/invites/{}", id(&spare)),
            None,
        )
        .await;
    let pending = w
        .svc
        .ok_as(&w.alice, Method::GET, "/api/v1/organizations/me/invites", None)
        .await;
    assert_eq!(pending["total"], 0);
}

async fn deleting_an_organization_removes_its_boards(backend: Backend) {
    let w = World::start(backend).await;
    let alice = &w.alice;
    let extra = w
        .svc
        .ok_as(
            alice,
            Method::POST,
            "/api/v1/organizations",
            Some(json!({"name": "Side project"})),
        )
        .await;
    let active = w.svc.ok_as(alice, Method::GET, "/api/v1/organizations/me", None).await;
    assert_eq!(active["id"], extra["id"], "a new organization becomes the active one");
    let side = w
        .svc
        .ok_as(alice, Method::POST, "/api/v1/boards", Some(board("Side")))
        .await;
    w.svc
        .ok_as(
            alice,
            Method::POST,
            &format!("/api/v1/boards/{}/tasks", id(&side)),
            Some(json!({"title": "t"})),
        )
        .await;
    w.svc
        .ok_as(alice, Method::DELETE, "/api/v1/organizations/me", None)
        .await;
    let active = w.svc.ok_as(alice, Method::GET, "/api/v1/organizations/me", None).await;
    assert_eq!(
        active["id"], w.alice_org["id"],
        "Alice lands in her remaining organization"
    );
    assert_eq!(
        w.status(alice, Method::GET, &format!("/api/v1/boards/{}", id(&side)), None)
            .await,
        404
    );
    let orphans = w
        .svc
        .database
        .count("SELECT count(*) FROM boards WHERE organization_id NOT IN (SELECT id FROM organizations)")
        .await;
    assert_eq!(orphans, 0);
}

async fn deleting_a_user_leaves_no_orphans(backend: Backend) {
    let w = World::start(backend).await;
    w.bob_joins().await;
    w.svc.ok_as(&w.bob, Method::DELETE, "/api/v1/users/me", None).await;
    let members = w
        .svc
        .ok_as(&w.alice, Method::GET, "/api/v1/organizations/me/members", None)
        .await;
    assert_eq!(members["total"], 1, "Bob's membership in Alice's organization is gone");
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
        assert_eq!(w.svc.database.count(sql).await, 0, "leftovers in {table}");
    }
}
