//! Organizations and access: the caller's organizations, switching the active one, members
//! and their roles and board grants, invites.
//!
//! Owner rules: only owners may remove owners or grant/take the owner role; nobody removes
//! themselves; the last owner stays (checked under a lock in the store).

use uuid::Uuid;

use super::identity::UserCaller;
use super::{Error, FieldError, Result, non_blank};
use crate::domain::members::MemberRuleError;
use crate::domain::{Page, Paged, Role, now};
use crate::store::{
    BoardAccessRow, BoardGrant, InviteRow, MemberWithUser, MembershipRow, OrganizationRow, Store, StoreError,
};

pub async fn create(store: &Store, caller: &UserCaller, name: &str) -> Result<OrganizationRow> {
    let name = non_blank("name", name)?;
    Ok(store.create_organization(caller.user.id, &name, now()).await?)
}

pub async fn list_mine(store: &Store, caller: &UserCaller) -> Result<Vec<MembershipRow>> {
    Ok(store.list_memberships(caller.user.id).await?)
}

pub async fn set_active(store: &Store, caller: &UserCaller, organization_id: Uuid) -> Result<OrganizationRow> {
    if !store.set_active_organization(caller.user.id, organization_id).await? {
        return Err(Error::NotFound("Organization not found"));
    }
    store
        .get_organization(organization_id)
        .await?
        .ok_or(Error::NotFound("Organization not found"))
}

pub async fn delete_active(store: &Store, caller: &UserCaller) -> Result<()> {
    caller.require_admin()?;
    if caller.role != Role::Owner {
        return Err(Error::Forbidden("Only an owner may delete the organization"));
    }
    Ok(store.delete_organization(caller.organization_id()).await?)
}

/// A member with their per-board grants.
pub type MemberView = (MemberWithUser, Vec<BoardAccessRow>);

async fn with_access(store: &Store, members: Vec<MemberWithUser>) -> Result<Vec<MemberView>> {
    let ids: Vec<Uuid> = members.iter().map(|m| m.id).collect();
    let access = store.member_board_access(&ids).await?;
    Ok(members
        .into_iter()
        .map(|m| {
            let mine = access.iter().filter(|a| a.owner_id == m.id).cloned().collect();
            (m, mine)
        })
        .collect())
}

pub async fn list_members(store: &Store, caller: &UserCaller, page: Page) -> Result<Paged<MemberView>> {
    let found = store.list_members(caller.organization_id(), page).await?;
    let total = found.total;
    Ok(Paged {
        items: with_access(store, found.items).await?,
        total,
    })
}

pub async fn get_member(store: &Store, caller: &UserCaller, member_id: Uuid) -> Result<MemberView> {
    let member = store
        .get_member(caller.organization_id(), member_id)
        .await?
        .ok_or(Error::NotFound("Member not found"))?;
    with_access(store, vec![member])
        .await?
        .pop()
        .ok_or(Error::NotFound("Member not found"))
}

pub async fn my_membership(store: &Store, caller: &UserCaller) -> Result<MemberView> {
    get_member(store, caller, caller.member.id).await
}

fn parse_role(role: &str) -> Result<Role> {
    Role::parse(role.trim().to_lowercase().as_str())
        .ok_or_else(|| Error::Invalid(vec![FieldError::body("role", "role must be owner, admin or member")]))
}

fn last_owner(e: StoreError) -> Error {
    match e {
        StoreError::Member(rule @ MemberRuleError::LastOwner) => Error::Conflict(rule.to_string()),
        StoreError::NotFound => Error::NotFound("Member not found"),
        other => other.into(),
    }
}

pub async fn update_role(store: &Store, caller: &UserCaller, member_id: Uuid, role: &str) -> Result<MemberView> {
    caller.require_admin()?;
    let role = parse_role(role)?;
    let (member, _) = get_member(store, caller, member_id).await?;
    let current = super::stored_role(&member.role)?;
    if (current == Role::Owner || role == Role::Owner) && caller.role != Role::Owner {
        return Err(Error::Forbidden("Only owners may change owner roles"));
    }
    store
        .set_member_role(caller.organization_id(), member_id, role)
        .await
        .map_err(last_owner)?;
    get_member(store, caller, member_id).await
}

fn board_not_in_org(e: StoreError) -> Error {
    match e {
        StoreError::Member(rule @ MemberRuleError::BoardNotInOrganization) => {
            Error::Invalid(vec![FieldError::body("board_access", rule.to_string())])
        }
        StoreError::NotFound => Error::NotFound("Member not found"),
        other => other.into(),
    }
}

