//! Tenancy and organization rules with several real users (Clerk mode against a loopback
//! JWKS): nothing of another organization is visible, grants limit boards, invites, roles,
//! the last owner stays, and deleting an organization or a user leaves nothing behind.

mod members;
mod tenancy;

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::idp::Idp;
use system_tests::{Backend, Deployment, Launch, id};

/// Alice (owner of her organization, boards Xray and Yankee, a task on Xray), Bob and Carol,
/// each bootstrapped with a personal organization.
pub struct World {
    pub svc: Deployment,
    pub alice: String,
    pub bob: String,
    pub carol: String,
    pub alice_org: Value,
    pub x: Value,
    pub y: Value,
    pub task: Value,
    _idp: Idp,
}

pub fn board(name: &str) -> Value {
    json!({"name": name, "slug": name.to_lowercase(), "description": "d"})
}

impl World {
    pub async fn start(backend: Backend) -> Self {
        let idp = Idp::start().await;
        let svc = backend.start_with(idp.configure(Launch::new())).await;
        let alice = idp.token("user_alice", "alice@example.test");
        let bob = idp.token("user_bob", "bob@example.test");
        let carol = idp.token("user_carol", "carol@example.test");
        for t in [&alice, &bob, &carol] {
            svc.ok_as(t, Method::POST, "/api/v1/auth/bootstrap", None).await;
        }
        let alice_org = svc.ok_as(&alice, Method::GET, "/api/v1/organizations/me", None).await;
        let x = svc
            .ok_as(&alice, Method::POST, "/api/v1/boards", Some(board("Xray")))
            .await;
        let y = svc
            .ok_as(&alice, Method::POST, "/api/v1/boards", Some(board("Yankee")))
            .await;
        let task = svc
            .ok_as(
                &alice,
                Method::POST,
                &format!("/api/v1/boards/{}/tasks", id(&x)),
                Some(json!({"title": "secret plan"})),
            )
            .await;
        Self {
            svc,
            alice,
            bob,
            carol,
            alice_org,
            x,
            y,
            task,
            _idp: idp,
        }
    }

    /// Alice invites Bob as a member with a read grant on Xray; the invite's JSON.
    pub async fn invite_bob(&self) -> Value {
        self.svc
            .ok_as(
                &self.alice,
                Method::POST,
                "/api/v1/organizations/me/invites",
                Some(json!({"invited_email": "Bob@Example.test", "role": "member", "board_access": [{"board_id": self.x["id"], "can_read": true}]})),
            )
            .await
    }

    /// Bob accepts the invite; returns (his membership id, Alice's membership id).
    pub async fn bob_joins(&self) -> (String, String) {
        let invite = self.invite_bob().await;
        self.svc
            .ok_as(
                &self.bob,
                Method::POST,
                "/api/v1/organizations/invites/accept",
                Some(json!({"token": invite["token"]})),
            )
            .await;
        let me = self
            .svc
            .ok_as(&self.bob, Method::GET, "/api/v1/organizations/me/member", None)
            .await;
        let members = self
            .svc
            .ok_as(&self.alice, Method::GET, "/api/v1/organizations/me/members", None)
            .await;
        let alice_member = system_tests::items(&members)
            .iter()
            .find(|m| m["role"] == "owner")
            .map(id)
            .unwrap();
        (id(&me), alice_member)
    }

    /// The status of a request as `token`.
    pub async fn status(&self, token: &str, method: Method, path: &str, body: Option<Value>) -> u16 {
        self.svc.call_as(token, method, path, body).await.0
    }
}
