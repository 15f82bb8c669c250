//! Callers and their access: resolving a user to their active organization, board access
//! rules, and the agent's board scope.

use std::net::IpAddr;

use uuid::Uuid;

use super::{Error, Result};
use crate::app::AppState;
use crate::auth::agent_token;
use crate::domain::Role;
use crate::store::{AgentRow, BoardRow, MemberRow, NewUser, OrganizationRow, Store, UserPatch, UserRow};

/// An authenticated human with a membership in their active organization.
#[derive(Debug, Clone)]
pub struct UserCaller {
    pub user: UserRow,
    pub member: MemberRow,
    pub role: Role,
}

impl UserCaller {
    pub fn organization_id(&self) -> Uuid {
        self.member.organization_id
    }

    pub fn require_admin(&self) -> Result<()> {
        if self.role.is_admin() {
            Ok(())
        } else {
            Err(Error::Forbidden("Organization admin access required"))
        }
    }
}

/// An authenticated agent.
#[derive(Debug, Clone)]
pub struct AgentCaller {
    pub agent: AgentRow,
}

/// Finds the user row and active membership, provisioning them on first sight.
pub async fn resolve_user(store: &Store, who: NewUser) -> Result<UserCaller> {
    let ctx = match store.find_user_context(&who.clerk_user_id).await? {
        Some(ctx) if ctx.member.is_some() => ctx,
        _ => store.provision_user(&who).await?,
    };
    let member = ctx.member.ok_or(Error::Forbidden("No organization membership"))?;
    let role = super::stored_role(&member.role)?;
    Ok(UserCaller {
        user: ctx.user,
        member,
        role,
    })
}

pub async fn update_profile(store: &Store, caller: &UserCaller, patch: &UserPatch) -> Result<UserRow> {
    Ok(store.update_user(caller.user.id, patch).await?)
}

pub async fn my_organization(store: &Store, caller: &UserCaller) -> Result<OrganizationRow> {
    store
        .get_organization(caller.organization_id())
        .await?
        .ok_or(Error::NotFound("Organization not found"))
}

/// Access levels on one board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// Loads a board the user may use at `access`. Boards of other organizations are reported
/// as missing, so their existence is not revealed.
pub async fn board_for_user(store: &Store, caller: &UserCaller, board_id: Uuid, access: Access) -> Result<BoardRow> {
    let board = store
        .get_board(board_id)
        .await?
        .filter(|b| b.organization_id == caller.organization_id())
        .ok_or(Error::NotFound("Board not found"))?;
    let m = &caller.member;
    let blanket = match access {
        Access::Read => m.all_boards_read || m.all_boards_write,
        Access::Write => m.all_boards_write,
    };
    if blanket {
        return Ok(board);
    }
    let allowed = match store.board_grant(m.id, board_id).await? {
        Some((read, write)) => match access {
            Access::Read => read || write,
            Access::Write => write,
        },
        None => false,
    };
    if allowed {
        Ok(board)
    } else {
        Err(Error::Forbidden("Board access denied"))
    }
}

/// Loads a board an agent may use: a board-bound agent only its own board; an agent that
/// is bound to no board (a gateway main agent) any board of its own organization.
pub async fn board_for_agent(store: &Store, caller: &AgentCaller, board_id: Uuid) -> Result<BoardRow> {
    if let Some(own) = caller.agent.board_id
        && own != board_id
    {
        return Err(Error::Forbidden("Agent may only access its own board"));
    }
    store
        .get_board(board_id)
        .await?
        .filter(|b| b.organization_id == caller.agent.organization_id)
        .ok_or(Error::NotFound("Board not found"))
}

/// A human or an agent, for the routes either may call.
#[derive(Debug, Clone)]
pub enum Caller {
    User(UserCaller),
    Agent(AgentCaller),
}

