//! The agent provisioning lifecycle and board onboarding sessions.

use chrono::NaiveDateTime;
use serde_json::Value;
use uuid::Uuid;

/// Where an agent stands in its provisioning lifecycle.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgentLifecycle {
    pub id: Uuid,
    pub status: String,
    pub lifecycle_generation: i32,
    pub wake_attempts: i32,
    pub last_wake_sent_at: Option<NaiveDateTime>,
    pub checkin_deadline_at: Option<NaiveDateTime>,
    pub last_seen_at: Option<NaiveDateTime>,
    pub last_provision_error: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OnboardingRow {
    pub id: Uuid,
    pub board_id: Uuid,
    pub session_key: String,
    pub status: String,
    #[sqlx(json(nullable))]
    pub messages: Option<Value>,
    #[sqlx(json(nullable))]
    pub draft_goal: Option<Value>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A provisioning run to start (see `Store::begin_agent_run`).
#[derive(Debug, Clone)]
pub struct AgentRun<'a> {
    pub agent_id: Uuid,
    pub token_hash: &'a str,
    pub status: &'a str,
    pub session_key: &'a str,
    /// The first check-in deadline, when the reconcile job is due.
    pub deadline: NaiveDateTime,
    pub reconcile_kind: &'a str,
}

/// The outcome of a delivery job, recorded once under the job's id.
#[derive(Debug, Clone)]
pub struct Delivery<'a> {
    pub job_id: Uuid,
    pub event_type: &'a str,
    pub message: &'a str,
    pub agent_id: Uuid,
    pub task_id: Option<Uuid>,
    pub board_id: Option<Uuid>,
}
