//! Organizations, members, board grants and invites.

use chrono::NaiveDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrganizationRow {
    pub id: Uuid,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
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

/// An organization the user belongs to, with their role there.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MembershipRow {
    pub organization_id: Uuid,
    pub name: String,
    pub role: String,
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
