//! The skills catalog: packs and marketplace cards.

use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::store::{MarketplaceSkillRow, SkillPackRow};

#[derive(Debug, Serialize, ToSchema)]
pub struct SkillPackRead {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub source_url: String,
    pub branch: String,
    #[schema(value_type = Object)]
    pub metadata: Value,
    pub skill_count: i64,
    #[serde(serialize_with = "super::time::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::time::utc")]
    pub updated_at: NaiveDateTime,
}

impl From<SkillPackRow> for SkillPackRead {
    fn from(p: SkillPackRow) -> Self {
        Self {
            id: p.id,
            organization_id: p.organization_id,
            name: p.name,
            description: p.description,
            source_url: p.source_url,
            branch: p.branch,
            metadata: p.metadata,
            skill_count: p.skill_count,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarketplaceSkillCardRead {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub category: Option<String>,
    pub risk: Option<String>,
    pub source: Option<String>,
    pub source_url: String,
    #[schema(value_type = Object)]
    pub metadata: Value,
    #[serde(serialize_with = "super::time::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::time::utc")]
    pub updated_at: NaiveDateTime,
    pub installed: bool,
    #[serde(serialize_with = "super::time::utc_opt")]
    pub installed_at: Option<NaiveDateTime>,
}

impl From<MarketplaceSkillRow> for MarketplaceSkillCardRead {
    fn from(m: MarketplaceSkillRow) -> Self {
        Self {
            installed: m.installed_at.is_some(),
            installed_at: m.installed_at,
            id: m.id,
            organization_id: m.organization_id,
            name: m.name,
            description: m.description,
            category: m.category,
            risk: m.risk,
            source: m.source,
            source_url: m.source_url,
            metadata: m.metadata,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}
