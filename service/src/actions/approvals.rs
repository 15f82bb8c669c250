//! Approvals: an agent (or a user) asks, a user decides. One pending approval per task.

use serde_json::{Map, Value};
use uuid::Uuid;

use super::activity::Cursor;
use super::identity::{Access, Caller, board_for_caller};
use super::{Error, FieldError, Result};
use crate::bus::{BusEvent, EventBus};
use crate::domain::tasks::dedupe;
use crate::domain::{Page, Paged, now};
use crate::store::{ApprovalRow, ApprovalView, ApprovalWrite, BoardRow, PendingApprovalConflict, Store, StoreError};

pub const STATUSES: [&str; 3] = ["pending", "approved", "rejected"];

#[derive(Debug, Clone, Default)]
pub struct ApprovalInput {
    pub action_type: String,
    pub confidence: f64,
    pub payload: Option<Map<String, Value>>,
    pub rubric_scores: Option<Value>,
    pub status: Option<String>,
    pub task_id: Option<Uuid>,
    pub task_ids: Vec<Uuid>,
    pub lead_reasoning: Option<String>,
}

/// Task ids named by the request and its payload, de-duplicated in order of appearance.
pub fn linked_tasks(input: &ApprovalInput) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = input.task_ids.clone();
    ids.extend(input.task_id);
    if let Some(payload) = &input.payload {
        for key in ["task_ids", "taskIds", "taskIDs"] {
            if let Some(Value::Array(list)) = payload.get(key) {
                ids.extend(
                    list.iter()
                        .filter_map(|v| v.as_str())
                        .filter_map(|s| Uuid::parse_str(s).ok()),
                );
            }
        }
        for key in ["task_id", "taskId", "taskID"] {
            if let Some(id) = payload
                .get(key)
                .and_then(Value::as_str)
                .and_then(|s| Uuid::parse_str(s).ok())
            {
                ids.push(id);
            }
        }
    }
    dedupe(&ids)
}

/// The payload with a mandatory reason: `payload.reason`, `payload.decision.reason`, or
/// `lead_reasoning` copied into `payload.reason`.
pub fn payload_with_reason(input: &ApprovalInput) -> Result<Map<String, Value>> {
    let mut payload = input.payload.clone().unwrap_or_default();
    let non_blank = |v: Option<&Value>| v.and_then(Value::as_str).is_some_and(|s| !s.trim().is_empty());
    let has_reason =
        non_blank(payload.get("reason")) || non_blank(payload.get("decision").and_then(|d| d.get("reason")));
    if !has_reason {
        match input.lead_reasoning.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(reason) => {
                payload.insert("reason".to_owned(), Value::from(reason));
            }
            None => {
                return Err(Error::Invalid(vec![FieldError::body(
                    "payload",
                    "A reason is required: payload.reason, payload.decision.reason or lead_reasoning",
                )]));
            }
        }
    }
    Ok(payload)
}

fn conflict(conflicts: &[PendingApprovalConflict]) -> Error {
    let list: Vec<Value> = conflicts
        .iter()
        .map(|c| serde_json::json!({"task_id": c.task_id, "approval_id": c.approval_id}))
        .collect();
    Error::ConflictDetail(serde_json::json!({
        "message": "Each task may have only one pending approval.",
        "conflicts": list,
    }))
}

pub async fn list(
    store: &Store,
    caller: &Caller,
    board_id: Uuid,
    status: Option<String>,
    page: Page,
) -> Result<Paged<ApprovalView>> {
    board_for_caller(store, caller, board_id, Access::Read).await?;
    if let Some(s) = &status
        && !STATUSES.contains(&s.as_str())
    {
        return Err(Error::Invalid(vec![FieldError {
            loc: vec!["query".into(), "status".into()],
            msg: "Input should be 'pending', 'approved' or 'rejected'".into(),
            kind: "enum".into(),
        }]));
    }
    Ok(store.list_approvals(board_id, status, page).await?)
}

async fn publish(store: &Store, bus: &EventBus, organization_id: Uuid, view: &ApprovalView) -> Result<()> {
    let pending = store.count_pending_approvals(view.approval.board_id).await?;
    bus.publish(super::events::approval_event(organization_id, view.clone(), pending))
        .await;
    Ok(())
}

