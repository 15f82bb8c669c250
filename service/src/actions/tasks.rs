//! Tasks on a board: list, create, update through the workflow rules, delete.

use std::collections::BTreeMap;

use serde_json::Value;
use uuid::Uuid;

use super::custom_fields::task_values;
use super::identity::{Access, AgentCaller, UserCaller, board_for_agent, board_for_user};
use super::{Error, Result, deleted, non_blank};
use crate::bus::EventBus;
use crate::domain::agent_rules::lead_auto_reason;
use crate::domain::tasks::{TaskPatch, TaskStatus, plan_user_update};
use crate::domain::{Page, Paged, now};
use crate::store::{BoardRow, NewTask, Store, TaskChange, TaskFilter, TaskRecord, TaskUpdate};

/// Parses the `status` filter: a comma-separated list of the four statuses.
pub fn parse_status_filter(raw: Option<&str>) -> std::result::Result<Vec<String>, String> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            TaskStatus::parse(s)
                .map(|st| st.as_str().to_owned())
                .ok_or_else(|| s.to_owned())
        })
        .collect()
}

pub async fn list_for_user(
    store: &Store,
    caller: &UserCaller,
    board_id: Uuid,
    filter: &TaskFilter,
    page: Page,
) -> Result<Paged<TaskRecord>> {
    board_for_user(store, caller, board_id, Access::Read).await?;
    Ok(store.list_tasks(board_id, filter, page).await?)
}

pub async fn list_for_agent(
    store: &Store,
    caller: &AgentCaller,
    board_id: Uuid,
    filter: &TaskFilter,
    page: Page,
) -> Result<Paged<TaskRecord>> {
    // An agent's own board needs no lookup: its row references the board, which is in the
    // agent's organization.
    if caller.agent.board_id != Some(board_id) {
        board_for_agent(store, caller, board_id).await?;
    }
    Ok(store.list_tasks(board_id, filter, page).await?)
}

#[derive(Debug, Clone, Default)]
pub struct TaskInput {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub status: Option<TaskStatus>,
    pub priority: Option<String>,
    pub due_at: Option<Option<chrono::NaiveDateTime>>,
    pub assigned_agent_id: Option<Option<Uuid>>,
    pub depends_on_task_ids: Option<Vec<Uuid>>,
    pub tag_ids: Option<Vec<Uuid>>,
    pub custom_field_values: Option<BTreeMap<String, Value>>,
    pub comment: Option<String>,
}

/// Publishes the stream events of a committed task write.
pub(super) async fn publish(bus: &EventBus, organization_id: Uuid, board_id: Uuid, write: &TaskChange) {
    let mut tasks = vec![write.view.clone()];
    tasks.extend(write.touched.iter().cloned());
    for event in super::events::task_stream_events(organization_id, board_id, &write.activity, &tasks) {
        bus.publish(event).await;
    }
}

/// Who creates a task: a user, or a board lead (the task is then marked `auto_created`).
#[derive(Debug, Clone, Copy)]
pub(super) enum Creator {
    User(Uuid),
    Lead(Uuid),
}

pub async fn create(
    store: &Store,
    bus: &EventBus,
    caller: &UserCaller,
    board_id: Uuid,
    input: TaskInput,
) -> Result<TaskRecord> {
    let board = board_for_user(store, caller, board_id, Access::Write).await?;
    create_on_board(store, bus, &board, Creator::User(caller.user.id), input).await
}

/// Creates a task on a board the caller may write to, by a user or a lead.
pub(super) async fn create_on_board(
    store: &Store,
    bus: &EventBus,
    board: &BoardRow,
    creator: Creator,
    input: TaskInput,
) -> Result<TaskRecord> {
    let board_id = board.id;
    let custom_field_values = task_values(store, board_id, input.custom_field_values.as_ref(), true).await?;
    if let Some(priority) = &input.priority {
        non_blank("priority", priority)?;
    }
    if let Some(comment) = &input.comment {
        non_blank("comment", comment)?;
    }
    let (created_by_user_id, actor_agent_id, auto_reason) = match creator {
        Creator::User(user) => (Some(user), None, None),
        Creator::Lead(lead) => (None, Some(lead), Some(lead_auto_reason(lead))),
    };
    let task = NewTask {
        id: Uuid::new_v4(),
        board_id,
        organization_id: board.organization_id,
        title: non_blank("title", input.title.as_deref().unwrap_or_default())?,
        description: input.description.flatten(),
        status: input.status.unwrap_or(TaskStatus::Inbox),
        priority: input.priority.unwrap_or_else(|| "medium".to_owned()),
        due_at: input.due_at.flatten(),
        created_by_user_id,
        assigned_agent_id: input.assigned_agent_id.flatten(),
        depends_on_task_ids: input.depends_on_task_ids.unwrap_or_default(),
        tag_ids: input.tag_ids.unwrap_or_default(),
        custom_field_values,
        actor_agent_id,
        auto_reason,
        now: now(),
    };
    let write = store.create_task(&task).await?;
    publish(bus, board.organization_id, board_id, &write).await;
    Ok(write.view)
}

pub async fn update(
    store: &Store,
    bus: &EventBus,
    caller: &UserCaller,
    board_id: Uuid,
    task_id: Uuid,
    input: TaskInput,
) -> Result<TaskRecord> {
    let board = board_for_user(store, caller, board_id, Access::Write).await?;
    let custom_field_values = task_values(store, board_id, input.custom_field_values.as_ref(), false).await?;
    let title = input.title.as_deref().map(|t| non_blank("title", t)).transpose()?;
    if let Some(priority) = &input.priority {
        non_blank("priority", priority)?;
    }
    if let Some(comment) = &input.comment {
        non_blank("comment", comment)?;
    }
    let at = now();
    let patch = TaskPatch {
        status: input.status,
        assigned_agent_id: input.assigned_agent_id,
        depends_on_task_ids: input.depends_on_task_ids.clone(),
        comment: input.comment.clone(),
        return_to: None,
    };
    let update = TaskUpdate {
        board_id,
        organization_id: board.organization_id,
        task_id,
        title,
        description: input.description,
        priority: input.priority,
        due_at: input.due_at,
        tag_ids: input.tag_ids,
        custom_field_values,
        comment: input.comment,
        actor_agent_id: None,
        assignee: input.assigned_agent_id.flatten(),
        now: at,
    };
    let plan = move |task: &_, deps: &[Uuid], facts: &_| plan_user_update(task, deps, &patch, facts, at);
    let write = match store.update_task(&update, &plan).await {
        Err(crate::store::StoreError::NotFound) => return Err(Error::NotFound("Task not found")),
        other => other?,
    };
    publish(bus, board.organization_id, board_id, &write).await;
    Ok(write.view)
}

pub async fn delete(store: &Store, caller: &UserCaller, board_id: Uuid, task_id: Uuid) -> Result<()> {
    board_for_user(store, caller, board_id, Access::Write).await?;
    deleted(store.delete_task(board_id, task_id).await?, "Task not found")
}
