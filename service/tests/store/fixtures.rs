//! Rows the tests build on: a user with their personal organization, boards, agents, tasks.

use mission_control::domain::now;
use mission_control::domain::tasks::{TaskPatch, TaskStatus, plan_user_update};
use mission_control::store::{AgentRow, BoardRow, NewTask, NewUser, Store, StoreResult, TaskChange, TaskUpdate};
use uuid::Uuid;

/// A signed-in user: `(user id, organization id, member id)`.
pub async fn user(store: &Store) -> (Uuid, Uuid, Uuid) {
    let ctx = store
        .provision_user(&NewUser {
            clerk_user_id: format!("user_{}", Uuid::new_v4().simple()),
            email: None,
            name: Some("Ada".into()),
        })
        .await
        .expect("provision");
    let member = ctx.member.expect("personal organization");
    (ctx.user.id, member.organization_id, member.id)
}

pub async fn board(store: &Store, organization_id: Uuid) -> BoardRow {
    let at = now();
    let row = BoardRow {
        id: Uuid::new_v4(),
        organization_id,
        name: "Launch".into(),
        slug: format!("launch-{}", Uuid::new_v4().simple()),
        description: String::new(),
        gateway_id: None,
        board_group_id: None,
        board_type: "goal".into(),
        objective: None,
        success_metrics: None,
        target_date: None,
        goal_confirmed: false,
        goal_source: None,
        require_approval_for_done: false,
        require_review_before_done: false,
        comment_required_for_review: false,
        block_status_changes_with_pending_approval: false,
        only_lead_can_change_status: false,
        max_agents: 10,
        stale_claim_timeout_seconds: None,
        created_at: at,
        updated_at: at,
    };
    store.insert_board(&row).await.expect("board");
    row
}

pub async fn agent(store: &Store, board: &BoardRow, name: &str, status: &str, lead: bool) -> AgentRow {
    let at = now();
    let row = AgentRow {
        id: Uuid::new_v4(),
        organization_id: board.organization_id,
        board_id: Some(board.id),
        gateway_id: None,
        name: name.into(),
        status: status.into(),
        openclaw_session_id: None,
        heartbeat_config: Some(serde_json::json!({"every": "10m"})),
        identity_profile: None,
        identity_template: None,
        soul_template: None,
        last_seen_at: None,
        is_board_lead: lead,
        created_at: at,
        updated_at: at,
    };
    store.insert_agent(&row).await.expect("agent");
    row
}

pub fn new_task(board: &BoardRow, title: &str) -> NewTask {
    NewTask {
        id: Uuid::new_v4(),
        board_id: board.id,
        organization_id: board.organization_id,
        title: title.into(),
        description: None,
        status: TaskStatus::Inbox,
        priority: "medium".into(),
        due_at: None,
        created_by_user_id: None,
        assigned_agent_id: None,
        depends_on_task_ids: Vec::new(),
        tag_ids: Vec::new(),
        custom_field_values: Vec::new(),
        actor_agent_id: None,
        auto_reason: None,
        now: now(),
    }
}

/// A user's update of a task's workflow fields, through the domain's plan.
pub async fn move_task(store: &Store, board: &BoardRow, task_id: Uuid, patch: TaskPatch) -> StoreResult<TaskChange> {
    let at = now();
    let update = TaskUpdate {
        board_id: board.id,
        organization_id: board.organization_id,
        task_id,
        comment: patch.comment.clone(),
        now: at,
        ..TaskUpdate::default()
    };
    let plan = move |task: &_, deps: &[Uuid], facts: &_| plan_user_update(task, deps, &patch, facts, at);
    store.update_task(&update, &plan).await
}

pub fn to(status: TaskStatus) -> TaskPatch {
    TaskPatch {
        status: Some(status),
        ..TaskPatch::default()
    }
}
