//! What a read selects and what a profile change sets: plain data the store executes.

use uuid::Uuid;

/// Which tasks of a board a list shows.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    /// Any of these statuses (empty = all).
    pub statuses: Vec<String>,
    pub assigned_agent_id: Option<Uuid>,
    pub unassigned: Option<bool>,
}

/// Which marketplace skills of an organization a list shows.
#[derive(Debug, Clone, Default)]
pub struct MarketplaceFilter {
    pub organization_id: Uuid,
    pub gateway_id: Option<Uuid>,
    pub search: Option<String>,
    pub category: Option<String>,
    pub risk: Option<String>,
}

/// Profile fields; `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    pub name: Option<Option<String>>,
    pub preferred_name: Option<Option<String>>,
    pub pronouns: Option<Option<String>>,
    pub timezone: Option<Option<String>>,
    pub notes: Option<Option<String>>,
    pub context: Option<Option<String>>,
}
