//! What a task write records besides the task itself: the checks of a new task, the activity
//! rows of a create or an update (with their messages), and how dependents react when a task
//! enters or leaves `done`. Pure: the store loads the facts in the write's transaction (the
//! board locked) and writes exactly what these plans return.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use uuid::Uuid;

use super::notifications::{self, Placement};
use super::tasks::{TaskPlan, TaskRuleError, TaskState, TaskStatus, blocked_by, check_dependencies, dedupe};

/// One activity row to record on the write's board, at the write's time; for a
/// notification, the notification itself (sent through the gateway when the board has one,
/// see `domain::notifications`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedActivity {
    pub event_type: &'static str,
    pub message: String,
    pub agent_id: Option<Uuid>,
    pub task_id: Uuid,
    pub notify: Option<notifications::NotifyIntent>,
}

impl PlannedActivity {
    fn new(event_type: &'static str, message: String, agent_id: Option<Uuid>, task_id: Uuid) -> Self {
        Self {
            event_type,
            message,
            agent_id,
            task_id,
            notify: None,
        }
    }

    fn notifications(intents: Vec<notifications::NotifyIntent>, task_id: Uuid) -> impl Iterator<Item = Self> {
        intents.into_iter().map(move |i| Self {
            notify: Some(i.clone()),
            ..Self::new(i.event_type, i.message, Some(i.agent_id), task_id)
        })
    }
}

/// A task to create, as requested.
#[derive(Debug, Clone)]
pub struct NewTaskRequest<'a> {
    pub id: Uuid,
    pub board_id: Uuid,
    pub title: &'a str,
    pub status: TaskStatus,
    pub assigned_agent_id: Option<Uuid>,
    pub depends_on_task_ids: &'a [Uuid],
    pub tag_ids: &'a [Uuid],
    /// The agent creating it, or `None` for a user.
    pub actor_agent_id: Option<Uuid>,
}

/// The facts a create is checked against, loaded with the board locked.
#[derive(Debug, Clone, Default)]
pub struct CreateFacts {
    pub board_statuses: HashMap<Uuid, TaskStatus>,
    pub board_edges: Vec<(Uuid, Uuid)>,
    /// The requested assignee's board: `None` when no such agent is in the organization,
    /// `Some(None)` for an agent bound to no board.
    pub assignee_board: Option<Option<Uuid>>,
    /// Which of the requested tags exist in the organization.
    pub found_tags: Vec<Uuid>,
    pub board_lead: Option<Uuid>,
}

/// What a create writes besides the request's own fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatePlan {
    /// De-duplicated, in request order.
    pub depends_on_task_ids: Vec<Uuid>,
    pub in_progress_at: Option<NaiveDateTime>,
    pub activity: Vec<PlannedActivity>,
}

/// Every requested tag exists in the organization.
pub fn check_tags(requested: &[Uuid], found: &[Uuid]) -> Result<(), TaskRuleError> {
    let found: HashSet<&Uuid> = found.iter().collect();
    let missing: Vec<Uuid> = requested.iter().copied().filter(|t| !found.contains(t)).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(TaskRuleError::MissingTags(missing))
    }
}

/// Checks a new task against its board and plans its activity: `task.created`, then, for a
/// task a user creates, the notifications the board lead and the assignee would get.
pub fn plan_create(
    task: &NewTaskRequest<'_>,
    facts: &CreateFacts,
    now: NaiveDateTime,
) -> Result<CreatePlan, TaskRuleError> {
    let deps = dedupe(task.depends_on_task_ids);
    check_dependencies(task.id, &deps, &facts.board_statuses, &facts.board_edges)?;
    let blocked = blocked_by(&deps, &facts.board_statuses);
    if !blocked.is_empty() && (task.status != TaskStatus::Inbox || task.assigned_agent_id.is_some()) {
        return Err(TaskRuleError::Blocked { blocked_by: blocked });
    }
    if task.assigned_agent_id.is_some() {
        match facts.assignee_board {
            None => return Err(TaskRuleError::AssigneeNotFound),
            Some(board) if board != Some(task.board_id) => return Err(TaskRuleError::AssigneeOnOtherBoard),
            Some(_) => {}
        }
    }
    check_tags(task.tag_ids, &facts.found_tags)?;
    let mut activity = vec![PlannedActivity::new(
        "task.created",
        format!("Task created: {}.", task.title),
        task.actor_agent_id,
        task.id,
    )];
    if task.actor_agent_id.is_none() {
        let intents = notifications::task_created(task.title, facts.board_lead, task.assigned_agent_id);
        activity.extend(PlannedActivity::notifications(intents, task.id));
    }
    Ok(CreatePlan {
        depends_on_task_ids: deps,
        in_progress_at: (task.status == TaskStatus::InProgress).then_some(now),
        activity,
    })
}

