//! Board onboarding: the conversation in which the gateway main agent drafts a board's goal.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::store::OnboardingRow;

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardOnboardingRead {
    pub id: Uuid,
    pub board_id: Uuid,
    pub session_key: String,
    pub status: String,
    #[schema(value_type = Option<Vec<Object>>)]
    pub messages: Option<Value>,
    #[schema(value_type = Option<BoardOnboardingAgentComplete>)]
    pub draft_goal: Option<Value>,
    #[serde(serialize_with = "super::time::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::time::utc")]
    pub updated_at: NaiveDateTime,
}

impl From<OnboardingRow> for BoardOnboardingRead {
    fn from(r: OnboardingRow) -> Self {
        Self {
            id: r.id,
            board_id: r.board_id,
            session_key: r.session_key,
            status: r.status,
            messages: r.messages,
            draft_goal: r.draft_goal,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct BoardOnboardingStart {}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BoardOnboardingAnswer {
    #[schema(min_length = 1)]
    pub answer: String,
    #[serde(default)]
    pub other_text: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BoardOnboardingConfirm {
    pub board_type: String,
    #[serde(default)]
    pub objective: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub success_metrics: Option<Value>,
    #[serde(default)]
    pub target_date: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct BoardOnboardingQuestionOption {
    #[schema(min_length = 1)]
    pub id: String,
    #[schema(min_length = 1)]
    pub label: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct BoardOnboardingAgentQuestion {
    #[schema(min_length = 1)]
    pub question: String,
    pub options: Vec<BoardOnboardingQuestionOption>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct BoardOnboardingUserProfile {
    pub preferred_name: Option<String>,
    pub pronouns: Option<String>,
    pub timezone: Option<String>,
    pub notes: Option<String>,
    pub context: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct BoardOnboardingLeadAgentDraft {
    pub name: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub identity_profile: Option<Value>,
    pub autonomy_level: Option<String>,
    pub verbosity: Option<String>,
    pub output_format: Option<String>,
    pub update_cadence: Option<String>,
    pub custom_instructions: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct BoardOnboardingAgentComplete {
    pub board_type: String,
    pub objective: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub success_metrics: Option<Value>,
    pub target_date: Option<String>,
    pub status: String,
    pub user_profile: Option<BoardOnboardingUserProfile>,
    pub lead_agent: Option<BoardOnboardingLeadAgentDraft>,
}

/// What the gateway main agent posts: a question, or the completed draft.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum BoardOnboardingAgentPost {
    Complete(Box<BoardOnboardingAgentComplete>),
    Question(BoardOnboardingAgentQuestion),
}
