//! Agents working a board's tasks: the worker and lead rule sets of `domain::agent_rules`
//! in front of the common task update, and claims that cannot collide.

use uuid::Uuid;

use super::identity::{AgentCaller, board_for_agent};
use super::tasks::{Creator, TaskInput, create_on_board, publish};
use super::{Error, Result, non_blank};
use crate::bus::EventBus;
use crate::domain::agent_rules::{
    self, AgentRuleError, LEAD_FIELDS, TaskFacts, WORKER_FIELDS, check_fields, check_lead_inline_comment,
    plan_lead_status, plan_worker_status,
};
use crate::domain::now;
use crate::domain::tasks::{TaskPatch, TaskStatus, plan_user_update};
use crate::store::{Store, StoreError, TaskChange, TaskRecord, TaskUpdate};

/// The fields an agent's PATCH body names, in a fixed order.
fn sent_fields(input: &TaskInput) -> Vec<&'static str> {
    let named = [
        ("title", input.title.is_some()),
        ("description", input.description.is_some()),
        ("status", input.status.is_some()),
        ("priority", input.priority.is_some()),
        ("due_at", input.due_at.is_some()),
        ("assigned_agent_id", input.assigned_agent_id.is_some()),
        ("depends_on_task_ids", input.depends_on_task_ids.is_some()),
        ("tag_ids", input.tag_ids.is_some()),
        ("custom_field_values", input.custom_field_values.is_some()),
        ("comment", input.comment.is_some()),
    ];
    named.into_iter().filter(|(_, sent)| *sent).map(|(f, _)| f).collect()
}

fn refused(e: AgentRuleError) -> Error {
    match e {
        AgentRuleError::BoardMismatch => Error::Forbidden("Agent may only access its own board"),
        AgentRuleError::FieldForbidden(_) => Error::Forbidden("Agent may not update these fields"),
        AgentRuleError::AssigneeMismatch => Error::Forbidden("Task is assigned to another agent"),
        AgentRuleError::OnlyLeadCanChangeStatus => Error::Forbidden("Only the board lead can change task status"),
        AgentRuleError::LeadInlineComment => Error::Forbidden("Board leads must use the comments endpoint"),
        AgentRuleError::LeadStatusNotInReview => Error::Forbidden("Board leads may change status only in review"),
        AgentRuleError::LeadStatusTarget => Error::Forbidden("Board leads may move review tasks only to done or inbox"),
        AgentRuleError::LeadCommentForbidden => Error::Forbidden("Board leads may not comment on this task"),
        AgentRuleError::LeadOnly => Error::Forbidden("Only the board lead may do this"),
        AgentRuleError::Blocked => Error::Conflict("Task is blocked by incomplete dependencies.".to_owned()),
        AgentRuleError::CommentRequired => {
            Error::Invalid(vec![super::FieldError::body("comment", "Comment is required.")])
        }
    }
}

fn claim_lost() -> Error {
    Error::Conflict("Task was claimed by another agent or changed status; reload it and try again.".to_owned())
}

fn facts(record: &TaskRecord) -> Result<TaskFacts> {
    let status = TaskStatus::parse(&record.task.status).ok_or_else(|| {
        Error::Store(StoreError::Corrupt(format!(
            "task {} has unknown status",
            record.task.id
        )))
    })?;
    Ok(TaskFacts {
        status,
        assigned_agent_id: record.task.assigned_agent_id,
        in_progress_at: record.task.in_progress_at,
        is_blocked: status != TaskStatus::Done && !record.blocked_by_task_ids.is_empty(),
    })
}

fn lead_caller(caller: &AgentCaller) -> Result<()> {
    let rules = agent_rules::AgentCaller {
        id: caller.agent.id,
        board_id: caller.agent.board_id,
        organization_id: caller.agent.organization_id,
        is_board_lead: caller.agent.is_board_lead,
    };
    agent_rules::check_lead(&rules).map_err(refused)
}

/// `POST /agent/boards/{board_id}/tasks`: a board lead creates a task on its board; the task
/// is marked `auto_created` with `auto_reason = lead_agent:<lead id>`. An assignee must exist
/// (404), not be a lead (403) and be on this board (409).
pub async fn create(
    store: &Store,
    bus: &EventBus,
    caller: &AgentCaller,
    board_id: Uuid,
    input: TaskInput,
) -> Result<TaskRecord> {
    let board = board_for_agent(store, caller, board_id).await?;
    lead_caller(caller)?;
    if let Some(Some(assignee)) = input.assigned_agent_id {
        check_assignee_not_lead(store, assignee).await?;
    }
    create_on_board(store, bus, &board, Creator::Lead(caller.agent.id), input).await
}

/// `DELETE /agent/boards/{board_id}/tasks/{task_id}`: lead only.
pub async fn delete(store: &Store, caller: &AgentCaller, board_id: Uuid, task_id: Uuid) -> Result<()> {
    board_for_agent(store, caller, board_id).await?;
    lead_caller(caller)?;
    super::deleted(store.delete_task(board_id, task_id).await?, "Task not found")
}

