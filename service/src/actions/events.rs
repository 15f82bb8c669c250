//! What the live streams carry: bus events built from activity rows and read models, in the
//! reference's event names and payloads (`task` with `{type, activity, task|comment}`,
//! `comment` with `{comment}`).

use std::collections::HashMap;

use serde_json::json;
use uuid::Uuid;

use crate::bus::events::{BusEvent, Topic};
use crate::store::{ActivityRow, CommentFeedRow, TaskView};
use crate::views::{ActivityEventRead, ActivityTaskCommentFeedItemRead, TaskCommentRead, TaskRead};

/// A board task-stream event for one activity row, given the task it is about (absent for a
/// comment, which carries the comment instead).
pub fn task_stream_event(
    organization_id: Uuid,
    board_id: Uuid,
    activity: &ActivityRow,
    task: Option<&TaskView>,
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
    tasks: &[TaskView],
) -> Vec<BusEvent> {
    let by_id: HashMap<Uuid, &TaskView> = tasks.iter().map(|t| (t.task.id, t)).collect();
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
