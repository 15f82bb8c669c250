//! Row types filled by `FromRow` on either backend, and the inputs of writes.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde_json::Value;
use sqlx::types::Json;
use uuid::Uuid;

pub use crate::domain::filters::{MarketplaceFilter, TaskFilter, UserPatch};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrganizationRow {
    pub id: Uuid,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: Uuid,
    pub clerk_user_id: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub preferred_name: Option<String>,
    pub pronouns: Option<String>,
    pub timezone: Option<String>,
    pub notes: Option<String>,
    pub context: Option<String>,
    pub is_super_admin: bool,
    pub active_organization_id: Option<Uuid>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub user_id: Uuid,
    pub role: String,
    pub all_boards_read: bool,
    pub all_boards_write: bool,
}

/// A user and their membership in their active organization.
#[derive(Debug, Clone)]
pub struct UserContext {
    pub user: UserRow,
    pub member: Option<MemberRow>,
}

/// Who is signing in, as the identity provider describes them.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub clerk_user_id: String,
    pub email: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GatewayRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub url: String,
    pub token: Option<String>,
    pub workspace_root: String,
    pub disable_device_pairing: bool,
    pub allow_insecure_tls: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BoardRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub gateway_id: Option<Uuid>,
    pub board_group_id: Option<Uuid>,
    pub board_type: String,
    pub objective: Option<String>,
    pub success_metrics: Option<Json<Value>>,
    pub target_date: Option<NaiveDateTime>,
    pub goal_confirmed: bool,
    pub goal_source: Option<String>,
    pub require_approval_for_done: bool,
    pub require_review_before_done: bool,
    pub comment_required_for_review: bool,
    pub block_status_changes_with_pending_approval: bool,
    pub only_lead_can_change_status: bool,
    pub max_agents: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Which boards to list.
#[derive(Debug, Clone, Default)]
pub struct BoardFilter {
    pub organization_id: Uuid,
    pub gateway_id: Option<Uuid>,
    pub board_group_id: Option<Uuid>,
    /// Only boards this member has a per-board read grant on (members without blanket access).
    pub granted_to_member: Option<Uuid>,
    /// Only this board (a board-bound agent's view).
    pub only_board: Option<Uuid>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgentRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub board_id: Option<Uuid>,
    pub gateway_id: Option<Uuid>,
    pub name: String,
    pub status: String,
    pub openclaw_session_id: Option<String>,
    pub heartbeat_config: Option<Json<Value>>,
    pub identity_profile: Option<Json<Value>>,
    pub identity_template: Option<String>,
    pub soul_template: Option<String>,
    pub last_seen_at: Option<NaiveDateTime>,
    pub is_board_lead: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Default)]
