//! The agent's board routes besides tasks (`GET /api/v1/agent/agents`,
//! `GET /api/v1/agent/boards/{board_id}` and its `approvals`, `memory` and `tags`) with the
//! agent's board scope, and board chat's recorded recipients (mentions, `@lead`, `/pause`
//! and `/resume`).

mod approvals;
mod chat;
mod reads;

use reqwest::Method;
use serde_json::json;
use system_tests::{Deployment, id};

/// Makes the named agent its board's lead (directly in the database).
pub async fn make_lead(svc: &Deployment, name: &str) {
    svc.database
        .execute(&format!("UPDATE agents SET is_board_lead = true WHERE name = '{name}'"))
        .await;
}

/// An agent bound to no board (a gateway main agent) in the local user's organization: made
/// on `board`, then detached from it in the database. Its id and token.
pub async fn main_agent(svc: &Deployment, board: &str, name: &str) -> (String, String) {
    let (agent, token) = svc.create_agent(board, name).await;
    svc.database
        .execute(&format!("UPDATE agents SET board_id = NULL WHERE name = '{name}'"))
        .await;
    (id(&agent), token)
}

/// A board (with a tag) in a second organization of the local user, who is switched back to
/// their first organization afterwards. The board's id.
pub async fn foreign_board(svc: &Deployment) -> String {
    let home = id(&svc.ok(Method::GET, "/api/v1/organizations/me", None).await);
    let away = svc
        .ok(
            Method::POST,
            "/api/v1/organizations",
            Some(json!({"name": "Elsewhere"})),
        )
        .await;
    svc.ok(
        Method::PATCH,
        "/api/v1/organizations/me/active",
        Some(json!({"organization_id": id(&away)})),
    )
    .await;
    let board = id(&svc.create_board("Foreign").await);
    svc.ok(Method::POST, "/api/v1/tags", Some(json!({"name": "foreign-tag"})))
        .await;
    svc.ok(
        Method::PATCH,
        "/api/v1/organizations/me/active",
        Some(json!({"organization_id": home})),
    )
    .await;
    board
}
