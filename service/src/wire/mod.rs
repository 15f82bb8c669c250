//! Wire types: request bodies and read models, field for field as the reference contract
//! names them, one module per resource; used for HTTP bodies and for the data of live-stream
//! events. They may be built from domain types and store rows (`From<Row> for XRead`), but
//! never name `actions`, `http` or axum: converting a body into an action's input, and
//! answering with a page, happen in `http/`.
//!
//! Conventions every wire type follows (new operations too):
//! - a timestamp of a read model is a `NaiveDateTime` (UTC) field with
//!   `#[serde(serialize_with = "super::time::utc")]` (`utc_opt` when nullable), so it leaves
//!   as RFC 3339 with `Z`; a timestamp of a body is read with [`time::parse_timestamp`] (any
//!   offset, converted to UTC);
//! - every check an action makes on a body field is stated in the field's schema (see
//!   [`schema`]): `pattern = r"\S"` for text that must not be blank, an enum for a closed set.

pub mod activity;
pub mod agent_gateway;
pub mod agents;
pub mod approvals;
pub mod board_groups;
pub mod boards;
pub mod comments;
pub mod custom_fields;
pub mod dashboard;
pub mod gateway_sessions;
pub mod gateways;
pub mod group_memory;
pub mod health;
pub mod invites;
pub mod members;
pub mod memory;
pub mod onboarding;
pub mod organizations;
pub mod schema;
pub mod skills;
pub mod souls;
pub mod tags;
pub mod tasks;
pub mod time;
pub mod users;
pub mod webhooks;

use serde::de::Deserializer;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use self::time::{opt_timestamp, parse_timestamp};
use crate::domain::{Page, Paged};

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
pub fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A create body without one of its required fields. Creates whose optional fields are
/// their update's (`#[serde(flatten)]` in the schema) are read as the update and then checked
/// with this (`#[serde(try_from = …)]`), so that a bad value anywhere keeps its field's
/// location (serde's flattening buffers the body and loses it); the body parser reads this
/// error as serde's own missing field.
#[derive(Debug, PartialEq, Eq)]
pub struct MissingField(pub &'static str);

impl std::fmt::Display for MissingField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "missing field `{}`", self.0)
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