pub async fn update_access(
    store: &Store,
    caller: &UserCaller,
    member_id: Uuid,
    all_boards_read: bool,
    all_boards_write: bool,
    grants: &[BoardGrant],
) -> Result<MemberView> {
    caller.require_admin()?;
    store
        .replace_member_access(
            caller.organization_id(),
            member_id,
            all_boards_read || all_boards_write,
            all_boards_write,
            grants,
        )
        .await
        .map_err(board_not_in_org)?;
    get_member(store, caller, member_id).await
}

pub async fn remove_member(store: &Store, caller: &UserCaller, member_id: Uuid) -> Result<()> {
    caller.require_admin()?;
    if member_id == caller.member.id {
        return Err(Error::Forbidden("You cannot remove yourself"));
    }
    let (member, _) = get_member(store, caller, member_id).await?;
    if member.role == Role::Owner.as_str() && caller.role != Role::Owner {
        return Err(Error::Forbidden("Only owners may remove owners"));
    }
    store
        .remove_member(caller.organization_id(), member_id)
        .await
        .map_err(last_owner)
}

/// An invite with the grants it carries.
pub type InviteView = (InviteRow, Vec<BoardAccessRow>);

pub async fn list_invites(store: &Store, caller: &UserCaller, page: Page) -> Result<Paged<InviteRow>> {
    caller.require_admin()?;
    Ok(store.list_invites(caller.organization_id(), page).await?)
}

#[derive(Debug, Clone)]
pub struct InviteInput {
    pub invited_email: String,
    pub role: String,
    pub all_boards_read: bool,
    pub all_boards_write: bool,
    pub grants: Vec<BoardGrant>,
}

pub async fn create_invite(store: &Store, caller: &UserCaller, input: InviteInput) -> Result<InviteRow> {
    caller.require_admin()?;
    let email = input.invited_email.trim().to_lowercase();
    if !email.contains('@') || email.starts_with('@') || email.ends_with('@') {
        return Err(Error::Invalid(vec![FieldError::body(
            "invited_email",
            "a valid email address is required",
        )]));
    }
    let role = parse_role(&input.role)?;
    if role == Role::Owner && caller.role != Role::Owner {
        return Err(Error::Forbidden("Only owners may invite owners"));
    }
    let at = now();
    let invite = InviteRow {
        id: Uuid::new_v4(),
        organization_id: caller.organization_id(),
        invited_email: email,
        token: crate::auth::agent_token::generate(),
        role: role.as_str().to_owned(),
        all_boards_read: input.all_boards_read || input.all_boards_write,
        all_boards_write: input.all_boards_write,
        created_by_user_id: Some(caller.user.id),
        accepted_by_user_id: None,
        accepted_at: None,
        created_at: at,
        updated_at: at,
    };
    store
        .create_invite(&invite, &input.grants)
        .await
        .map_err(board_not_in_org)?;
    Ok(invite)
}

/// Revokes a pending invite and returns it as it was.
pub async fn revoke_invite(store: &Store, caller: &UserCaller, invite_id: Uuid) -> Result<InviteRow> {
    caller.require_admin()?;
    let invite = store
        .list_invites(caller.organization_id(), Page { limit: 200, offset: 0 })
        .await?
        .items
        .into_iter()
        .find(|i| i.id == invite_id);
    match invite {
        Some(invite) if store.delete_invite(caller.organization_id(), invite_id).await? => Ok(invite),
        _ => Err(Error::NotFound("Invite not found")),
    }
}

/// Accepts an invite by its token for the caller; the invite's email must be theirs.
/// Accepts an invite and returns the caller's membership in the invite's organization.
pub async fn accept_invite(store: &Store, caller: &UserCaller, token: &str) -> Result<MemberView> {
    let invite = store
        .find_invite_by_token(token.trim())
        .await?
        .filter(|i| i.accepted_at.is_none())
        .ok_or(Error::NotFound("Invite not found"))?;
    let email = caller.user.email.as_deref().map(str::to_lowercase);
    if email.as_deref() != Some(invite.invited_email.as_str()) {
        return Err(Error::Forbidden("This invite was sent to another email address"));
    }
    store
        .accept_invite(invite.id, caller.user.id, now())
        .await
        .map_err(|e| match e {
            StoreError::Conflict { .. } => Error::Conflict("The invite was already accepted.".to_owned()),
            other => other.into(),
        })?;
    let member = store
        .list_members(invite.organization_id, Page { limit: 200, offset: 0 })
        .await?
        .items
        .into_iter()
        .find(|m| m.user_id == caller.user.id)
        .ok_or(Error::NotFound("Member not found"))?;
    with_access(store, vec![member])
        .await?
        .pop()
        .ok_or(Error::NotFound("Member not found"))
}

pub async fn delete_me(store: &Store, caller: &UserCaller) -> Result<()> {
    Ok(store.delete_user(caller.user.id).await?)
}