/// `PATCH /agent/boards/{board_id}/tasks/{task_id}`.
pub async fn update(
    store: &Store,
    bus: &EventBus,
    caller: &AgentCaller,
    board_id: Uuid,
    task_id: Uuid,
    mut input: TaskInput,
) -> Result<TaskRecord> {
    let agent = &caller.agent;
    let board = board_for_agent(store, caller, board_id).await?;
    let record = store
        .get_task(board_id, task_id)
        .await?
        .ok_or(Error::NotFound("Task not found"))?;
    let task = facts(&record)?;
    let sent = sent_fields(&input);
    if let Some(comment) = &input.comment {
        non_blank("comment", comment)?;
    }
    let at = now();
    let mut return_to = None;
    if agent.is_board_lead {
        check_lead_inline_comment(input.comment.as_deref()).map_err(refused)?;
        check_fields(&sent, &LEAD_FIELDS).map_err(refused)?;
        if let Some(Some(assignee)) = input.assigned_agent_id {
            check_assignee_not_lead(store, assignee).await?;
        }
        if let Some(to) = input.status {
            plan_lead_status(&task, to, input.assigned_agent_id.flatten()).map_err(refused)?;
            if task.status == TaskStatus::Review && to == TaskStatus::Inbox {
                return_to = returning_worker(store, task_id, agent.id).await?;
            }
        }
    } else {
        check_fields(&sent, &WORKER_FIELDS).map_err(refused)?;
        // A claim that lost (the task is someone else's by now) is a conflict, not a no-op.
        if input.status.is_some() && task.assigned_agent_id.is_some_and(|a| a != agent.id) {
            return Err(if input.status == Some(TaskStatus::InProgress) {
                claim_lost()
            } else {
                refused(AgentRuleError::AssigneeMismatch)
            });
        }
        if let Some(to) = input.status.filter(|to| *to != task.status) {
            let caller_rules = agent_rules::AgentCaller {
                id: agent.id,
                board_id: agent.board_id,
                organization_id: agent.organization_id,
                is_board_lead: false,
            };
            // The comment gate is the common update's (it also counts earlier comments).
            let outcome = plan_worker_status(
                &caller_rules,
                &task,
                to,
                board.only_lead_can_change_status,
                false,
                true,
                None,
                at,
            )
            .map_err(refused)?;
            if outcome.is_claim && to == TaskStatus::InProgress {
                return claim(
                    store,
                    bus,
                    board.organization_id,
                    board_id,
                    &record,
                    agent.id,
                    task.status,
                    input,
                )
                .await;
            }
            if matches!(to, TaskStatus::InProgress | TaskStatus::Done) {
                input.assigned_agent_id = Some(Some(agent.id));
            }
        }
    }
    let write = common_update(
        store,
        board.organization_id,
        board_id,
        task_id,
        agent.id,
        input,
        return_to,
        at,
    )
    .await?;
    publish(bus, board.organization_id, board_id, &write).await;
    Ok(write.view)
}

/// A lead may not assign a task to a lead (403); an unknown agent is left to the common
/// update (404 or 409 for another board).
async fn check_assignee_not_lead(store: &Store, assignee: Uuid) -> Result<()> {
    match store.get_agent(assignee).await? {
        Some(a) if a.is_board_lead => Err(Error::Forbidden("Board leads cannot assign tasks to board leads")),
        _ => Ok(()),
    }
}

/// The worker a lead's review → inbox hands the task back to: the last non-lead agent that
/// moved it to review.
async fn returning_worker(store: &Store, task_id: Uuid, lead: Uuid) -> Result<Option<Uuid>> {
    let changes: Vec<(Option<Uuid>, TaskStatus)> = store
        .task_status_changes(task_id)
        .await?
        .into_iter()
        .filter_map(|(agent, message)| agent_rules::moved_to(&message).map(|to| (agent, to)))
        .collect();
    Ok(agent_rules::last_reviewing_worker(&changes, lead))
}

/// Claims with one conditional write; the losers get a 409 naming the conflict.
#[allow(clippy::too_many_arguments)]
async fn claim(
    store: &Store,
    bus: &EventBus,
    organization_id: Uuid,
    board_id: Uuid,
    record: &TaskRecord,
    agent_id: Uuid,
    from: TaskStatus,
    input: TaskInput,
) -> Result<TaskRecord> {
    let at = now();
    let Some(row) = store.claim_task(board_id, record.task.id, agent_id, from, at).await? else {
        return Err(claim_lost());
    };
    let mut write = if input.comment.is_some() || input.custom_field_values.is_some() {
        let rest = TaskInput { status: None, ..input };
        common_update(
            store,
            organization_id,
            board_id,
            record.task.id,
            agent_id,
            rest,
            None,
            at,
        )
        .await?
    } else {
        let view = store
            .get_task(board_id, record.task.id)
            .await?
            .ok_or(Error::NotFound("Task not found"))?;
        TaskChange {
            view,
            activity: Vec::new(),
            touched: Vec::new(),
        }
    };
    write.activity.insert(0, row);
    publish(bus, organization_id, board_id, &write).await;
    Ok(write.view)
}

#[allow(clippy::too_many_arguments)]
async fn common_update(
    store: &Store,
    organization_id: Uuid,
    board_id: Uuid,
    task_id: Uuid,
    agent_id: Uuid,
    input: TaskInput,
    return_to: Option<Uuid>,
    at: chrono::NaiveDateTime,
) -> Result<TaskChange> {
    let custom_field_values =
        super::custom_fields::task_values(store, board_id, input.custom_field_values.as_ref(), false).await?;
    let patch = TaskPatch {
        status: input.status,
        assigned_agent_id: input.assigned_agent_id,
        depends_on_task_ids: input.depends_on_task_ids.clone(),
        comment: input.comment.clone(),
        return_to,
    };
    let update = TaskUpdate {
        board_id,
        organization_id,
        task_id,
        title: None,
        description: None,
        priority: None,
        due_at: None,
        tag_ids: input.tag_ids,
        custom_field_values,
        comment: input.comment,
        actor_agent_id: Some(agent_id),
        assignee: input.assigned_agent_id.flatten(),
        now: at,
    };
    let plan = move |task: &_, deps: &[Uuid], facts: &_| plan_user_update(task, deps, &patch, facts, at);
    match store.update_task(&update, &plan).await {
        Err(StoreError::NotFound) => Err(Error::NotFound("Task not found")),
        other => Ok(other?),
    }
}
