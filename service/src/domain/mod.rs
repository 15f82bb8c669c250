//! Domain types and rules: pure code, no axum, sqlx or fred.

pub mod agent_rules;
pub mod agents;
pub mod board_chat;
pub mod custom_fields;
pub mod filters;
pub mod gateway_config;
pub mod gateway_version;
pub mod group_memory;
pub mod jobs;
pub mod members;
pub mod notifications;
pub mod souls;
pub mod stale_claims;
pub mod task_plans;
pub mod tasks;
pub mod webhooks;

use chrono::{NaiveDateTime, Timelike, Utc};

pub use agents::computed_agent_status;

/// The current time as the contract stores it: naive UTC, microsecond precision (what
/// PostgreSQL keeps), so a value read back equals the value written.
pub fn now() -> NaiveDateTime {
    let t = Utc::now().naive_utc();
    t.with_nanosecond(t.nanosecond() / 1_000 * 1_000).unwrap_or(t)
}

/// Organization roles, ranked member < admin < owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Member,
    Admin,
    Owner,
}

impl Role {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "member" => Some(Self::Member),
            "admin" => Some(Self::Admin),
            "owner" => Some(Self::Owner),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Admin => "admin",
            Self::Owner => "owner",
        }
    }
    pub fn is_admin(self) -> bool {
        self >= Self::Admin
    }
}

/// A validated page request: `limit` 1..=200, `offset` >= 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

pub const MAX_PAGE_LIMIT: i64 = 200;
pub const DEFAULT_PAGE_LIMIT: i64 = 200;

/// A page of results and the total number of matching rows.
#[derive(Debug, Clone)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
}

impl<T> Paged<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
        }
    }
}

/// Lower-case `[a-z0-9]` groups joined by `-`; `fallback` when nothing is left.
pub fn slugify(input: &str, fallback: &str) -> String {
    let mut out = String::new();
    for word in input
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(word);
    }
    if out.is_empty() { fallback.to_owned() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_rank_member_admin_owner() {
        assert!(Role::Owner > Role::Admin && Role::Admin > Role::Member);
        assert!(Role::Admin.is_admin() && !Role::Member.is_admin());
        assert_eq!(Role::parse("owner"), Some(Role::Owner));
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn slugs_keep_lowercase_alphanumeric_groups() {
        assert_eq!(slugify("  Hello, World!! 2 ", "tag"), "hello-world-2");
        assert_eq!(slugify("---", "tag"), "tag");
    }
}
