//! What an agent may do to a board's tasks (domain.md §2 scope, §3 worker and lead rule sets).
//! Pure: callers load the agent, the board and the task, and apply the outcome.

use chrono::NaiveDateTime;
use uuid::Uuid;

use super::tasks::TaskStatus;

/// Why an agent's task write was refused. The HTTP layer maps each to 403/409/422.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgentRuleError {
    #[error("Agent may only act on its own board.")]
    BoardMismatch,
    #[error("Agent may not update these fields: {0:?}")]
    FieldForbidden(Vec<&'static str>),
    #[error("Agent may only change tasks assigned to itself or unassigned.")]
    AssigneeMismatch,
    #[error("Only the board lead can change task status.")]
    OnlyLeadCanChangeStatus,
    #[error("Task is blocked by incomplete dependencies.")]
    Blocked,
    #[error("Board leads must use the comments endpoint.")]
    LeadInlineComment,
    #[error("Board leads may change status only on tasks in review.")]
    LeadStatusNotInReview,
    #[error("Board leads may move review tasks only to done or inbox.")]
    LeadStatusTarget,
    #[error("Board leads may comment only in review, when mentioned, or on their own tasks.")]
    LeadCommentForbidden,
    #[error("Only the board lead may do this.")]
    LeadOnly,
    #[error("Comment is required.")]
    CommentRequired,
}

/// The calling agent as the rules see it.
#[derive(Debug, Clone, Copy)]
pub struct AgentCaller {
    pub id: Uuid,
    /// `None` for an organization's gateway main agent.
    pub board_id: Option<Uuid>,
    pub organization_id: Uuid,
    pub is_board_lead: bool,
}

/// A board-bound agent touches only its own board; an agent without a board only boards of
/// its own organization (the reference lets it name any board; we do not).
pub fn check_scope(agent: &AgentCaller, board_id: Uuid, board_org: Uuid) -> Result<(), AgentRuleError> {
    let ok = match agent.board_id {
        Some(own) => own == board_id,
        None => agent.organization_id == board_org,
    };
    if ok { Ok(()) } else { Err(AgentRuleError::BoardMismatch) }
}

/// Lead-only operations (task create and delete).
pub fn check_lead(agent: &AgentCaller) -> Result<(), AgentRuleError> {
    if agent.is_board_lead {
        Ok(())
    } else {
        Err(AgentRuleError::LeadOnly)
    }
}

pub const WORKER_FIELDS: [&str; 3] = ["status", "comment", "custom_field_values"];
pub const LEAD_FIELDS: [&str; 5] = [
    "assigned_agent_id",
    "status",
    "depends_on_task_ids",
    "tag_ids",
    "custom_field_values",
];

/// Refuses fields outside `allowed`, naming them in request order.
pub fn check_fields(sent: &[&'static str], allowed: &[&str]) -> Result<(), AgentRuleError> {
    let bad: Vec<&'static str> = sent.iter().copied().filter(|f| !allowed.contains(f)).collect();
    if bad.is_empty() {
        Ok(())
    } else {
        Err(AgentRuleError::FieldForbidden(bad))
    }
}

/// The task as the rules see it.
#[derive(Debug, Clone, Copy)]
pub struct TaskFacts {
    pub status: TaskStatus,
    pub assigned_agent_id: Option<Uuid>,
    pub in_progress_at: Option<NaiveDateTime>,
    pub is_blocked: bool,
}

/// The outcome of a status change by an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusOutcome {
    pub status: TaskStatus,
    pub assigned_agent_id: Option<Uuid>,
    pub in_progress_at: Option<NaiveDateTime>,
    /// Set when `in_progress_at` is being cleared.
    pub previous_in_progress_at: Option<NaiveDateTime>,
    /// A claim: the write must only succeed while the task is still unassigned (or already
    /// the caller's) and in the status read, so two agents cannot both win.
    pub is_claim: bool,
}

