//! Storage failures, classified once, and the conflicts clients can rely on.
//!
//! A conflict is named by a [`Constraint`], recognised the same way on both backends: from the
//! PostgreSQL constraint name, or from SQLite's text (`UNIQUE constraint failed: tags.organization_id,
//! tags.slug`, `CHECK constraint failed: ck_...`), since sqlx-sqlite reports no constraint name.
//! A database message never reaches a client: what is not recognised is [`Constraint::Unknown`].

use crate::domain::members::MemberRuleError;
use crate::domain::tasks::TaskRuleError;

/// Storage failures (see [`classify`]).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("row not found")]
    NotFound,
    #[error("constraint violated: {constraint}")]
    Conflict { constraint: Constraint },
    #[error(transparent)]
    Rule(#[from] TaskRuleError),
    #[error(transparent)]
    Member(#[from] MemberRuleError),
    /// The database refused a value (PostgreSQL SQLSTATE class 22, e.g. a NUL in text), or a
    /// stored value could not be decoded: the data is at fault, not the database.
    #[error("invalid data")]
    Data(#[source] sqlx::Error),
    /// A stored value breaks the schema's own rules (e.g. an unknown task status).
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    #[error("database unavailable")]
    Unavailable(#[source] sqlx::Error),
    #[error("migration failed")]
    Migration(#[source] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        classify(e)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A conflict with existing data, by a stable code (see [`Constraint::code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Constraint {
    /// A user with this identity-provider id exists.
    UserClerkId,
    /// The user is already a member of the organization.
    OrganizationMember,
    MemberBoardAccess,
    InviteToken,
    InviteBoardAccess,
    /// Another agent has this token hash.
    AgentTokenHash,
    /// The board has a lead already (one `is_board_lead` agent per board).
    BoardLead,
    TaskDependency,
    /// A task cannot depend on itself.
    TaskSelfDependency,
    /// Another tag of the organization has this slug.
    TagSlug,
    TagAssignment,
    /// Another custom field of the organization has this key.
    CustomFieldKey,
    CustomFieldType,
    CustomFieldVisibility,
    BoardCustomField,
    CustomFieldValue,
    ApprovalTaskLink,
    SkillPackSource,
    MarketplaceSkillSource,
    InstalledSkill,
    /// A gateway still used by boards cannot be deleted (checked by the store).
    GatewayInUse,
    /// A custom field with stored task values cannot be deleted (checked by the store).
    CustomFieldInUse,
    /// The invite was accepted already (checked by the store).
    InviteAlreadyAccepted,
    /// A reference to a row that does not exist (or a row still referenced).
    ForeignKey,
    /// Any other conflict the database reported.
    Unknown,
}

/// Schema constraints: the variant, the PostgreSQL name (also the stable code), and what
/// SQLite says after `UNIQUE constraint failed: ` (the columns) or `CHECK constraint failed: `.
const SCHEMA: &[(Constraint, &str, &str)] = &[
    (Constraint::UserClerkId, "ux_users_clerk_user_id", "users.clerk_user_id"),
    (
        Constraint::OrganizationMember,
        "uq_organization_members_org_user",
        "organization_members.organization_id, organization_members.user_id",
    ),
    (
        Constraint::MemberBoardAccess,
        "uq_organization_board_access_member_board",
        "organization_board_access.organization_member_id, organization_board_access.board_id",
    ),
    (
        Constraint::InviteToken,
        "uq_organization_invites_token",
        "organization_invites.token",
    ),
    (
        Constraint::InviteBoardAccess,
        "uq_organization_invite_board_access_invite_board",
        "organization_invite_board_access.organization_invite_id, organization_invite_board_access.board_id",
    ),
    (
        Constraint::AgentTokenHash,
        "ux_agents_agent_token_hash",
        "agents.agent_token_hash",
    ),
    (Constraint::BoardLead, "ux_agents_board_lead", "agents.board_id"),
    (
        Constraint::TaskDependency,
        "uq_task_dependencies_task_depends_on",
        "task_dependencies.task_id, task_dependencies.depends_on_task_id",
    ),
    (
        Constraint::TaskSelfDependency,
        "ck_task_dependencies_no_self",
        "ck_task_dependencies_no_self",
    ),
    (
        Constraint::TagSlug,
        "uq_tags_organization_id_slug",
        "tags.organization_id, tags.slug",
    ),
    (
        Constraint::TagAssignment,
        "uq_tag_assignments_task_id_tag_id",
        "tag_assignments.task_id, tag_assignments.tag_id",
    ),
    (
        Constraint::CustomFieldKey,
        "uq_task_custom_field_definitions_org_key",
        "task_custom_field_definitions.organization_id, task_custom_field_definitions.field_key",
    ),
    (
        Constraint::CustomFieldType,
        "ck_task_custom_field_definitions_type",
        "ck_task_custom_field_definitions_type",
    ),
    (
        Constraint::CustomFieldVisibility,
        "ck_task_custom_field_definitions_visibility",
        "ck_task_custom_field_definitions_visibility",
    ),
    (
        Constraint::BoardCustomField,
        "uq_board_task_custom_fields_board_def",
        "board_task_custom_fields.board_id, board_task_custom_fields.task_custom_field_definition_id",
    ),
    (
        Constraint::CustomFieldValue,
        "uq_task_custom_field_values_task_def",
        "task_custom_field_values.task_id, task_custom_field_values.task_custom_field_definition_id",
    ),
    (
        Constraint::ApprovalTaskLink,
        "uq_approval_task_links_approval_task",
        "approval_task_links.approval_id, approval_task_links.task_id",
    ),
    (
        Constraint::SkillPackSource,
        "uq_skill_packs_org_source_url",
        "skill_packs.organization_id, skill_packs.source_url",
    ),
    (
        Constraint::MarketplaceSkillSource,
        "uq_marketplace_skills_org_source_url",
        "marketplace_skills.organization_id, marketplace_skills.source_url",
    ),
    (
        Constraint::InstalledSkill,
        "uq_gateway_installed_skills_gateway_skill",
        "gateway_installed_skills.gateway_id, gateway_installed_skills.skill_id",
    ),
];

impl Constraint {
    /// The stable code clients see: the schema's constraint name for schema constraints (the
    /// same on both backends), a fixed name otherwise.
    pub fn code(self) -> &'static str {
        if let Some((_, name, _)) = SCHEMA.iter().find(|(c, _, _)| *c == self) {
            return name;
        }
        match self {
            Self::GatewayInUse => "boards_gateway_id_fkey",
            Self::CustomFieldInUse => "task_custom_field_values_task_custom_field_definition_id_fkey",
            Self::InviteAlreadyAccepted => "invite_already_accepted",
            Self::ForeignKey => "foreign_key",
            _ => "unknown",
        }
    }

    /// Recognises a PostgreSQL constraint name.
    pub fn from_postgres(name: &str) -> Self {
        match SCHEMA.iter().find(|(_, pg, _)| *pg == name) {
            Some((c, _, _)) => *c,
            None if name.ends_with("_fkey") => Self::ForeignKey,
            None => Self::Unknown,
        }
    }

    /// Recognises SQLite's constraint message.
    pub fn from_sqlite(message: &str) -> Self {
        let named = message
            .strip_prefix("UNIQUE constraint failed: ")
            .or_else(|| message.strip_prefix("CHECK constraint failed: "));
        match named {
            Some(what) => SCHEMA
                .iter()
                .find(|(_, _, lite)| *lite == what)
                .map_or(Self::Unknown, |(c, _, _)| *c),
            None if message.starts_with("FOREIGN KEY constraint failed") => Self::ForeignKey,
            None => Self::Unknown,
        }
    }
}

impl std::fmt::Display for Constraint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// Sorts a sqlx error into not-found, a named conflict, a data error, or unavailable.
pub(super) fn classify(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(ref db)
            if db.is_unique_violation() || db.is_foreign_key_violation() || db.is_check_violation() =>
        {
            let constraint = match db.constraint() {
                Some(name) => Constraint::from_postgres(name),
                None => Constraint::from_sqlite(db.message()),
            };
            if constraint == Constraint::Unknown {
                tracing::warn!(error = %db, "unrecognised constraint violation");
            }
            StoreError::Conflict { constraint }
        }
        // SQLSTATE class 22: data exception (invalid byte sequence, NUL in text, out of range).
        sqlx::Error::Database(ref db) if db.code().is_some_and(|c| c.starts_with("22")) => StoreError::Data(e),
        sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => StoreError::Data(e),
        other => StoreError::Unavailable(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_name_a_conflict_the_same() {
        for (c, pg, lite) in SCHEMA {
            assert_eq!(Constraint::from_postgres(pg), *c);
            let prefix = if pg.starts_with("ck_") { "CHECK" } else { "UNIQUE" };
            assert_eq!(
                Constraint::from_sqlite(&format!("{prefix} constraint failed: {lite}")),
                *c
            );
            assert_eq!(c.code(), *pg);
        }
        assert_eq!(Constraint::from_postgres("tasks_board_id_fkey"), Constraint::ForeignKey);
        assert_eq!(
            Constraint::from_sqlite("FOREIGN KEY constraint failed"),
            Constraint::ForeignKey
        );
    }

    #[test]
    fn an_unrecognised_conflict_carries_no_database_text() {
        let c = Constraint::from_sqlite("UNIQUE constraint failed: secret_table.secret_column");
        assert_eq!(c, Constraint::Unknown);
        assert_eq!(c.to_string(), "unknown");
        assert_eq!(Constraint::from_postgres("some_pkey").code(), "unknown");
    }
}
