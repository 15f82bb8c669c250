//! Comments on a task.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::store::ActivityRow;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskCommentRead {
    pub id: Uuid,
    pub message: Option<String>,
    pub agent_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    #[serde(serialize_with = "super::time::utc")]
    pub created_at: NaiveDateTime,
}

impl From<ActivityRow> for TaskCommentRead {
    fn from(a: ActivityRow) -> Self {
        Self {
            id: a.id,
            message: a.message,
            agent_id: a.agent_id,
            task_id: a.task_id,
            created_at: a.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TaskCommentCreate {
    #[schema(min_length = 1, pattern = r"\S")]
    pub message: String,
}
