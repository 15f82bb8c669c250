//! One function per user action: load, apply a domain rule, save. No axum types; callers
//! pass an authenticated caller and typed input, and get a row or an [`Error`].

pub mod activity;
pub mod agent_board;
pub mod agent_gateway;
pub mod agent_tasks;
pub mod agents;
pub mod approvals;
pub mod board_groups;
pub mod boards;
pub mod comments;
pub mod custom_fields;
pub mod dashboard;
pub mod events;
pub mod gateway_sessions;
pub mod gateways;
pub mod group_memory;
pub mod health;
pub mod identity;
pub mod memory;
pub mod notify;
pub mod onboarding;
pub mod organizations;
pub mod provisioning;
pub mod skills;
pub mod souls;
pub mod stale_claims;
pub mod tags;
pub mod tasks;
pub mod webhooks;

use serde_json::Value;

use crate::domain::Role;
use crate::domain::members::MemberRuleError;
use crate::domain::tasks::TaskRuleError;
use crate::store::{Constraint, StoreError};

/// One problem with one input field, in the contract's 422 item shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub loc: Vec<Value>,
    pub msg: String,
    pub kind: String,
}

impl FieldError {
    /// An item at `loc` with the contract's message and error type.
    pub fn new(loc: Vec<Value>, msg: impl Into<String>, kind: &str) -> Self {
        Self {
            loc,
            msg: msg.into(),
            kind: kind.to_owned(),
        }
    }

    /// A `value_error` on one top-level field of the body.
    pub fn body(field: &str, msg: impl Into<String>) -> Self {
        Self::new(vec![Value::from("body"), Value::from(field)], msg, "value_error")
    }

    /// A `value_error` on one path parameter.
    pub fn path(field: &str, msg: impl Into<String>) -> Self {
        Self::new(vec![Value::from("path"), Value::from(field)], msg, "value_error")
    }
}

/// The transport-agnostic outcome of a failed action.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    NotFound(&'static str),
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    /// A conflict whose `detail` is an object (e.g. the pending approvals in the way).
    #[error("conflict")]
    ConflictDetail(Value),
    #[error(transparent)]
    Rule(TaskRuleError),
    /// A service outside ours (the souls directory, a git host) failed: 504 when it did not
    /// answer in time, else 502; `detail` says which and why.
    #[error("{detail}")]
    Upstream { timed_out: bool, detail: String },
    /// A feature that reaches outside is turned off by configuration (503).
    #[error("{0}")]
    TurnedOff(&'static str),
    /// The resource exists but no longer takes requests (410), e.g. a disabled webhook.
    #[error("{0}")]
    Gone(&'static str),
    /// The request body is larger than the resource accepts (413).
    #[error("{0}")]
    TooLarge(&'static str),
    /// The store failed for a reason no caller planned for (rendered as a 500).
    #[error("storage failed")]
    Store(#[source] StoreError),
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Rule(rule) => Error::Rule(rule),
            StoreError::NotFound => Error::NotFound("Not Found"),
            // Two leads designated at once: the loser hears what the early check would say.
            StoreError::Conflict {
                constraint: Constraint::BoardLead,
            } => Error::Conflict("The board already has a board lead.".to_owned()),
            StoreError::Conflict { constraint } => Error::Conflict(conflict_detail(constraint)),
            StoreError::Member(rule @ MemberRuleError::LastOwner) => Error::Conflict(rule.to_string()),
            StoreError::Member(rule @ MemberRuleError::BoardNotInOrganization) => {
                Error::Invalid(vec![FieldError::body("board_access", rule.to_string())])
            }
            // Data and corrupt-data errors are 500s for now (the cause is logged, never sent).
            other => Error::Store(other),
        }
    }
}

/// The 409 detail of a conflict with existing data: the same on both backends, naming the
/// constraint by its stable code (see `store::Constraint`), never a database message.
pub fn conflict_detail(constraint: Constraint) -> String {
    format!("The change conflicts with existing data ({}).", constraint.code())
}

impl From<TaskRuleError> for Error {
    fn from(e: TaskRuleError) -> Self {
        Error::Rule(e)
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// A stored organization role; an unknown one is corrupt data (a 500 with its cause logged),
/// never silently read as the least or any other role.
pub fn stored_role(stored: &str) -> Result<Role> {
    Role::parse(stored)
        .ok_or_else(|| Error::Store(StoreError::Corrupt(format!("unknown organization role {stored:?}"))))
}

/// The answer of a delete that found its row in the caller's organization (`removed`) or
/// did not: `Ok`, or `NotFound(what)`.
pub fn deleted(removed: bool, what: &'static str) -> Result<()> {
    if removed { Ok(()) } else { Err(Error::NotFound(what)) }
}

/// Rejects a blank required string.
pub fn non_blank(field: &str, value: &str) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Error::Invalid(vec![FieldError::body(
            field,
            format!("{field} must not be blank"),
        )]));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod stored_role_tests {
    use super::*;

    #[test]
    fn a_known_role_reads_as_itself_and_an_unknown_one_is_corrupt_data() {
        assert_eq!(stored_role("owner").ok(), Some(Role::Owner));
        assert_eq!(stored_role("member").ok(), Some(Role::Member));
        assert!(matches!(
            stored_role("superuser"),
            Err(Error::Store(StoreError::Corrupt(cause))) if cause.contains("superuser")
        ));
    }
}
