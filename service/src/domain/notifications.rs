//! Who is told what through the gateway after a write. Each notification is decided here and
//! handed over in the write's own transaction: on a board with a gateway as a job that sends
//! it (`chat.send`, the job id as idempotency key) and records the outcome as the reference's
//! `*_notified` or `*_notify_failed` activity row; on a board without one, as the
//! `*_notify_failed` row at once. The write itself never waits for a gateway.

use uuid::Uuid;

use super::tasks::TaskStatus;

/// Why a notification on a board without a gateway is not delivered.
const NOT_SENT: &str = "not sent, no gateway is connected";

/// One notification: who, what they are told, and how it is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyIntent {
    /// The event type of the "not delivered" row (`*_notify_failed`); the delivered one is
    /// [`delivered_event`] of it.
    pub event_type: &'static str,
    /// The agent told.
    pub agent_id: Uuid,
    /// The activity message when it cannot be sent (no gateway).
    pub message: String,
    /// What the notification is, for the outcome's activity message.
    pub label: String,
    /// The text the agent receives.
    pub text: String,
}

impl NotifyIntent {
    pub fn new(event_type: &'static str, agent_id: Uuid, label: String, text: String) -> Self {
        Self {
            event_type,
            agent_id,
            message: format!("{label} {NOT_SENT}."),
            label,
            text,
        }
    }
}

/// `task.lead_notify_failed` → `task.lead_notified`: the event type of a delivered one.
pub fn delivered_event(failed: &str) -> String {
    match failed.strip_suffix("notify_failed") {
        Some(stem) => format!("{stem}notified"),
        None => format!("{failed}.notified"),
    }
}

/// The kind of the job that delivers one notification.
pub const DELIVERY_JOB: &str = "gateway_notify";

/// The payload of the job that delivers `intent` (the job's id becomes the `chat.send`
/// idempotency key and the id of the activity row recording the outcome).
pub fn delivery_payload(intent: &NotifyIntent, task_id: Option<Uuid>, board_id: Uuid) -> serde_json::Value {
    serde_json::json!({
        "agent_id": intent.agent_id,
        "board_id": board_id,
        "task_id": task_id,
        "event_type": intent.event_type,
        "label": intent.label,
        "text": intent.text,
    })
}

fn lead(agent_id: Uuid, what: &str) -> NotifyIntent {
    NotifyIntent::new(
        "task.lead_notify_failed",
        agent_id,
        format!("Lead notification ({what})"),
        format!("Mission Control, board lead notice: {what}."),
    )
}

fn assignee(agent_id: Uuid, what: &str) -> NotifyIntent {
    NotifyIntent::new(
        "task.assignee_notify_failed",
        agent_id,
        format!("Assignee notification ({what})"),
        format!("Mission Control: {what}."),
    )
}

/// A task created by a user: the board lead hears of it, and an assignee is woken.
pub fn task_created(title: &str, board_lead: Option<Uuid>, assignee_id: Option<Uuid>) -> Vec<NotifyIntent> {
    let mut out = Vec::new();
    if let Some(l) = board_lead {
        out.push(lead(l, &format!("new task: {title}")));
    }
    if let Some(a) = assignee_id {
        out.push(assignee(a, &format!("task assigned: {title}")));
    }
    out
}

/// A task's status or assignee as it was and as it is after an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub status: TaskStatus,
    pub assigned_agent_id: Option<Uuid>,
}

/// A task update:
/// - back in the inbox with nobody assigned (it was not there before): the lead is told;
/// - a new assignee, unless it is the agent making the change: woken and told (a lead that
///   receives a task in review is told it is ready for review; a worker a task comes back to
///   from review is told changes are requested);
/// - otherwise, entering `in_progress` with the same assignee: the assignee is woken.
pub fn task_updated(
    title: &str,
    before: Placement,
    after: Placement,
    board_lead: Option<Uuid>,
    actor_agent_id: Option<Uuid>,
) -> Vec<NotifyIntent> {
    let mut out = Vec::new();
    let back_in_inbox = after.status == TaskStatus::Inbox
        && after.assigned_agent_id.is_none()
        && (before.status != TaskStatus::Inbox || before.assigned_agent_id.is_some());
    if let (true, Some(l)) = (back_in_inbox, board_lead) {
        out.push(lead(l, &format!("task back in inbox: {title}")));
    }
    let reassigned = after.assigned_agent_id != before.assigned_agent_id;
    match after.assigned_agent_id {
        Some(a) if reassigned && Some(a) != actor_agent_id => {
            let what = if Some(a) == board_lead && after.status == TaskStatus::Review {
                format!("ready for lead review: {title}")
            } else if before.status == TaskStatus::Review && after.status == TaskStatus::Inbox {
                format!("changes requested: {title}")
            } else {
                format!("task assigned: {title}")
            };
            out.push(assignee(a, &what));
        }
        Some(a) if !reassigned && before.status != TaskStatus::InProgress && after.status == TaskStatus::InProgress => {
            out.push(assignee(a, &format!("task in progress: {title}")));
        }
        _ => {}
    }
    out
}