impl Caller {
    pub fn organization_id(&self) -> Uuid {
        match self {
            Caller::User(u) => u.organization_id(),
            Caller::Agent(a) => a.agent.organization_id,
        }
    }

    pub fn agent_id(&self) -> Option<Uuid> {
        match self {
            Caller::User(_) => None,
            Caller::Agent(a) => Some(a.agent.id),
        }
    }
}

/// Loads a board for either kind of caller (agents always get their board's scope).
pub async fn board_for_caller(store: &Store, caller: &Caller, board_id: Uuid, access: Access) -> Result<BoardRow> {
    match caller {
        Caller::User(u) => board_for_user(store, u, board_id, access).await,
        Caller::Agent(a) => board_for_agent(store, a, board_id).await,
    }
}

/// The boards a user's feeds may show (all of the organization's, or only granted ones).
pub fn board_scope(caller: &UserCaller, board_id: Option<Uuid>) -> crate::store::BoardScope {
    let m = &caller.member;
    crate::store::BoardScope {
        organization_id: caller.organization_id(),
        board_id,
        granted_to_member: (!(m.all_boards_read || m.all_boards_write)).then_some(m.id),
    }
}

/// Why an agent was not let in.
#[derive(Debug, thiserror::Error)]
pub enum AgentAuthError {
    /// Too many agent-auth attempts from this client address.
    #[error("rate limited")]
    RateLimited {
        limit: u32,
        window: std::time::Duration,
        reset_after: std::time::Duration,
    },
    #[error("missing agent token")]
    MissingToken,
    #[error("invalid agent token")]
    InvalidToken,
    #[error(transparent)]
    Action(#[from] Error),
}

/// Lets an agent in: counts the attempt against the per-address agent-auth budget, then
/// finds the agent by the keyed hash of `token` (a failure is logged with the token's
/// prefix only).
pub async fn authenticate_agent(
    app: &AppState,
    client: IpAddr,
    token: Option<&str>,
) -> std::result::Result<AgentCaller, AgentAuthError> {
    let limit = app.config.agent_auth_limit;
    let decision = app.limiter.check("agent_auth", client, limit).await;
    app.metrics.rate_limit_decision("agent_auth", decision.allowed);
    if !decision.allowed {
        return Err(AgentAuthError::RateLimited {
            limit: decision.limit,
            window: limit.window,
            reset_after: decision.reset_after,
        });
    }
    let token = token.ok_or(AgentAuthError::MissingToken)?;
    let hash = agent_token::hash(&app.agent_token_key, token);
    match app.store.find_agent_by_token_hash(&hash).await.map_err(Error::from)? {
        Some(mut agent) => {
            touch_presence(&app.store, &mut agent).await;
            Ok(AgentCaller { agent })
        }
        None => {
            tracing::warn!(token_prefix = agent_token::log_prefix(token), client = %client, "agent authentication failed");
            Err(AgentAuthError::InvalidToken)
        }
    }
}

/// Presence touch: an authenticated agent request marks the agent seen (and online, unless
/// updating or deleting) at most once per `PRESENCE_TOUCH_INTERVAL`. The loaded row decides
/// whether to try; the conditional update decides across concurrent requests and replicas.
/// A failed touch is logged and does not fail the request.
async fn touch_presence(store: &Store, agent: &mut AgentRow) {
    use crate::domain::agents::{PRESENCE_TOUCH_INTERVAL, presence_touch_due, status_after_heartbeat};
    let now = crate::domain::now();
    if !presence_touch_due(agent.last_seen_at, now) {
        return;
    }
    match store
        .touch_agent_presence(agent.id, now, now - PRESENCE_TOUCH_INTERVAL)
        .await
    {
        Ok(true) => {
            agent.last_seen_at = Some(now);
            agent.status = status_after_heartbeat(&agent.status).to_owned();
        }
        Ok(false) => {}
        Err(e) => tracing::warn!(agent_id = %agent.id, error = %e, "agent presence touch failed"),
    }
}
