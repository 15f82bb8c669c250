//! What the live streams carry: bus events built from activity rows and read models, in the
//! reference's event names and payloads (`task` with `{type, activity, task|comment}`,
//! `comment` with `{comment}`).

use std::collections::HashMap;

use serde_json::json;
use uuid::Uuid;

use crate::bus::events::{BusEvent, Topic};
use crate::store::{ActivityRow, AgentRow, ApprovalView, CommentFeedRow, MemoryRow, TaskRecord};
use crate::wire::activity::{ActivityEventRead, ActivityTaskCommentFeedItemRead};
use crate::wire::agents::AgentRead;
use crate::wire::approvals::ApprovalRead;
use crate::wire::comments::TaskCommentRead;
use crate::wire::memory::BoardMemoryRead;
use crate::wire::tasks::TaskRead;

/// A board task-stream event for one activity row, given the task it is about (absent for a
/// comment, which carries the comment instead).
pub fn task_stream_event(
    organization_id: Uuid,
    board_id: Uuid,
    activity: &ActivityRow,
    task: Option<&TaskRecord>,
) -> Option<BusEvent> {
    let is_comment = activity.event_type == "task.comment";
    let data = if is_comment {
        json!({
            "type": activity.event_type,
            "activity": ActivityEventRead::from(activity.clone()),
            "comment": TaskCommentRead::from(activity.clone()),
        })
    } else {
        json!({
            "type": activity.event_type,
            "activity": ActivityEventRead::from(activity.clone()),
            "task": TaskRead::from(task?.clone()),
        })
    };
    Some(BusEvent {
        topic: Topic::BoardTasks(board_id),
        organization_id,
        name: "task".to_owned(),
        id: activity.id.to_string(),
        is_comment,
        data,
    })
}

/// Task-stream events for a set of activity rows, matching each to its task's read model.
pub fn task_stream_events(
    organization_id: Uuid,
    board_id: Uuid,
    activity: &[ActivityRow],
    tasks: &[TaskRecord],
) -> Vec<BusEvent> {
    let by_id: HashMap<Uuid, &TaskRecord> = tasks.iter().map(|t| (t.task.id, t)).collect();
    activity
        .iter()
        .filter_map(|a| {
            let task = a.task_id.and_then(|id| by_id.get(&id).copied());
            task_stream_event(organization_id, board_id, a, task)
        })
        .collect()
}

/// An event of the organization-wide comment feed.
pub fn comment_feed_event(organization_id: Uuid, item: CommentFeedRow) -> BusEvent {
    BusEvent {
        topic: Topic::CommentFeed(item.board_id),
        organization_id,
        name: "comment".to_owned(),
        id: item.id.to_string(),
        is_comment: true,
        data: json!({ "comment": ActivityTaskCommentFeedItemRead::from(item) }),
    }
}

/// An approval was created or changed; `pending` is the board's pending count after it.
pub fn approval_event(organization_id: Uuid, approval: ApprovalView, pending: i64) -> BusEvent {
    let a = &approval.approval;
    // Creation and each resolution are distinct events (resumable by id).
    let id = match a.resolved_at {
        Some(at) => format!("{}:{}", a.id, at.and_utc().timestamp_micros()),
        None => a.id.to_string(),
    };
    BusEvent {
        topic: Topic::BoardApprovals(a.board_id),
        organization_id,
        name: "approval".to_owned(),
        id,
        is_comment: false,
        data: json!({"approval": ApprovalRead::from(approval), "pending_approvals_count": pending}),
    }
}

pub fn memory_event(organization_id: Uuid, memory: MemoryRow) -> BusEvent {
    BusEvent {
        topic: Topic::BoardMemory(memory.board_id),
        organization_id,
        name: "memory".to_owned(),
        id: memory.id.to_string(),
        is_comment: memory.is_chat,
        data: json!({"memory": BoardMemoryRead::from(memory)}),
    }
}

pub fn agent_event(agent: AgentRow) -> BusEvent {
    let id = format!("{}:{}", agent.id, agent.updated_at.and_utc().timestamp_micros());
    BusEvent {
        topic: Topic::Agents(agent.board_id),
        organization_id: agent.organization_id,
        name: "agent".to_owned(),
        id,
        is_comment: false,
        data: json!({"agent": AgentRead::from(agent)}),
    }
}
