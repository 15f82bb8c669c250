//! The souls directory: search its sitemap, fetch one soul's markdown.

use super::identity::Caller;
use super::{Error, FieldError, Result};
use crate::domain::souls::{SoulRef, search as search_souls, strip_md, valid_name};
use crate::outbound::OutboundError;
use crate::outbound::souls::SoulsDirectory;

const TURNED_OFF: &str = "The souls directory is turned off (SOULS_DIRECTORY_BASE_URL=off).";

/// One search hit with the directory's URLs for it.
pub struct SoulHit {
    pub soul: SoulRef,
    pub page_url: String,
    pub raw_md_url: String,
}

fn directory(dir: Option<&SoulsDirectory>) -> Result<&SoulsDirectory> {
    dir.ok_or(Error::TurnedOff(TURNED_OFF))
}

fn outside(e: OutboundError, what: &'static str) -> Error {
    match e {
        OutboundError::NotFound => Error::NotFound(what),
        OutboundError::Timeout { .. } => Error::Upstream {
            timed_out: true,
            detail: e.to_string(),
        },
        other => Error::Upstream {
            timed_out: false,
            detail: other.to_string(),
        },
    }
}

/// Souls whose `handle/slug` contains `query`, at most `limit`.
pub async fn search(dir: Option<&SoulsDirectory>, _caller: &Caller, query: &str, limit: usize) -> Result<Vec<SoulHit>> {
    let dir = directory(dir)?;
    let souls = dir
        .souls()
        .await
        .map_err(|e| outside(e, "The souls directory has no sitemap"))?;
    Ok(search_souls(&souls, query, limit)
        .into_iter()
        .map(|s| SoulHit {
            page_url: dir.page_url(s),
            raw_md_url: dir.markdown_url(s),
            soul: s.clone(),
        })
        .collect())
}

/// One soul's markdown; a trailing `.md` on the slug is ignored. Names that could leave their
/// path segment are refused before anything is fetched.
pub async fn markdown(
    dir: Option<&SoulsDirectory>,
    _caller: &Caller,
    handle: &str,
    slug: &str,
) -> Result<(SoulRef, String)> {
    let slug = strip_md(slug);
    let mut bad = Vec::new();
    for (field, value) in [("handle", handle), ("slug", slug)] {
        if !valid_name(value) {
            bad.push(FieldError::path(
                field,
                "letters, digits, '-', '_' and '.', starting with a letter or digit, at most 100 characters",
            ));
        }
    }
    if !bad.is_empty() {
        return Err(Error::Invalid(bad));
    }
    let dir = directory(dir)?;
    let soul = SoulRef {
        handle: handle.to_owned(),
        slug: slug.to_owned(),
    };
    let content = dir.markdown(&soul).await.map_err(|e| outside(e, "Soul not found"))?;
    Ok((soul, content))
}