/// A worker's status change: own-or-unassigned tasks, `only_lead_can_change_status`, blocked
/// tasks, claiming on → `in_progress`/`done`, → `review` assigns the lead (when there is one)
/// and needs a comment when the board asks for one.
#[allow(clippy::too_many_arguments)]
pub fn plan_worker_status(
    agent: &AgentCaller,
    task: &TaskFacts,
    to: TaskStatus,
    only_lead_can_change_status: bool,
    comment_required_for_review: bool,
    has_comment: bool,
    board_lead: Option<Uuid>,
    now: NaiveDateTime,
) -> Result<StatusOutcome, AgentRuleError> {
    if only_lead_can_change_status {
        return Err(AgentRuleError::OnlyLeadCanChangeStatus);
    }
    if task.assigned_agent_id.is_some_and(|a| a != agent.id) {
        return Err(AgentRuleError::AssigneeMismatch);
    }
    if task.is_blocked && to != TaskStatus::Inbox {
        return Err(AgentRuleError::Blocked);
    }
    if to == TaskStatus::Review && task.status != TaskStatus::Review && comment_required_for_review && !has_comment {
        return Err(AgentRuleError::CommentRequired);
    }
    let out = match to {
        TaskStatus::Inbox => StatusOutcome {
            status: to,
            assigned_agent_id: None,
            in_progress_at: None,
            previous_in_progress_at: task.in_progress_at,
            is_claim: false,
        },
        TaskStatus::Review => StatusOutcome {
            status: to,
            assigned_agent_id: board_lead,
            in_progress_at: None,
            previous_in_progress_at: task.in_progress_at,
            is_claim: false,
        },
        TaskStatus::InProgress | TaskStatus::Done => StatusOutcome {
            status: to,
            assigned_agent_id: Some(agent.id),
            in_progress_at: if to == TaskStatus::InProgress {
                Some(now)
            } else {
                task.in_progress_at
            },
            previous_in_progress_at: None,
            is_claim: task.assigned_agent_id.is_none(),
        },
    };
    Ok(out)
}

/// A lead's status/assignment change. `assigns` is the agent the same request assigns, if any.
pub fn plan_lead_status(task: &TaskFacts, to: TaskStatus, assigns: Option<Uuid>) -> Result<(), AgentRuleError> {
    if to == task.status {
        return Ok(());
    }
    if task.is_blocked {
        return Err(AgentRuleError::Blocked);
    }
    if task.status == TaskStatus::Inbox && to == TaskStatus::InProgress && assigns.is_some() {
        return Ok(());
    }
    if task.status != TaskStatus::Review {
        return Err(AgentRuleError::LeadStatusNotInReview);
    }
    match to {
        TaskStatus::Done | TaskStatus::Inbox => Ok(()),
        _ => Err(AgentRuleError::LeadStatusTarget),
    }
}

/// A lead may not send an inline comment with a task update.
pub fn check_lead_inline_comment(comment: Option<&str>) -> Result<(), AgentRuleError> {
    if comment.is_some() {
        Err(AgentRuleError::LeadInlineComment)
    } else {
        Ok(())
    }
}

/// Review → inbox by the lead goes back to the last non-lead worker who moved the task to
/// review. `status_changes` are (acting agent, new status) oldest first.
pub fn last_reviewing_worker(status_changes: &[(Option<Uuid>, TaskStatus)], lead: Uuid) -> Option<Uuid> {
    status_changes
        .iter()
        .rev()
        .find_map(|(agent, to)| agent.filter(|a| *to == TaskStatus::Review && *a != lead))
}

/// The status a `task.status_changed` activity message records ("Task moved to review: …").
pub fn moved_to(message: &str) -> Option<TaskStatus> {
    let rest = message.strip_prefix("Task moved to ")?;
    TaskStatus::parse(rest.split(':').next()?)
}

/// The "changes requested" message for the worker a lead sends a task back to.
pub fn changes_requested_message(title: &str, lead_comment: Option<&str>) -> String {
    match lead_comment {
        Some(c) => format!("Changes requested on {title}: {c}"),
        None => format!("Changes requested on {title}."),
    }
}

/// The activity message of a won claim (the same words as any move to `in_progress`).
pub fn claim_message(title: &str) -> String {
    format!("Task moved to {}: {title}.", TaskStatus::InProgress.as_str())
}

/// `auto_reason` of a task a lead created.
pub fn lead_auto_reason(lead_id: Uuid) -> String {
    format!("lead_agent:{lead_id}")
}

/// A lead may comment when the task is in review, it was @mentioned earlier, or it created the task.
pub fn check_lead_comment(
    status: TaskStatus,
    mentioned_before: bool,
    created_by_lead: bool,
) -> Result<(), AgentRuleError> {
    if status == TaskStatus::Review || mentioned_before || created_by_lead {
        Ok(())
    } else {
        Err(AgentRuleError::LeadCommentForbidden)
    }
}

#[cfg(test)]
#[path = "agent_rules_tests.rs"]
mod tests;
