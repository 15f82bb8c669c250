//! Boards and the board page snapshot.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::agents::AgentRead;
use super::approvals::ApprovalRead;
use super::memory::BoardMemoryRead;
use super::tasks::TaskRead;
use super::{MissingField, double_option, opt_timestamp};
use crate::store::BoardRow;

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardRead {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub gateway_id: Option<Uuid>,
    pub board_group_id: Option<Uuid>,
    pub board_type: String,
    pub objective: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub success_metrics: Option<Value>,
    #[serde(serialize_with = "super::time::utc_opt")]
    pub target_date: Option<NaiveDateTime>,
    pub goal_confirmed: bool,
    pub goal_source: Option<String>,
    pub require_approval_for_done: bool,
    pub require_review_before_done: bool,
    pub comment_required_for_review: bool,
    pub block_status_changes_with_pending_approval: bool,
    pub only_lead_can_change_status: bool,
    pub max_agents: i32,
    /// Ours (additive): seconds after which an in-progress task whose assignee has made no
    /// request goes back to the inbox, unassigned; `null` turns it off.
    pub stale_claim_timeout_seconds: Option<i32>,
    #[serde(serialize_with = "super::time::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::time::utc")]
    pub updated_at: NaiveDateTime,
}

impl From<BoardRow> for BoardRead {
    fn from(b: BoardRow) -> Self {
        Self {
            id: b.id,
            organization_id: b.organization_id,
            name: b.name,
            slug: b.slug,
            description: b.description,
            gateway_id: b.gateway_id,
            board_group_id: b.board_group_id,
            board_type: b.board_type,
            objective: b.objective,
            success_metrics: b.success_metrics,
            target_date: b.target_date,
            goal_confirmed: b.goal_confirmed,
            goal_source: b.goal_source,
            require_approval_for_done: b.require_approval_for_done,
            require_review_before_done: b.require_review_before_done,
            comment_required_for_review: b.comment_required_for_review,
            block_status_changes_with_pending_approval: b.block_status_changes_with_pending_approval,
            only_lead_can_change_status: b.only_lead_can_change_status,
            max_agents: b.max_agents,
            stale_claim_timeout_seconds: b.stale_claim_timeout_seconds,
            created_at: b.created_at,
            updated_at: b.updated_at,
        }
    }
}

/// Board fields for create (`name`, `slug`, `description` required) and update (all optional).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct BoardWrite {
    #[schema(pattern = r"\S")]
    pub name: Option<String>,
    #[schema(pattern = r"\S")]
    pub slug: Option<String>,
    #[schema(pattern = r"\S")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub gateway_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub board_group_id: Option<Option<Uuid>>,
    #[schema(schema_with = super::schema::board_type)]
    pub board_type: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub objective: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Object>)]
    pub success_metrics: Option<Option<serde_json::Map<String, Value>>>,
    #[serde(default, deserialize_with = "opt_timestamp")]
    #[schema(value_type = Option<NaiveDateTime>)]
    pub target_date: Option<Option<NaiveDateTime>>,
    pub goal_confirmed: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub goal_source: Option<Option<String>>,
    pub require_approval_for_done: Option<bool>,
    pub require_review_before_done: Option<bool>,
    pub comment_required_for_review: Option<bool>,
    pub block_status_changes_with_pending_approval: Option<bool>,
    pub only_lead_can_change_status: Option<bool>,
    #[schema(minimum = 0, maximum = 2_147_483_647)]
    pub max_agents: Option<i32>,
    /// Ours (additive): release in-progress tasks of an assignee silent this many seconds
    /// (60 to 604800); `null` turns it off (the default).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>, minimum = 60, maximum = 604_800)]
    pub stale_claim_timeout_seconds: Option<Option<i32>>,
}

/// A new board: `name`, `slug` and `description` are required, the rest as in [`BoardWrite`].
#[derive(Debug, Deserialize, ToSchema)]
#[serde(try_from = "BoardWrite")]
pub struct BoardCreate {
    #[schema(pattern = r"\S")]
    pub name: String,
    #[schema(pattern = r"\S")]
    pub slug: String,
    #[schema(pattern = r"\S")]
    pub description: String,
    #[serde(flatten)]
    pub settings: BoardWrite,
}

impl TryFrom<BoardWrite> for BoardCreate {
    type Error = MissingField;

    fn try_from(mut w: BoardWrite) -> Result<Self, MissingField> {
        Ok(Self {
            name: w.name.take().ok_or(MissingField("name"))?,
            slug: w.slug.take().ok_or(MissingField("slug"))?,
            description: w.description.take().ok_or(MissingField("description"))?,
            settings: w,
        })
    }
}

impl BoardCreate {
    /// The one field set creates and updates share, with the required fields filled in.
    pub fn into_write(self) -> BoardWrite {
        BoardWrite {
            name: Some(self.name),
            slug: Some(self.slug),
            description: Some(self.description),
            ..self.settings
        }
    }
}

/// A task as the board page shows it: the read model plus assignee name and approval counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskCardRead {
    #[serde(flatten)]
    pub task: TaskRead,
    pub assignee: Option<String>,
    pub approvals_count: i64,
    pub approvals_pending_count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardSnapshot {
    pub board: BoardRead,
    pub tasks: Vec<TaskCardRead>,
    pub agents: Vec<AgentRead>,
    /// The board's newest approvals.
    pub approvals: Vec<ApprovalRead>,
    /// The board's latest chat messages, oldest first.
    pub chat_messages: Vec<BoardMemoryRead>,
    pub pending_approvals_count: i64,
}
