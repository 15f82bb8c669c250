//! The caller's own account.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::double_option;
use crate::store::UserRow;

#[derive(Debug, Serialize, ToSchema)]
pub struct UserRead {
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
}

impl From<UserRow> for UserRead {
    fn from(u: UserRow) -> Self {
        Self {
            id: u.id,
            clerk_user_id: u.clerk_user_id,
            email: u.email,
            name: u.name,
            preferred_name: u.preferred_name,
            pronouns: u.pronouns,
            timezone: u.timezone,
            notes: u.notes,
            context: u.context,
            is_super_admin: u.is_super_admin,
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct UserUpdate {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub preferred_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub pronouns: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub timezone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub context: Option<Option<String>>,
}
