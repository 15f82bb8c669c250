//! Organizations and the caller's place in them.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::store::OrganizationRow;

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationRead {
    pub id: Uuid,
    pub name: String,
    #[serde(serialize_with = "super::time::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::time::utc")]
    pub updated_at: NaiveDateTime,
}

impl From<OrganizationRow> for OrganizationRead {
    fn from(o: OrganizationRow) -> Self {
        Self {
            id: o.id,
            name: o.name,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

// ------------------------------------------------------------------ gateways

#[derive(Debug, Deserialize, ToSchema)]
pub struct OrganizationCreate {
    #[schema(pattern = r"\S")]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationListItem {
    pub id: Uuid,
    pub name: String,
    pub role: String,
    pub is_active: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OrganizationActiveUpdate {
    pub organization_id: Uuid,
}
