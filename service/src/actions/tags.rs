//! The organization's tag catalog.

use uuid::Uuid;

use super::identity::{Access, Caller, UserCaller, board_for_caller};
use super::{Error, FieldError, Result, deleted, non_blank};
use crate::domain::{Page, Paged, now, slugify};
use crate::store::{Store, StoreError, TagRef, TagRow};

pub const DEFAULT_COLOR: &str = "9e9e9e";

/// Tag fields as sent; `None` leaves a field alone (or takes the default on create).
#[derive(Debug, Clone, Default)]
pub struct TagInput {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub color: Option<String>,
    pub description: Option<Option<String>>,
}

/// Six hex digits, lower-cased, an optional leading `#` dropped.
pub fn normalize_color(raw: &str) -> Option<String> {
    let c = raw.trim().trim_start_matches('#').to_ascii_lowercase();
    (c.len() == 6 && c.chars().all(|ch| ch.is_ascii_hexdigit())).then_some(c)
}

fn color(raw: &str) -> Result<String> {
    normalize_color(raw).ok_or_else(|| {
        Error::Invalid(vec![FieldError::body(
            "color",
            "color must be 6 hex digits, like 9e9e9e",
        )])
    })
}

pub async fn list(store: &Store, caller: &UserCaller, page: Page) -> Result<Paged<TagRow>> {
    Ok(store.list_tags(caller.organization_id(), page).await?)
}

/// The tag catalog of a board's organization (`{id, name, slug, color}`, by name), for a
/// caller that may read the board (`GET /agent/boards/{board_id}/tags`).
pub async fn catalog_for_board(store: &Store, caller: &Caller, board_id: Uuid) -> Result<Vec<TagRef>> {
    let board = board_for_caller(store, caller, board_id, Access::Read).await?;
    Ok(store.tag_refs(board.organization_id).await?)
}

pub async fn get(store: &Store, caller: &UserCaller, id: Uuid) -> Result<TagRow> {
    store
        .get_tag(caller.organization_id(), id)
        .await?
        .ok_or(Error::NotFound("Tag not found"))
}

const SLUG_TAKEN: &str = "Tag slug already exists in this organization";

async fn check_slug_free(store: &Store, row: &TagRow) -> Result<()> {
    if store
        .tag_slug_taken(row.organization_id, &row.slug, Some(row.id))
        .await?
    {
        return Err(Error::Conflict(SLUG_TAKEN.to_owned()));
    }
    Ok(())
}

/// A unique-index race loses with the same 409 as the check.
fn slug_conflict(result: std::result::Result<(), StoreError>) -> Result<()> {
    match result {
        Err(StoreError::Conflict { .. }) => Err(Error::Conflict(SLUG_TAKEN.to_owned())),
        other => Ok(other?),
    }
}

pub async fn create(store: &Store, caller: &UserCaller, input: TagInput) -> Result<TagRow> {
    caller.require_admin()?;
    let name = non_blank("name", input.name.as_deref().unwrap_or_default())?;
    let slug = slugify(
        input.slug.as_deref().filter(|s| !s.trim().is_empty()).unwrap_or(&name),
        "tag",
    );
    let at = now();
    let row = TagRow {
        id: Uuid::new_v4(),
        organization_id: caller.organization_id(),
        name,
        slug,
        color: color(input.color.as_deref().unwrap_or(DEFAULT_COLOR))?,
        description: input.description.flatten(),
        created_at: at,
        updated_at: at,
        task_count: 0,
    };
    check_slug_free(store, &row).await?;
    slug_conflict(store.insert_tag(&row).await)?;
    Ok(row)
}

pub async fn update(store: &Store, caller: &UserCaller, id: Uuid, input: TagInput) -> Result<TagRow> {
    caller.require_admin()?;
    let mut row = get(store, caller, id).await?;
    if let Some(name) = &input.name {
        row.name = non_blank("name", name)?;
    }
    if let Some(slug) = &input.slug {
        row.slug = slugify(if slug.trim().is_empty() { &row.name } else { slug }, "tag");
    }
    if let Some(c) = &input.color {
        row.color = color(c)?;
    }
    if let Some(description) = input.description {
        row.description = description;
    }
    row.updated_at = now();
    check_slug_free(store, &row).await?;
    slug_conflict(store.update_tag(&row).await)?;
    Ok(row)
}

pub async fn delete(store: &Store, caller: &UserCaller, id: Uuid) -> Result<()> {
    caller.require_admin()?;
    deleted(store.delete_tag(caller.organization_id(), id).await?, "Tag not found")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colors_are_six_lower_case_hex_digits() {
        assert_eq!(normalize_color("#FFAA00").as_deref(), Some("ffaa00"));
        assert_eq!(normalize_color("9e9e9e").as_deref(), Some("9e9e9e"));
        assert_eq!(normalize_color("fff"), None);
        assert_eq!(normalize_color("gggggg"), None);
    }
}
