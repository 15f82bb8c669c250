//! Board groups: CRUD, cross-board snapshots, and setting the heartbeat of a group's agents.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use uuid::Uuid;

use super::identity::{Access, AgentCaller, UserCaller, board_for_agent, board_for_user};
use super::{Error, FieldError, Result, deleted, non_blank};
use crate::domain::tasks::TaskStatus;
use crate::domain::{Page, Paged, now};
use crate::store::{BoardFilter, BoardGroupRow, BoardRow, GroupTaskRow, Store, TagRef};

/// Group fields as sent; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct GroupInput {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub description: Option<Option<String>>,
}

/// Who asks: a user, or an agent (for the endpoints agents may call too).
#[derive(Debug, Clone)]
pub enum Caller {
    User(UserCaller),
    Agent(AgentCaller),
}

pub async fn list(store: &Store, caller: &UserCaller, page: Page) -> Result<Paged<BoardGroupRow>> {
    Ok(store.list_board_groups(caller.organization_id(), page).await?)
}

async fn find(store: &Store, organization_id: Uuid, id: Uuid) -> Result<BoardGroupRow> {
    store
        .get_board_group(organization_id, id)
        .await?
        .ok_or(Error::NotFound("Board group not found"))
}

pub async fn get(store: &Store, caller: &UserCaller, id: Uuid) -> Result<BoardGroupRow> {
    find(store, caller.organization_id(), id).await
}

fn apply(row: &mut BoardGroupRow, input: GroupInput) -> Result<()> {
    if let Some(name) = input.name {
        row.name = non_blank("name", &name)?;
    }
    if let Some(slug) = input.slug {
        row.slug = non_blank("slug", &slug)?;
    }
    if let Some(description) = input.description {
        row.description = description;
    }
    Ok(())
}

pub async fn create(store: &Store, caller: &UserCaller, input: GroupInput) -> Result<BoardGroupRow> {
    caller.require_admin()?;
    let at = now();
    let mut row = BoardGroupRow {
        id: Uuid::new_v4(),
        organization_id: caller.organization_id(),
        name: non_blank("name", input.name.as_deref().unwrap_or_default())?,
        slug: non_blank("slug", input.slug.as_deref().unwrap_or_default())?,
        description: None,
        created_at: at,
        updated_at: at,
    };
    apply(&mut row, input)?;
    store.insert_board_group(&row).await?;
    Ok(row)
}

pub async fn update(store: &Store, caller: &UserCaller, id: Uuid, input: GroupInput) -> Result<BoardGroupRow> {
    caller.require_admin()?;
    let mut row = find(store, caller.organization_id(), id).await?;
    apply(&mut row, input)?;
    row.updated_at = now();
    store.update_board_group(&row).await?;
    Ok(row)
}

/// Detaches the group's boards, then deletes the group.
pub async fn delete(store: &Store, caller: &UserCaller, id: Uuid) -> Result<()> {
    caller.require_admin()?;
    deleted(
        store.delete_board_group(caller.organization_id(), id, now()).await?,
        "Board group not found",
    )
}

/// What the snapshot shows of each board's tasks.
#[derive(Debug, Clone, Copy)]
pub struct SnapshotOptions {
    pub include_done: bool,
    pub per_board_task_limit: i64,
}

pub const MAX_PER_BOARD_TASKS: i64 = 100;

impl SnapshotOptions {
    pub fn new(include_done: bool, per_board_task_limit: i64) -> Result<Self> {
        if !(0..=MAX_PER_BOARD_TASKS).contains(&per_board_task_limit) {
            return Err(Error::Invalid(vec![FieldError {
                loc: vec![Value::from("query"), Value::from("per_board_task_limit")],
                msg: format!("per_board_task_limit must be between 0 and {MAX_PER_BOARD_TASKS}"),
                kind: "value_error".to_owned(),
            }]));
        }
        Ok(Self {
            include_done,
            per_board_task_limit,
        })
    }
}

#[derive(Debug, Clone)]
pub struct BoardSnapshot {
    pub board: BoardRow,
    /// Every status, with the number of the board's tasks in it.
    pub task_counts: BTreeMap<String, i64>,
    pub tasks: Vec<(GroupTaskRow, Vec<TagRef>)>,
}

#[derive(Debug, Clone, Default)]
pub struct GroupSnapshot {
    pub group: Option<BoardGroupRow>,
    pub boards: Vec<BoardSnapshot>,
}

/// Every board of the group in the organization, by name (`granted_to_member` narrows them
/// to a member's per-board grants).
async fn group_boards(
    store: &Store,
    organization_id: Uuid,
    group_id: Uuid,
    granted_to_member: Option<Uuid>,
) -> Result<Vec<BoardRow>> {
    let filter = BoardFilter {
        organization_id,
        board_group_id: Some(group_id),
        granted_to_member,
        ..BoardFilter::default()
    };
    let all = Page {
        limit: i64::from(u32::MAX),
        offset: 0,
    };
    Ok(store.list_boards(&filter, all).await?.items)
}

fn readable_by(caller: &UserCaller) -> Option<Uuid> {
    let m = &caller.member;
    (!(m.all_boards_read || m.all_boards_write)).then_some(m.id)
}

