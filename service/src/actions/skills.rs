//! The skills catalog (read side), for organization admins.

use super::Result;
use super::identity::UserCaller;
use crate::domain::{Page, Paged};
use crate::store::{MarketplaceFilter, MarketplaceSkillRow, SkillPackRow, Store};

pub async fn list_packs(store: &Store, caller: &UserCaller) -> Result<Vec<SkillPackRow>> {
    caller.require_admin()?;
    Ok(store.list_skill_packs(caller.organization_id()).await?)
}

/// The organization's marketplace skills matching `filter` (its organization is the caller's).
pub async fn list_marketplace(
    store: &Store,
    caller: &UserCaller,
    mut filter: MarketplaceFilter,
    page: Page,
) -> Result<Paged<MarketplaceSkillRow>> {
    caller.require_admin()?;
    filter.organization_id = caller.organization_id();
    Ok(store.list_marketplace(&filter, page).await?)
}
