//! Invitations to the active organization.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::members::OrganizationBoardAccessSpec;
use crate::store::InviteRow;

#[derive(Debug, Deserialize, ToSchema)]
pub struct OrganizationInviteCreate {
    #[schema(pattern = r"^\s*[^\s@][\s\S]*@[\s\S]*[^\s@]\s*$")]
    pub invited_email: String,
    #[serde(default = "member_role")]
    #[schema(pattern = r"^\s*([oO][wW][nN][eE][rR]|[aA][dD][mM][iI][nN]|[mM][eE][mM][bB][eE][rR])\s*$")]
    pub role: String,
    #[serde(default)]
    pub all_boards_read: bool,
    #[serde(default)]
    pub all_boards_write: bool,
    #[serde(default)]
    pub board_access: Vec<OrganizationBoardAccessSpec>,
}

fn member_role() -> String {
    "member".to_owned()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationInviteRead {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub invited_email: String,
    pub role: String,
    pub all_boards_read: bool,
    pub all_boards_write: bool,
    pub token: String,
    pub created_by_user_id: Option<Uuid>,
    pub accepted_by_user_id: Option<Uuid>,
    #[serde(serialize_with = "super::time::utc_opt")]
    pub accepted_at: Option<NaiveDateTime>,
    #[serde(serialize_with = "super::time::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::time::utc")]
    pub updated_at: NaiveDateTime,
}

impl From<InviteRow> for OrganizationInviteRead {
    fn from(i: InviteRow) -> Self {
        Self {
            id: i.id,
            organization_id: i.organization_id,
            invited_email: i.invited_email,
            role: i.role,
            all_boards_read: i.all_boards_read,
            all_boards_write: i.all_boards_write,
            token: i.token,
            created_by_user_id: i.created_by_user_id,
            accepted_by_user_id: i.accepted_by_user_id,
            accepted_at: i.accepted_at,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OrganizationInviteAccept {
    #[schema(min_length = 1, pattern = r"\S")]
    pub token: String,
}
