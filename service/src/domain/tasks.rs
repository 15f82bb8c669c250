//! Task workflow rules: statuses, dependencies and the board gates on status changes.
//! Pure: callers load the facts (task, board rules, dependency graph) and apply the plan.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskStatus {
    Inbox,
    InProgress,
    Review,
    Done,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 4] = [Self::Inbox, Self::InProgress, Self::Review, Self::Done];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "inbox" => Some(Self::Inbox),
            "in_progress" => Some(Self::InProgress),
            "review" => Some(Self::Review),
            "done" => Some(Self::Done),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inbox => "inbox",
            Self::InProgress => "in_progress",
            Self::Review => "review",
            Self::Done => "done",
        }
    }
}

/// Why a task write was refused. The HTTP layer maps each to the contract's status and body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskRuleError {
    #[error("Task is blocked by incomplete dependencies.")]
    Blocked { blocked_by: Vec<Uuid> },
    #[error("One or more dependency tasks were not found.")]
    MissingDependencies(Vec<Uuid>),
    #[error("A task cannot depend on itself.")]
    SelfDependency,
    #[error("Dependency cycle detected.")]
    Cycle,
    #[error("Cannot change dependencies of a task that is done.")]
    DoneTaskDependencies,
    #[error("Assigned agent not found.")]
    AssigneeNotFound,
    #[error("Assigned agent belongs to another board.")]
    AssigneeOnOtherBoard,
    #[error("One or more tags were not found.")]
    MissingTags(Vec<Uuid>),
    #[error("Task status cannot change while an approval is pending.")]
    PendingApproval,
    #[error("Task can only be marked done from review.")]
    ReviewRequiredBeforeDone,
    #[error("Task can only be marked done when a linked approval has been approved.")]
    ApprovalRequiredForDone,
    #[error("Comment is required.")]
    CommentRequired,
}

/// The board rules that gate status changes.
#[derive(Debug, Clone, Copy, Default)]
pub struct BoardRules {
    pub require_approval_for_done: bool,
    pub require_review_before_done: bool,
    pub comment_required_for_review: bool,
    pub block_status_changes_with_pending_approval: bool,
}

/// The persisted state of a task that the rules look at.
#[derive(Debug, Clone)]
pub struct TaskState {
    pub id: Uuid,
    pub status: TaskStatus,
    pub assigned_agent_id: Option<Uuid>,
    pub in_progress_at: Option<NaiveDateTime>,
    pub previous_in_progress_at: Option<NaiveDateTime>,
}

/// Facts about the task's surroundings, loaded in the same transaction as the task.
#[derive(Debug, Clone, Default)]
pub struct UpdateFacts {
    pub rules: BoardRules,
    /// Every dependency edge of the board: task → the tasks it depends on.
    pub board_edges: Vec<(Uuid, Uuid)>,
    /// Status of every task on the board.
    pub board_statuses: HashMap<Uuid, TaskStatus>,
    /// Agents on the board (ids), and the board lead if any.
    pub board_agents: HashSet<Uuid>,
    /// Agents that exist in the organization (to tell "not found" from "other board").
    pub org_agents: HashSet<Uuid>,
    pub board_lead: Option<Uuid>,
    pub has_pending_approval: bool,
    pub has_approved_approval: bool,
    /// A `task.comment` by the (current or previous) assignee since the task last entered
    /// `in_progress`.
    pub has_assignee_comment_since_in_progress: bool,
}

/// A requested change; `None` leaves a field alone, `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub struct TaskPatch {
    pub status: Option<TaskStatus>,
    pub assigned_agent_id: Option<Option<Uuid>>,
    pub depends_on_task_ids: Option<Vec<Uuid>>,
    pub comment: Option<String>,
    /// A lead sending a task from `review` back to `inbox` hands it to this worker (the last
    /// one who moved it to review) instead of leaving it unassigned.
    pub return_to: Option<Uuid>,
}