pub struct AgentFilter {
    pub organization_id: Uuid,
    pub board_id: Option<Uuid>,
    pub gateway_id: Option<Uuid>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TaskRow {
    pub id: Uuid,
    pub board_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub status: String,
    pub priority: String,
    pub due_at: Option<NaiveDateTime>,
    pub in_progress_at: Option<NaiveDateTime>,
    pub previous_in_progress_at: Option<NaiveDateTime>,
    pub created_by_user_id: Option<Uuid>,
    pub assigned_agent_id: Option<Uuid>,
    pub auto_created: bool,
    pub auto_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TagRef {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub color: String,
}

/// A task with what its read model joins: dependencies (in creation order) with the ones
/// not done yet, tags, and custom field values with board defaults merged in.
#[derive(Debug, Clone)]
pub struct TaskView {
    pub task: TaskRow,
    pub depends_on_task_ids: Vec<Uuid>,
    pub blocked_by_task_ids: Vec<Uuid>,
    pub tags: Vec<TagRef>,
    pub custom_field_values: BTreeMap<String, Value>,
}

#[derive(Debug, Clone)]
pub struct NewTask {
    pub id: Uuid,
    pub board_id: Uuid,
    pub organization_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub status: String,
    pub priority: String,
    pub due_at: Option<NaiveDateTime>,
    pub created_by_user_id: Option<Uuid>,
    pub assigned_agent_id: Option<Uuid>,
    pub depends_on_task_ids: Vec<Uuid>,
    pub tag_ids: Vec<Uuid>,
    /// Checked values (board defaults included) to store with the task.
    pub custom_field_values: Vec<super::CustomValueWrite>,
    pub actor_agent_id: Option<Uuid>,
    pub now: NaiveDateTime,
}

/// The non-workflow fields of an update plus who acts; workflow fields go through the plan.
#[derive(Debug, Clone, Default)]
pub struct TaskUpdate {
    pub board_id: Uuid,
    pub organization_id: Uuid,
    pub task_id: Uuid,
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub priority: Option<String>,
    pub due_at: Option<Option<NaiveDateTime>>,
    pub tag_ids: Option<Vec<Uuid>>,
    /// Checked values to upsert (or remove, when `None`); keys not sent are left alone.
    pub custom_field_values: Vec<super::CustomValueWrite>,
    pub comment: Option<String>,
    pub actor_agent_id: Option<Uuid>,
    pub now: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ActivityRow {
    pub id: Uuid,
    pub event_type: String,
    pub message: Option<String>,
    pub agent_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub board_id: Option<Uuid>,
    pub created_at: NaiveDateTime,
}

/// The outcome of a task write: the task as read now, the activity rows the write recorded
/// (in order), and other tasks the write changed (dependents of a task entering or leaving
/// `done`).
#[derive(Debug, Clone)]
pub struct TaskWrite {
    pub view: TaskView,
    pub activity: Vec<ActivityRow>,
    pub touched: Vec<TaskView>,
}

/// Which boards a feed or a dashboard may show: the organization's, optionally one board,
/// optionally only those granted to a member without blanket access.
#[derive(Debug, Clone, Default)]
pub struct BoardScope {
    pub organization_id: Uuid,
    pub board_id: Option<Uuid>,
    pub granted_to_member: Option<Uuid>,
}

/// A task comment with the names a feed shows next to it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CommentFeedRow {
    pub id: Uuid,
    pub created_at: NaiveDateTime,
    pub message: Option<String>,
    pub agent_id: Option<Uuid>,
    pub agent_name: Option<String>,
    pub agent_is_lead: Option<bool>,
    pub task_id: Uuid,
    pub task_title: String,
    pub board_id: Uuid,
    pub board_name: String,
}

#[derive(Debug, Clone)]
pub struct BoardSnapshotRows {
    pub tasks: Vec<TaskView>,
    pub agents: Vec<AgentRow>,
    pub pending_approvals: i64,
    /// Per task: (approvals linked, of which pending).
    pub approval_counts: std::collections::HashMap<Uuid, (i64, i64)>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DashboardTaskRow {
    pub id: Uuid,
    pub status: String,
    pub in_progress_at: Option<NaiveDateTime>,
    pub previous_in_progress_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingApprovalRow {
    pub id: Uuid,
    pub board_id: Uuid,
    pub board_name: String,
    pub action_type: String,
    pub confidence: f64,
    pub created_at: NaiveDateTime,
    pub task_title: Option<String>,
}

#[derive(Debug, Clone)]
pub struct DashboardRows {
    pub tasks: Vec<DashboardTaskRow>,
    pub activity: Vec<ActivityRow>,
    pub active_agents: i64,
    pub pending: Vec<PendingApprovalRow>,
}

/// A member with the user it stands for.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberWithUser {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub user_id: Uuid,
    pub role: String,
    pub all_boards_read: bool,
    pub all_boards_write: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub email: Option<String>,
    pub name: Option<String>,
    pub preferred_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BoardAccessRow {
    pub id: Uuid,
    /// The member (or invite) the grant belongs to.
    pub owner_id: Uuid,
    pub board_id: Uuid,
    pub can_read: bool,
    pub can_write: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A per-board grant as requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardGrant {
    pub board_id: Uuid,
    pub can_read: bool,
    pub can_write: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InviteRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub invited_email: String,
    pub token: String,
    pub role: String,
    pub all_boards_read: bool,
    pub all_boards_write: bool,
    pub created_by_user_id: Option<Uuid>,
    pub accepted_by_user_id: Option<Uuid>,
    pub accepted_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An organization the user belongs to, with their role there.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MembershipRow {
    pub organization_id: Uuid,
    pub name: String,
    pub role: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApprovalRow {
    pub id: Uuid,
    pub board_id: Uuid,
    pub task_id: Option<Uuid>,
    pub agent_id: Option<Uuid>,
    pub action_type: String,
    pub payload: Option<Json<Value>>,
    pub confidence: f64,
    pub rubric_scores: Option<Json<Value>>,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub resolved_at: Option<NaiveDateTime>,
}

/// An approval with its linked tasks (ordered) and their titles.
#[derive(Debug, Clone)]
pub struct ApprovalView {
    pub approval: ApprovalRow,
    pub task_ids: Vec<Uuid>,
    pub task_titles: Vec<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemoryRow {
    pub id: Uuid,
    pub board_id: Uuid,
    pub content: String,
    pub tags: Option<Json<Vec<String>>>,
    pub is_chat: bool,
    pub source: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WebhookRow {
    pub id: Uuid,
    pub board_id: Uuid,
    pub agent_id: Option<Uuid>,
    pub description: String,
    pub enabled: bool,
    pub has_secret: bool,
    pub signature_header: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SkillPackRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub source_url: String,
    pub branch: String,
    pub metadata: Json<Value>,
    pub skill_count: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MarketplaceSkillRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub category: Option<String>,
    pub risk: Option<String>,
    pub source: Option<String>,
    pub source_url: String,
    pub metadata: Json<Value>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub installed_at: Option<NaiveDateTime>,
}