/// An approval approved or rejected: the board lead is told.
pub fn approval_resolved(status: &str, board_lead: Option<Uuid>) -> Option<NotifyIntent> {
    let lead_id = board_lead.filter(|_| matches!(status, "approved" | "rejected"))?;
    Some(NotifyIntent::new(
        "approval.lead_notify_failed",
        lead_id,
        format!("Lead notification (approval {status})"),
        format!("Mission Control: an approval you requested was {status}."),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(status: TaskStatus, assignee: Option<Uuid>) -> Placement {
        Placement {
            status,
            assigned_agent_id: assignee,
        }
    }

    fn kinds(intents: &[NotifyIntent]) -> Vec<(&'static str, Uuid)> {
        intents.iter().map(|i| (i.event_type, i.agent_id)).collect()
    }

    #[test]
    fn creation_tells_the_lead_and_wakes_the_assignee() {
        let (l, a) = (Uuid::new_v4(), Uuid::new_v4());
        let both = task_created("Ship", Some(l), Some(a));
        assert_eq!(
            kinds(&both),
            [("task.lead_notify_failed", l), ("task.assignee_notify_failed", a)]
        );
        assert_eq!(
            both[0].message,
            "Lead notification (new task: Ship) not sent, no gateway is connected."
        );
        assert!(task_created("Ship", None, None).is_empty());
    }

    #[test]
    fn a_task_sent_back_from_review_tells_its_worker_changes_are_requested() {
        let (l, w) = (Uuid::new_v4(), Uuid::new_v4());
        let back = task_updated(
            "T",
            at(TaskStatus::Review, Some(l)),
            at(TaskStatus::Inbox, Some(w)),
            Some(l),
            Some(l),
        );
        assert_eq!(kinds(&back), [("task.assignee_notify_failed", w)]);
        assert_eq!(
            back[0].message,
            "Assignee notification (changes requested: T) not sent, no gateway is connected."
        );
    }

    #[test]
    fn updates_notify_as_the_reference_does() {
        use TaskStatus::*;
        let (l, a, b) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        // Back in the inbox, unassigned: the lead.
        let back = task_updated("T", at(InProgress, Some(a)), at(Inbox, None), Some(l), None);
        assert_eq!(kinds(&back), [("task.lead_notify_failed", l)]);
        // Already there: nothing.
        assert!(task_updated("T", at(Inbox, None), at(Inbox, None), Some(l), None).is_empty());
        // A new assignee is woken, unless it made the change itself.
        let assigned = task_updated("T", at(Inbox, None), at(InProgress, Some(b)), Some(l), None);
        assert_eq!(kinds(&assigned), [("task.assignee_notify_failed", b)]);
        assert!(task_updated("T", at(Inbox, None), at(InProgress, Some(b)), Some(l), Some(b)).is_empty());
        // The lead receiving a task in review is told it is ready for review.
        let review = task_updated("T", at(InProgress, Some(a)), at(Review, Some(l)), Some(l), Some(a));
        assert!(review[0].message.contains("ready for lead review: T"), "{review:?}");
        // Entering in_progress with the same assignee wakes it.
        let started = task_updated("T", at(Inbox, Some(a)), at(InProgress, Some(a)), Some(l), None);
        assert_eq!(kinds(&started), [("task.assignee_notify_failed", a)]);
        // A title edit tells nobody.
        assert!(task_updated("T", at(Review, Some(a)), at(Review, Some(a)), Some(l), None).is_empty());
    }

    #[test]
    fn resolving_an_approval_tells_the_lead() {
        let l = Uuid::new_v4();
        assert_eq!(
            approval_resolved("approved", Some(l)).map(|i| (i.event_type, i.agent_id)),
            Some(("approval.lead_notify_failed", l))
        );
        assert!(approval_resolved("rejected", Some(l)).is_some());
        assert!(approval_resolved("pending", Some(l)).is_none());
        assert!(approval_resolved("approved", None).is_none());
    }
}
