//! Wire types: request bodies and read models, field for field as the reference contract
//! names them, one module per resource; used for HTTP bodies and for the data of live-stream
//! events. They may be built from domain types and store rows (`From<Row> for XRead`), but
//! never name `actions`, `http` or axum: converting a body into an action's input, and
//! answering with a page, happen in `http/`.

pub mod activity;
pub mod agents;
pub mod approvals;
pub mod board_groups;
pub mod boards;
pub mod comments;
pub mod custom_fields;
pub mod dashboard;
pub mod gateways;
pub mod health;
pub mod invites;
pub mod members;
pub mod memory;
pub mod organizations;
pub mod skills;
pub mod tags;
pub mod tasks;
pub mod users;
pub mod webhooks;

use chrono::NaiveDateTime;
use serde::de::{Deserializer, Error as _};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{Page, Paged};

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
pub fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Parses an ISO-8601 timestamp with or without offset into naive UTC.
pub fn parse_timestamp(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if let Ok(aware) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(aware.naive_utc());
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
            return Some(t);
        }
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

/// A nullable timestamp field of a PATCH body (absent / null / value).
pub fn opt_timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<NaiveDateTime>>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(Some(None)),
        Some(s) => parse_timestamp(&s)
            .map(|t| Some(Some(t)))
            .ok_or_else(|| D::Error::custom("Input should be a valid datetime")),
    }
}

// `Page_<Item>` in the contract; `PageOf` here, as `domain::Page` is the page asked for.
/// A page of results, as every list endpoint returns it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Page)]
pub struct PageOf<T: ToSchema> {
    pub items: Vec<T>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

impl<T: ToSchema> PageOf<T> {
    /// The page `page` of `paged`, each item converted with `f`.
    pub fn new<R>(paged: Paged<R>, page: Page, f: impl FnMut(R) -> T) -> Self {
        let paged = paged.map(f);
        Self {
            items: paged.items,
            total: paged.total,
            limit: page.limit,
            offset: page.offset,
        }
    }
}

// `{"ok": true}`: the answer of deletes and other actions without a body of their own.
#[derive(Debug, Serialize, ToSchema)]
pub struct OkResponse {
    pub ok: bool,
}

impl OkResponse {
    pub const fn ok() -> Self {
        Self { ok: true }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_with_and_without_offset_become_naive_utc() {
        let a = parse_timestamp("2026-11-29T13:54:27+02:00").unwrap();
        assert_eq!(a.to_string(), "2026-11-29 11:54:27");
        assert_eq!(
            parse_timestamp("2026-11-29T13:54:27.5").unwrap().to_string(),
            "2026-11-29 13:54:27.500"
        );
        assert!(parse_timestamp("yesterday").is_none());
    }
}