/// What to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskPlan {
    pub status: TaskStatus,
    pub assigned_agent_id: Option<Uuid>,
    pub in_progress_at: Option<NaiveDateTime>,
    pub previous_in_progress_at: Option<NaiveDateTime>,
    /// Replaces the dependency set when present (de-duplicated, in request order).
    pub depends_on_task_ids: Option<Vec<Uuid>>,
    pub status_changed: bool,
}

/// De-duplicates dependency ids keeping the first occurrence.
pub fn dedupe(ids: &[Uuid]) -> Vec<Uuid> {
    let mut seen = HashSet::new();
    ids.iter().copied().filter(|id| seen.insert(*id)).collect()
}

/// Checks a dependency set for `task_id` against the board: all exist on it, none is the task
/// itself, and adding them creates no cycle in the board-wide graph.
pub fn check_dependencies(
    task_id: Uuid,
    deps: &[Uuid],
    board_statuses: &HashMap<Uuid, TaskStatus>,
    board_edges: &[(Uuid, Uuid)],
) -> Result<(), TaskRuleError> {
    if deps.contains(&task_id) {
        return Err(TaskRuleError::SelfDependency);
    }
    let missing: Vec<Uuid> = deps
        .iter()
        .copied()
        .filter(|d| !board_statuses.contains_key(d))
        .collect();
    if !missing.is_empty() {
        return Err(TaskRuleError::MissingDependencies(missing));
    }
    // A cycle exists iff `task_id` is reachable from one of its new dependencies, following
    // the board's edges with the task's own old edges replaced by the new ones.
    let mut graph: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (from, to) in board_edges.iter().filter(|(from, _)| *from != task_id) {
        graph.entry(*from).or_default().push(*to);
    }
    let mut stack: Vec<Uuid> = deps.to_vec();
    let mut seen = HashSet::new();
    while let Some(node) = stack.pop() {
        if node == task_id {
            return Err(TaskRuleError::Cycle);
        }
        if seen.insert(node) {
            stack.extend(graph.get(&node).into_iter().flatten().copied());
        }
    }
    Ok(())
}

/// The dependencies that are not done yet.
pub fn blocked_by(deps: &[Uuid], statuses: &HashMap<Uuid, TaskStatus>) -> Vec<Uuid> {
    deps.iter()
        .copied()
        .filter(|d| statuses.get(d).is_some_and(|s| *s != TaskStatus::Done))
        .collect()
}

