//! Users and who is signing in.

use uuid::Uuid;

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

/// A user and their membership in their active organization.
#[derive(Debug, Clone)]
pub struct UserContext {
    pub user: UserRow,
    pub member: Option<super::MemberRow>,
}

/// Who is signing in, as the identity provider describes them.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub clerk_user_id: String,
    pub email: Option<String>,
    pub name: Option<String>,
}

pub use crate::domain::filters::UserPatch;