async fn snapshot_of(
    store: &Store,
    group: BoardGroupRow,
    boards: Vec<BoardRow>,
    options: SnapshotOptions,
) -> Result<GroupSnapshot> {
    let ids: Vec<Uuid> = boards.iter().map(|b| b.id).collect();
    let found = store
        .group_tasks(&ids, options.include_done, options.per_board_task_limit)
        .await?;
    let mut counts: BTreeMap<Uuid, BTreeMap<String, i64>> = BTreeMap::new();
    for (board, status, n) in found.counts {
        *counts.entry(board).or_default().entry(status).or_default() += n;
    }
    let mut tasks: BTreeMap<Uuid, Vec<(GroupTaskRow, Vec<TagRef>)>> = BTreeMap::new();
    for (task, tags) in found.tasks {
        tasks.entry(task.board_id).or_default().push((task, tags));
    }
    let boards = boards
        .into_iter()
        .map(|board| {
            let mut task_counts: BTreeMap<String, i64> =
                TaskStatus::ALL.iter().map(|s| (s.as_str().to_owned(), 0)).collect();
            task_counts.extend(counts.remove(&board.id).unwrap_or_default());
            BoardSnapshot {
                tasks: tasks.remove(&board.id).unwrap_or_default(),
                task_counts,
                board,
            }
        })
        .collect();
    Ok(GroupSnapshot {
        group: Some(group),
        boards,
    })
}

/// The group's readable boards with their task counts and first tasks.
pub async fn snapshot(
    store: &Store,
    caller: &UserCaller,
    group_id: Uuid,
    options: SnapshotOptions,
) -> Result<GroupSnapshot> {
    let group = find(store, caller.organization_id(), group_id).await?;
    let boards = group_boards(store, caller.organization_id(), group_id, readable_by(caller)).await?;
    snapshot_of(store, group, boards, options).await
}

/// The snapshot of a board's group (empty when the board is in none); the board itself only
/// with `include_self`.
pub async fn board_snapshot(
    store: &Store,
    caller: &Caller,
    board_id: Uuid,
    include_self: bool,
    options: SnapshotOptions,
) -> Result<GroupSnapshot> {
    let (board, member) = match caller {
        Caller::User(user) => (
            board_for_user(store, user, board_id, Access::Read).await?,
            readable_by(user),
        ),
        Caller::Agent(agent) => (board_for_agent(store, agent, board_id).await?, None),
    };
    let Some(group_id) = board.board_group_id else {
        return Ok(GroupSnapshot::default());
    };
    let group = find(store, board.organization_id, group_id).await?;
    let boards = group_boards(store, board.organization_id, group_id, member)
        .await?
        .into_iter()
        .filter(|b| include_self || b.id != board_id)
        .collect();
    snapshot_of(store, group, boards, options).await
}

/// The outcome of a group heartbeat change.
#[derive(Debug, Clone)]
pub struct HeartbeatApplied {
    pub board_group_id: Uuid,
    pub requested: Value,
    pub updated_agent_ids: Vec<Uuid>,
    pub failed_agent_ids: Vec<Uuid>,
}

/// The heartbeat configuration an agent gets when it has none.
fn default_heartbeat() -> Value {
    json!({"every": "10m", "target": "last", "includeReasoning": false})
}

/// Sets `heartbeat_config.every` on the agents of the group's boards (leads only with
/// `include_board_leads`). Users must be organization admins; agents must lead a board of the
/// group. No gateway is contacted, so no agent fails.
pub async fn apply_heartbeat(
    store: &Store,
    caller: &Caller,
    group_id: Uuid,
    every: &str,
    include_board_leads: bool,
) -> Result<HeartbeatApplied> {
    let organization_id = match caller {
        Caller::User(user) => {
            user.require_admin()?;
            user.organization_id()
        }
        Caller::Agent(agent) => {
            let a = &agent.agent;
            let leads_a_group_board = match (a.is_board_lead, a.board_id) {
                (true, Some(board)) => store
                    .get_board(board)
                    .await?
                    .is_some_and(|b| b.board_group_id == Some(group_id)),
                _ => false,
            };
            if !leads_a_group_board {
                return Err(Error::Forbidden(
                    "Only a lead of a board in this group may change its heartbeat",
                ));
            }
            a.organization_id
        }
    };
    find(store, organization_id, group_id).await?;
    let every = non_blank("every", every)?;
    let at = now();
    let configs: Vec<(Uuid, Value)> = store
        .group_agents(group_id)
        .await?
        .into_iter()
        .filter(|a| include_board_leads || !a.is_board_lead)
        .map(|a| {
            let mut config = match a.heartbeat_config {
                Some(Value::Object(map)) => Value::Object(map),
                _ => default_heartbeat(),
            };
            config["every"] = Value::from(every.clone());
            (a.id, config)
        })
        .collect();
    store.set_heartbeat_configs(&configs, at).await?;
    Ok(HeartbeatApplied {
        board_group_id: group_id,
        requested: json!({"every": every, "include_board_leads": include_board_leads}),
        updated_agent_ids: configs.into_iter().map(|(id, _)| id).collect(),
        failed_agent_ids: Vec::new(),
    })
}