/// Plans a human user's update of a task.
pub fn plan_user_update(
    task: &TaskState,
    current_deps: &[Uuid],
    patch: &TaskPatch,
    facts: &UpdateFacts,
    now: NaiveDateTime,
) -> Result<TaskPlan, TaskRuleError> {
    let new_deps = match &patch.depends_on_task_ids {
        Some(requested) => {
            let requested = dedupe(requested);
            if task.status == TaskStatus::Done && requested != current_deps {
                return Err(TaskRuleError::DoneTaskDependencies);
            }
            check_dependencies(task.id, &requested, &facts.board_statuses, &facts.board_edges)?;
            Some(requested)
        }
        None => None,
    };
    let deps = new_deps.as_deref().unwrap_or(current_deps);
    let blocked = blocked_by(deps, &facts.board_statuses);

    let mut status = patch.status.unwrap_or(task.status);
    let mut assignee = match patch.assigned_agent_id {
        Some(a) => a,
        None => task.assigned_agent_id,
    };
    if let Some(Some(agent)) = patch.assigned_agent_id {
        if !facts.org_agents.contains(&agent) {
            return Err(TaskRuleError::AssigneeNotFound);
        }
        if !facts.board_agents.contains(&agent) {
            return Err(TaskRuleError::AssigneeOnOtherBoard);
        }
    }

    let stays_done = task.status == TaskStatus::Done && status == TaskStatus::Done;
    if !blocked.is_empty() && !stays_done {
        let moves = patch.status.is_some_and(|s| s != TaskStatus::Inbox && s != task.status)
            || matches!(patch.assigned_agent_id, Some(Some(a)) if Some(a) != task.assigned_agent_id);
        if moves {
            return Err(TaskRuleError::Blocked { blocked_by: blocked });
        }
        status = TaskStatus::Inbox;
        assignee = None;
    }

    let status_changed = status != task.status;
    let mut in_progress_at = task.in_progress_at;
    let mut previous_in_progress_at = task.previous_in_progress_at;
    if status_changed {
        if facts.rules.block_status_changes_with_pending_approval && facts.has_pending_approval {
            return Err(TaskRuleError::PendingApproval);
        }
        if status == TaskStatus::Done {
            if facts.rules.require_review_before_done && task.status != TaskStatus::Review {
                return Err(TaskRuleError::ReviewRequiredBeforeDone);
            }
            if facts.rules.require_approval_for_done && !facts.has_approved_approval {
                return Err(TaskRuleError::ApprovalRequiredForDone);
            }
        }
        match status {
            TaskStatus::Inbox | TaskStatus::Review => {
                if status == TaskStatus::Review
                    && facts.rules.comment_required_for_review
                    && patch.comment.as_deref().is_none_or(|c| c.trim().is_empty())
                    && !facts.has_assignee_comment_since_in_progress
                {
                    return Err(TaskRuleError::CommentRequired);
                }
                if in_progress_at.is_some() {
                    previous_in_progress_at = in_progress_at;
                }
                in_progress_at = None;
                assignee = None;
                if status == TaskStatus::Review {
                    assignee = facts.board_lead;
                } else if task.status == TaskStatus::Review {
                    assignee = patch.return_to.filter(|w| facts.board_agents.contains(w));
                }
            }
            TaskStatus::InProgress => in_progress_at = Some(now),
            TaskStatus::Done => {}
        }
    }

    Ok(TaskPlan {
        status,
        assigned_agent_id: assignee,
        in_progress_at,
        previous_in_progress_at,
        depends_on_task_ids: new_deps,
        status_changed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn task(status: TaskStatus) -> TaskState {
        TaskState {
            id: id(1),
            status,
            assigned_agent_id: None,
            in_progress_at: None,
            previous_in_progress_at: None,
        }
    }

    fn facts(statuses: &[(u128, TaskStatus)], edges: &[(u128, u128)]) -> UpdateFacts {
        UpdateFacts {
            board_statuses: statuses.iter().map(|(i, s)| (id(*i), *s)).collect(),
            board_edges: edges.iter().map(|(a, b)| (id(*a), id(*b))).collect(),
            ..UpdateFacts::default()
        }
    }

    #[test]
    fn a_dependency_cycle_is_refused() {
        // 2 depends on 1; making 1 depend on 2 closes the loop.
        let f = facts(&[(1, TaskStatus::Inbox), (2, TaskStatus::Inbox)], &[(2, 1)]);
        assert_eq!(
            check_dependencies(id(1), &[id(2)], &f.board_statuses, &f.board_edges),
            Err(TaskRuleError::Cycle)
        );
        assert_eq!(
            check_dependencies(id(1), &[id(1)], &f.board_statuses, &f.board_edges),
            Err(TaskRuleError::SelfDependency)
        );
        assert_eq!(
            check_dependencies(id(1), &[id(9)], &f.board_statuses, &f.board_edges),
            Err(TaskRuleError::MissingDependencies(vec![id(9)]))
        );
    }

    #[test]
    fn replacing_a_tasks_own_edges_is_not_a_cycle() {
        let f = facts(
            &[(1, TaskStatus::Inbox), (2, TaskStatus::Inbox), (3, TaskStatus::Inbox)],
            &[(1, 2)],
        );
        assert_eq!(
            check_dependencies(id(1), &[id(3)], &f.board_statuses, &f.board_edges),
            Ok(())
        );
    }

    #[test]
    fn moving_a_blocked_task_out_of_inbox_is_refused_with_the_blockers() {
        let f = facts(&[(1, TaskStatus::Inbox), (2, TaskStatus::InProgress)], &[(1, 2)]);
        let patch = TaskPatch {
            status: Some(TaskStatus::InProgress),
            ..TaskPatch::default()
        };
        let err = plan_user_update(&task(TaskStatus::Inbox), &[id(2)], &patch, &f, crate::domain::now()).unwrap_err();
        assert_eq!(
            err,
            TaskRuleError::Blocked {
                blocked_by: vec![id(2)]
            }
        );
    }

    #[test]
    fn entering_in_progress_stamps_and_leaving_remembers_it() {
        let f = facts(&[(1, TaskStatus::Inbox)], &[]);
        let now = crate::domain::now();
        let start = TaskPatch {
            status: Some(TaskStatus::InProgress),
            ..TaskPatch::default()
        };
        let plan = plan_user_update(&task(TaskStatus::Inbox), &[], &start, &f, now).unwrap();
        assert_eq!(plan.in_progress_at, Some(now));
        let mut running = task(TaskStatus::InProgress);
        running.in_progress_at = Some(now);
        let back = TaskPatch {
            status: Some(TaskStatus::Inbox),
            ..TaskPatch::default()
        };
        let plan = plan_user_update(&running, &[], &back, &f, now).unwrap();
        assert_eq!((plan.in_progress_at, plan.previous_in_progress_at), (None, Some(now)));
    }

    #[test]
    fn review_back_to_inbox_goes_to_the_returning_worker_on_the_board_only() {
        let mut f = facts(&[(1, TaskStatus::Review)], &[]);
        f.board_agents = [id(7)].into_iter().collect();
        let now = crate::domain::now();
        let mut back = TaskPatch {
            status: Some(TaskStatus::Inbox),
            return_to: Some(id(7)),
            ..TaskPatch::default()
        };
        let mut reviewed = task(TaskStatus::Review);
        reviewed.assigned_agent_id = Some(id(5));
        let plan = plan_user_update(&reviewed, &[], &back, &f, now).unwrap();
        assert_eq!(
            (plan.status, plan.assigned_agent_id, plan.in_progress_at),
            (TaskStatus::Inbox, Some(id(7)), None)
        );
        // A worker no longer on the board: the task stays unassigned.
        back.return_to = Some(id(8));
        assert_eq!(
            plan_user_update(&reviewed, &[], &back, &f, now)
                .unwrap()
                .assigned_agent_id,
            None
        );
        // Only from review.
        back.return_to = Some(id(7));
        assert_eq!(
            plan_user_update(&task(TaskStatus::InProgress), &[], &back, &f, now)
                .unwrap()
                .assigned_agent_id,
            None
        );
    }

    #[test]
    fn done_needs_an_approved_approval_when_the_board_says_so() {
        let mut f = facts(&[(1, TaskStatus::Review)], &[]);
        f.rules.require_approval_for_done = true;
        let done = TaskPatch {
            status: Some(TaskStatus::Done),
            ..TaskPatch::default()
        };
        let now = crate::domain::now();
        assert_eq!(
            plan_user_update(&task(TaskStatus::Review), &[], &done, &f, now),
            Err(TaskRuleError::ApprovalRequiredForDone)
        );
        f.has_approved_approval = true;
        assert!(plan_user_update(&task(TaskStatus::Review), &[], &done, &f, now).is_ok());
    }

    #[test]
    fn review_needs_a_comment_when_the_board_says_so() {
        let mut f = facts(&[(1, TaskStatus::InProgress)], &[]);
        f.rules.comment_required_for_review = true;
        let mut patch = TaskPatch {
            status: Some(TaskStatus::Review),
            ..TaskPatch::default()
        };
        let now = crate::domain::now();
        assert_eq!(
            plan_user_update(&task(TaskStatus::InProgress), &[], &patch, &f, now),
            Err(TaskRuleError::CommentRequired)
        );
        patch.comment = Some("ready".into());
        assert!(plan_user_update(&task(TaskStatus::InProgress), &[], &patch, &f, now).is_ok());
    }
}
