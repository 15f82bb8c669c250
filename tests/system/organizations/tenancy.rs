//! What a user sees: nothing of another organization; in one they joined, the boards their
//! grants allow; switching organizations only into their own.

use reqwest::Method;
use serde_json::json;
use system_tests::{Backend, id, items, on_both_backends};

use super::{World, board};

on_both_backends!(
    another_organization_sees_nothing_and_learns_nothing_exists,
    an_invite_is_accepted_once_and_only_by_its_addressee,
    a_read_grant_limits_a_member_to_reading_its_boards,
    blanket_read_opens_every_board_and_grants_on_foreign_boards_are_refused,
    a_user_switches_only_into_organizations_they_belong_to,
);

async fn another_organization_sees_nothing_and_learns_nothing_exists(backend: Backend) {
    let w = World::start(backend).await;
    let (bob, xid) = (&w.bob, id(&w.x));
    for path in [
        format!("/api/v1/boards/{xid}"),
        format!("/api/v1/boards/{xid}/tasks"),
        format!("/api/v1/boards/{xid}/snapshot"),
    ] {
        assert_eq!(w.status(bob, Method::GET, &path, None).await, 404, "{path}");
    }
    let patch = format!("/api/v1/boards/{xid}/tasks/{}", id(&w.task));
    assert_eq!(
        w.status(bob, Method::PATCH, &patch, Some(json!({"title": "mine"})))
            .await,
        404
    );
    let boards = w.svc.ok_as(bob, Method::GET, "/api/v1/boards", None).await;
    assert_eq!(boards["total"], 0);
    let feed = w.svc.ok_as(bob, Method::GET, "/api/v1/activity", None).await;
    assert_eq!(feed["total"], 0, "activity of another organization leaks: {feed}");
}

async fn an_invite_is_accepted_once_and_only_by_its_addressee(backend: Backend) {
    let w = World::start(backend).await;
    let invite = w.invite_bob().await;
    assert_eq!(invite["invited_email"], "bob@example.test");
    let token = json!({"token": invite["token"]});
    assert_eq!(
        w.status(&w.bob, Method::GET, "/api/v1/organizations/me/invites", None)
            .await,
        200,
        "bob is admin of his own org"
    );
    let pending = w
        .svc
        .ok_as(&w.alice, Method::GET, "/api/v1/organizations/me/invites", None)
        .await;
    assert_eq!(pending["total"], 1);
    let accept = "/api/v1/organizations/invites/accept";
    assert_eq!(w.status(&w.carol, Method::POST, accept, Some(token.clone())).await, 403);
    let joined = w.svc.ok_as(&w.bob, Method::POST, accept, Some(token.clone())).await;
    assert_eq!(joined["organization_id"], w.alice_org["id"]);
    assert_eq!(joined["role"], "member");
    assert_eq!(
        w.status(&w.bob, Method::POST, accept, Some(token)).await,
        404,
        "an invite is used once"
    );
}

async fn a_read_grant_limits_a_member_to_reading_its_boards(backend: Backend) {
    let w = World::start(backend).await;
    w.bob_joins().await;
    let bob = &w.bob;
    let list = w
        .svc
        .ok_as(bob, Method::GET, "/api/v1/organizations/me/list", None)
        .await;
    assert_eq!(items(&list).len(), 2);
    assert!(
        items(&list)
            .iter()
            .any(|o| o["id"] == w.alice_org["id"] && o["is_active"] == true && o["role"] == "member")
    );
    let visible = w.svc.ok_as(bob, Method::GET, "/api/v1/boards", None).await;
    assert_eq!(visible["total"], 1);
    assert_eq!(visible["items"][0]["id"], w.x["id"]);
    let (xid, yid) = (id(&w.x), id(&w.y));
    assert_eq!(
        w.status(bob, Method::GET, &format!("/api/v1/boards/{yid}"), None).await,
        403
    );
    let tasks = format!("/api/v1/boards/{xid}/tasks");
    assert_eq!(w.status(bob, Method::GET, &tasks, None).await, 200);
    assert_eq!(
        w.status(bob, Method::POST, &tasks, Some(json!({"title": "nope"})))
            .await,
        403,
        "a read grant does not allow writing"
    );
    let me = w
        .svc
        .ok_as(bob, Method::GET, "/api/v1/organizations/me/member", None)
        .await;
    assert_eq!(me["role"], "member");
    assert_eq!(me["board_access"][0]["board_id"], w.x["id"]);
    let members = w
        .svc
        .ok_as(bob, Method::GET, "/api/v1/organizations/me/members", None)
        .await;
    assert_eq!(members["total"], 2);
}

async fn blanket_read_opens_every_board_and_grants_on_foreign_boards_are_refused(backend: Backend) {
    let w = World::start(backend).await;
    let (bob_member, _) = w.bob_joins().await;
    let carol_board = w
        .svc
        .ok_as(&w.carol, Method::POST, "/api/v1/boards", Some(board("Carols")))
        .await;
    let access = format!("/api/v1/organizations/me/members/{bob_member}/access");
    assert_eq!(
        w.status(
            &w.alice,
            Method::PUT,
            &access,
            Some(json!({"board_access": [{"board_id": carol_board["id"], "can_read": true}]}))
        )
        .await,
        422
    );
    let opened = w
        .svc
        .ok_as(&w.alice, Method::PUT, &access, Some(json!({"all_boards_read": true})))
        .await;
    assert_eq!(opened["all_boards_read"], true);
    assert_eq!(opened["board_access"], json!([]));
    let boards = w.svc.ok_as(&w.bob, Method::GET, "/api/v1/boards", None).await;
    assert_eq!(boards["total"], 2);
}

async fn a_user_switches_only_into_organizations_they_belong_to(backend: Backend) {
    let w = World::start(backend).await;
    w.bob_joins().await;
    let list = w
        .svc
        .ok_as(&w.bob, Method::GET, "/api/v1/organizations/me/list", None)
        .await;
    let personal = items(&list).iter().find(|o| o["id"] != w.alice_org["id"]).unwrap()["id"].clone();
    let active = "/api/v1/organizations/me/active";
    w.svc
        .ok_as(
            &w.bob,
            Method::PATCH,
            active,
            Some(json!({"organization_id": personal})),
        )
        .await;
    let boards = w.svc.ok_as(&w.bob, Method::GET, "/api/v1/boards", None).await;
    assert_eq!(boards["total"], 0);
    let carols = w
        .svc
        .ok_as(&w.carol, Method::GET, "/api/v1/organizations/me", None)
        .await;
    assert_eq!(
        w.status(
            &w.bob,
            Method::PATCH,
            active,
            Some(json!({"organization_id": carols["id"]}))
        )
        .await,
        404,
        "cannot switch into an organization one does not belong to"
    );
}