pub async fn create(
    store: &Store,
    bus: &EventBus,
    caller: &Caller,
    board_id: Uuid,
    input: ApprovalInput,
) -> Result<ApprovalView> {
    let board = board_for_caller(store, caller, board_id, Access::Write).await?;
    if input.action_type.trim().is_empty() {
        return Err(Error::Invalid(vec![FieldError::body(
            "action_type",
            "action_type must not be blank",
        )]));
    }
    if !(0.0..=100.0).contains(&input.confidence) || !input.confidence.is_finite() {
        return Err(Error::Invalid(vec![FieldError::body(
            "confidence",
            "confidence must be between 0 and 100",
        )]));
    }
    let status = input.status.clone().unwrap_or_else(|| "pending".to_owned());
    if !STATUSES.contains(&status.as_str()) {
        return Err(Error::Invalid(vec![FieldError::body(
            "status",
            "status must be pending, approved or rejected",
        )]));
    }
    let payload = payload_with_reason(&input)?;
    let tasks = linked_tasks(&input);
    let at = now();
    let row = ApprovalRow {
        id: Uuid::new_v4(),
        board_id,
        task_id: tasks.first().copied(),
        agent_id: caller.agent_id(),
        action_type: input.action_type.trim().to_owned(),
        payload: Some(Value::Object(payload)),
        confidence: input.confidence,
        rubric_scores: input.rubric_scores,
        resolved_at: (status != "pending").then_some(at),
        status,
        created_at: at,
    };
    let view = match store.create_approval(&row, &tasks).await {
        Ok(ApprovalWrite::Written(view)) => *view,
        Ok(ApprovalWrite::PendingConflicts(conflicts)) => return Err(conflict(&conflicts)),
        Err(StoreError::NotFound) => return Err(Error::NotFound("Task not found on this board")),
        Err(e) => return Err(e.into()),
    };
    publish(store, bus, board.organization_id, &view).await?;
    Ok(view)
}

pub async fn set_status(
    store: &Store,
    bus: &EventBus,
    caller: &Caller,
    board_id: Uuid,
    id: Uuid,
    status: Option<String>,
) -> Result<ApprovalView> {
    let Caller::User(user) = caller else {
        return Err(Error::Forbidden("Only users may decide approvals"));
    };
    let board = super::identity::board_for_user(store, user, board_id, Access::Write).await?;
    let status = status.filter(|s| STATUSES.contains(&s.as_str())).ok_or_else(|| {
        Error::Invalid(vec![FieldError::body(
            "status",
            "status must be pending, approved or rejected",
        )])
    })?;
    let view = match store.set_approval_status(board_id, id, &status, now()).await {
        Ok(ApprovalWrite::Written(view)) => *view,
        Ok(ApprovalWrite::PendingConflicts(conflicts)) => return Err(conflict(&conflicts)),
        Err(StoreError::NotFound) => return Err(Error::NotFound("Approval not found")),
        Err(e) => return Err(e.into()),
    };
    publish(store, bus, board.organization_id, &view).await?;
    Ok(view)
}

/// The stream events for the board's approvals changed since the cursor, oldest first, each
/// with the board's current pending count (none when the stream starts from now).
pub async fn stream_backlog(store: &Store, board: &BoardRow, cursor: &Cursor) -> Result<Vec<BusEvent>> {
    let Some(since) = cursor.replay_from() else {
        return Ok(Vec::new());
    };
    let pending = store.count_pending_approvals(board.id).await?;
    Ok(store
        .approvals_since(board.id, since)
        .await?
        .into_iter()
        .map(|view| super::events::approval_event(board.organization_id, view, pending))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linked_tasks_merge_fields_and_payload_keys_in_order() {
        let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let mut payload = Map::new();
        payload.insert("taskIds".into(), serde_json::json!([c.to_string(), a.to_string()]));
        payload.insert("reason".into(), Value::from("why not"));
        let input = ApprovalInput {
            task_ids: vec![a],
            task_id: Some(b),
            payload: Some(payload),
            ..Default::default()
        };
        assert_eq!(linked_tasks(&input), vec![a, b, c]);
    }

    #[test]
    fn a_reason_is_required_and_lead_reasoning_supplies_it() {
        let mut input = ApprovalInput::default();
        assert!(payload_with_reason(&input).is_err());
        input.lead_reasoning = Some("tests pass".into());
        assert_eq!(payload_with_reason(&input).unwrap()["reason"], "tests pass");
        input.lead_reasoning = None;
        input.payload = Some(serde_json::from_value(serde_json::json!({"decision": {"reason": "ok"}})).unwrap());
        assert!(payload_with_reason(&input).is_ok());
    }
}
