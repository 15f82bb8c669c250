//! Approvals on a board.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::store::ApprovalView;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApprovalRead {
    pub id: Uuid,
    pub board_id: Uuid,
    pub task_id: Option<Uuid>,
    pub task_ids: Vec<Uuid>,
    pub task_titles: Vec<String>,
    pub agent_id: Option<Uuid>,
    pub action_type: String,
    #[schema(value_type = Option<Object>)]
    pub payload: Option<Value>,
    #[schema(minimum = 0, maximum = 100)]
    pub confidence: f64,
    #[schema(value_type = Option<Object>)]
    pub rubric_scores: Option<Value>,
    pub status: String,
    #[serde(serialize_with = "super::time::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::time::utc_opt")]
    pub resolved_at: Option<NaiveDateTime>,
}

impl From<ApprovalView> for ApprovalRead {
    fn from(v: ApprovalView) -> Self {
        let a = v.approval;
        Self {
            id: a.id,
            board_id: a.board_id,
            task_id: a.task_id,
            task_ids: v.task_ids,
            task_titles: v.task_titles,
            agent_id: a.agent_id,
            action_type: a.action_type,
            payload: a.payload,
            confidence: a.confidence,
            rubric_scores: a.rubric_scores,
            status: a.status,
            created_at: a.created_at,
            resolved_at: a.resolved_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ApprovalCreate {
    #[schema(pattern = r"\S")]
    pub action_type: String,
    #[schema(minimum = 0, maximum = 100)]
    pub confidence: f64,
    #[schema(value_type = Option<Object>)]
    pub payload: Option<serde_json::Map<String, Value>>,
    #[schema(value_type = Option<Object>)]
    pub rubric_scores: Option<BTreeMap<String, i64>>,
    #[schema(schema_with = super::schema::approval_status_or_null)]
    pub status: Option<String>,
    pub task_id: Option<Uuid>,
    #[serde(default)]
    pub task_ids: Vec<Uuid>,
    pub agent_id: Option<Uuid>,
    pub lead_reasoning: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ApprovalUpdate {
    /// Required: the decision.
    #[schema(schema_with = super::schema::approval_status, required = true)]
    pub status: Option<String>,
}