/// The activity of an update, in order: the comment sent with it (if any), `task.status_changed`
/// or `task.updated`, then the notifications the reference would send.
pub fn plan_update_activity(
    before: &TaskState,
    plan: &TaskPlan,
    title: &str,
    comment: Option<&str>,
    board_lead: Option<Uuid>,
    actor_agent_id: Option<Uuid>,
) -> Vec<PlannedActivity> {
    let mut out = Vec::new();
    if let Some(comment) = comment.map(str::trim).filter(|c| !c.is_empty()) {
        out.push(PlannedActivity::new(
            "task.comment",
            comment.to_owned(),
            actor_agent_id,
            before.id,
        ));
    }
    let (event, message) = if plan.status_changed {
        (
            "task.status_changed",
            format!("Task moved to {}: {}.", plan.status.as_str(), title),
        )
    } else {
        ("task.updated", format!("Task updated: {title}."))
    };
    out.push(PlannedActivity::new(event, message, actor_agent_id, before.id));
    let was = Placement {
        status: before.status,
        assigned_agent_id: before.assigned_agent_id,
    };
    let is = Placement {
        status: plan.status,
        assigned_agent_id: plan.assigned_agent_id,
    };
    let intents = notifications::task_updated(title, was, is, board_lead, actor_agent_id);
    out.extend(PlannedActivity::notifications(intents, before.id));
    out
}

/// Whether dependents react to this change: the task enters or leaves `done`.
pub fn affects_dependents(before: TaskStatus, after: TaskStatus) -> bool {
    (before == TaskStatus::Done) != (after == TaskStatus::Done)
}

/// A task that depends on the changed one.
#[derive(Debug, Clone)]
pub struct Dependent {
    pub state: TaskState,
    pub title: String,
}

/// How one dependent reacts: its new state when it is sent back to the inbox, and the
/// activity row recording the reaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DependentChange {
    pub id: Uuid,
    pub reset_to: Option<ResetState>,
    pub activity: PlannedActivity,
}

/// The workflow fields of a dependent sent back to the inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResetState {
    pub status: TaskStatus,
    pub assigned_agent_id: Option<Uuid>,
    pub in_progress_at: Option<NaiveDateTime>,
    pub previous_in_progress_at: Option<NaiveDateTime>,
}

/// Dependents (in the given order) react when a task enters or leaves `done`. Those done
/// already are left alone. When the task leaves `done`, a dependent that had started (not in
/// the inbox, assigned, or once in progress) goes back to the inbox unassigned, remembering
/// when it was in progress; every other dependent only records that its dependency's
/// completion changed.
pub fn plan_dependents(
    before: TaskStatus,
    after: TaskStatus,
    dependents: &[Dependent],
    actor_agent_id: Option<Uuid>,
) -> Vec<DependentChange> {
    if !affects_dependents(before, after) {
        return Vec::new();
    }
    let reopened = before == TaskStatus::Done;
    dependents
        .iter()
        .filter(|d| d.state.status != TaskStatus::Done)
        .map(|d| {
            let s = &d.state;
            let pristine = s.status == TaskStatus::Inbox && s.assigned_agent_id.is_none() && s.in_progress_at.is_none();
            if reopened && !pristine {
                DependentChange {
                    id: s.id,
                    reset_to: Some(ResetState {
                        status: TaskStatus::Inbox,
                        assigned_agent_id: None,
                        in_progress_at: None,
                        previous_in_progress_at: s.in_progress_at.or(s.previous_in_progress_at),
                    }),
                    activity: PlannedActivity::new(
                        "task.status_changed",
                        format!("Task moved to inbox: {} (dependency reopened).", d.title),
                        actor_agent_id,
                        s.id,
                    ),
                }
            } else {
                DependentChange {
                    id: s.id,
                    reset_to: None,
                    activity: PlannedActivity::new(
                        "task.updated",
                        format!("Dependency completion changed: {}.", d.title),
                        actor_agent_id,
                        s.id,
                    ),
                }
            }
        })
        .collect()
}

#[cfg(test)]
#[path = "task_plans_tests.rs"]
mod tests;
