//! Membership rules: an organization keeps an owner; grants name its own boards; an accepted
//! invite merges into an existing membership. Pure: the store loads the facts under the
//! organization's lock and applies the outcome in the same transaction.

use std::collections::{BTreeMap, HashSet};

use uuid::Uuid;

use super::Role;

/// Why a membership change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemberRuleError {
    #[error("The organization must keep at least one owner.")]
    LastOwner,
    #[error("every board must belong to this organization")]
    BoardNotInOrganization,
}

/// A member's role changes from `current` to `new` while the organization has `owners` owners.
pub fn check_role_change(current: Role, new: Role, owners: i64) -> Result<(), MemberRuleError> {
    if current == Role::Owner && new != Role::Owner && owners <= 1 {
        return Err(MemberRuleError::LastOwner);
    }
    Ok(())
}

/// A member with role `current` leaves an organization that has `owners` owners.
pub fn check_removal(current: Role, owners: i64) -> Result<(), MemberRuleError> {
    check_role_change(current, Role::Member, owners)
}

/// Every granted board is one of the organization's (`found` are the ones that are).
pub fn check_grants_in_organization(granted: &[Uuid], found: &[Uuid]) -> Result<(), MemberRuleError> {
    let found: HashSet<&Uuid> = found.iter().collect();
    if granted.iter().all(|b| found.contains(b)) {
        Ok(())
    } else {
        Err(MemberRuleError::BoardNotInOrganization)
    }
}

/// A per-board grant: `(can_read, can_write)` by board.
pub type Grants = BTreeMap<Uuid, (bool, bool)>;

/// An invite accepted by someone who is a member already: the higher role, the blanket flags
/// OR-ed, and the per-board grants OR-ed board by board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedMembership {
    pub role: Role,
    pub all_boards_read: bool,
    pub all_boards_write: bool,
    pub grants: Grants,
}

/// Merges an invite (`invited`) into an existing membership (`existing`).
pub fn merge_invite(existing: &MergedMembership, invited: &MergedMembership) -> MergedMembership {
    let mut grants = existing.grants.clone();
    for (board, (read, write)) in &invited.grants {
        let e = grants.entry(*board).or_insert((false, false));
        *e = (e.0 || *read, e.1 || *write);
    }
    MergedMembership {
        role: existing.role.max(invited.role),
        all_boards_read: existing.all_boards_read || invited.all_boards_read,
        all_boards_write: existing.all_boards_write || invited.all_boards_write,
        grants,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_owner_can_be_neither_demoted_nor_removed() {
        assert_eq!(
            check_role_change(Role::Owner, Role::Admin, 1),
            Err(MemberRuleError::LastOwner)
        );
        assert_eq!(check_removal(Role::Owner, 1), Err(MemberRuleError::LastOwner));
        assert_eq!(check_role_change(Role::Owner, Role::Admin, 2), Ok(()));
        assert_eq!(check_role_change(Role::Owner, Role::Owner, 1), Ok(()));
        assert_eq!(check_removal(Role::Admin, 1), Ok(()));
        assert_eq!(check_role_change(Role::Member, Role::Owner, 0), Ok(()));
    }

    #[test]
    fn grants_must_name_the_organizations_boards() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert_eq!(check_grants_in_organization(&[a, a], &[a]), Ok(()));
        assert_eq!(
            check_grants_in_organization(&[a, b], &[a]),
            Err(MemberRuleError::BoardNotInOrganization)
        );
        assert_eq!(check_grants_in_organization(&[], &[]), Ok(()));
    }

    #[test]
    fn an_invite_merges_into_a_membership_upwards_only() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let existing = MergedMembership {
            role: Role::Admin,
            all_boards_read: true,
            all_boards_write: false,
            grants: [(a, (true, false))].into(),
        };
        let invited = MergedMembership {
            role: Role::Member,
            all_boards_read: false,
            all_boards_write: true,
            grants: [(a, (false, true)), (b, (true, false))].into(),
        };
        let merged = merge_invite(&existing, &invited);
        assert_eq!(merged.role, Role::Admin);
        assert!(merged.all_boards_read && merged.all_boards_write);
        assert_eq!(merged.grants, [(a, (true, true)), (b, (true, false))].into());
    }
}
