//! Agents working a board's tasks through `PATCH /api/v1/agent/boards/{id}/tasks/{id}`: the
//! worker and lead rule sets, and claims that cannot collide; and their comments through the
//! agent routes.

mod claims;
mod comments;
mod lead_tasks;
mod rules;
mod stale_claims;

use reqwest::Method;
use serde_json::Value;
use system_tests::Deployment;

/// PATCHes a task as an agent.
pub async fn agent_patch(svc: &Deployment, token: &str, board: &str, task: &str, body: Value) -> (u16, Value) {
    svc.call_as_agent(
        token,
        Method::PATCH,
        &format!("/api/v1/agent/boards/{board}/tasks/{task}"),
        Some(body),
    )
    .await
}
