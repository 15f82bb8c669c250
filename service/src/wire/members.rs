//! Members of the active organization and their board access.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::store::{BoardAccessRow, BoardGrant, MemberWithUser};

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationUserRead {
    pub id: Uuid,
    pub email: Option<String>,
    pub name: Option<String>,
    pub preferred_name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationBoardAccessRead {
    pub id: Uuid,
    pub board_id: Uuid,
    pub can_read: bool,
    pub can_write: bool,
    #[serde(serialize_with = "super::time::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::time::utc")]
    pub updated_at: NaiveDateTime,
}

impl From<BoardAccessRow> for OrganizationBoardAccessRead {
    fn from(a: BoardAccessRow) -> Self {
        Self {
            id: a.id,
            board_id: a.board_id,
            can_read: a.can_read,
            can_write: a.can_write,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationMemberRead {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub user_id: Uuid,
    pub role: String,
    pub all_boards_read: bool,
    pub all_boards_write: bool,
    #[serde(serialize_with = "super::time::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::time::utc")]
    pub updated_at: NaiveDateTime,
    pub user: Option<OrganizationUserRead>,
    pub board_access: Vec<OrganizationBoardAccessRead>,
}

impl OrganizationMemberRead {
    pub fn new(m: MemberWithUser, access: Vec<BoardAccessRow>) -> Self {
        Self {
            user: Some(OrganizationUserRead {
                id: m.user_id,
                email: m.email,
                name: m.name,
                preferred_name: m.preferred_name,
            }),
            id: m.id,
            organization_id: m.organization_id,
            user_id: m.user_id,
            role: m.role,
            all_boards_read: m.all_boards_read,
            all_boards_write: m.all_boards_write,
            created_at: m.created_at,
            updated_at: m.updated_at,
            board_access: access.into_iter().map(OrganizationBoardAccessRead::from).collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OrganizationMemberUpdate {
    #[schema(pattern = r"^\s*([oO][wW][nN][eE][rR]|[aA][dD][mM][iI][nN]|[mM][eE][mM][bB][eE][rR])\s*$")]
    pub role: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
pub struct OrganizationBoardAccessSpec {
    pub board_id: Uuid,
    #[serde(default = "yes")]
    pub can_read: bool,
    #[serde(default)]
    pub can_write: bool,
}

fn yes() -> bool {
    true
}

impl From<OrganizationBoardAccessSpec> for BoardGrant {
    fn from(s: OrganizationBoardAccessSpec) -> Self {
        Self {
            board_id: s.board_id,
            can_read: s.can_read,
            can_write: s.can_write,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OrganizationMemberAccessUpdate {
    #[serde(default)]
    pub all_boards_read: bool,
    #[serde(default)]
    pub all_boards_write: bool,
    #[serde(default)]
    pub board_access: Vec<OrganizationBoardAccessSpec>,
}
