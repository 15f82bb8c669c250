//! Task writes store what the domain planned: the rows, the activity and its messages, the
//! dependents' cascade; a corrupt stored status is an error, not `inbox`.

use mission_control::actions;
use mission_control::domain::tasks::{TaskPatch, TaskRuleError, TaskStatus};
use mission_control::store::{ActivityRow, StoreError};

use crate::fixtures::{self, move_task, to};
use crate::{TestDb, on_both};

fn kinds(rows: &[ActivityRow]) -> Vec<(&str, Option<&str>)> {
    rows.iter()
        .map(|a| (a.event_type.as_str(), a.message.as_deref()))
        .collect()
}

#[tokio::test]
async fn a_created_task_stores_its_plan_and_activity() {
    on_both(|db: TestDb| async move {
        let (user, org, _) = fixtures::user(&db.store).await;
        let board = fixtures::board(&db.store, org).await;
        let lead = fixtures::agent(&db.store, &board, "Lead", "online", true).await;
        let worker = fixtures::agent(&db.store, &board, "Worker", "online", false).await;
        let first = db
            .store
            .create_task(&fixtures::new_task(&board, "First"))
            .await
            .expect("first");
        let mut second = fixtures::new_task(&board, "Second");
        second.created_by_user_id = Some(user);
        second.assigned_agent_id = Some(worker.id);
        second.depends_on_task_ids = vec![first.view.task.id, first.view.task.id];
        // Blocked by `First`, so it may not be assigned yet.
        let refused = db.store.create_task(&second).await;
        assert!(
            matches!(refused, Err(StoreError::Rule(TaskRuleError::Blocked { .. }))),
            "{refused:?}"
        );
        second.depends_on_task_ids.clear();
        let written = db.store.create_task(&second).await.expect("second");
        assert_eq!(written.view.task.assigned_agent_id, Some(worker.id));
        assert_eq!(
            kinds(&written.activity),
            [
                ("task.created", Some("Task created: Second.")),
                (
                    "task.lead_notify_failed",
                    Some("Lead notification (new task: Second) not sent, no gateway is connected.")
                ),
                (
                    "task.assignee_notify_failed",
                    Some("Assignee notification (task assigned: Second) not sent, no gateway is connected.")
                ),
            ]
        );
        assert_eq!(written.activity[1].agent_id, Some(lead.id));
        for row in &written.activity {
            let stored = db.store.get_activity(row.id).await.expect("read").expect("recorded");
            assert_eq!(&stored, row);
        }
    })
    .await;
}

#[tokio::test]
async fn dependents_react_when_a_task_enters_and_leaves_done() {
    on_both(|db: TestDb| async move {
        let (_, org, _) = fixtures::user(&db.store).await;
        let board = fixtures::board(&db.store, org).await;
        let base = db
            .store
            .create_task(&fixtures::new_task(&board, "Base"))
            .await
            .expect("base")
            .view
            .task;
        let mut next = fixtures::new_task(&board, "Next");
        next.depends_on_task_ids = vec![base.id];
        let next = db.store.create_task(&next).await.expect("next").view;
        assert_eq!(next.blocked_by_task_ids, [base.id]);

        let done = move_task(&db.store, &board, base.id, to(TaskStatus::Done))
            .await
            .expect("done");
        assert_eq!(
            kinds(&done.activity),
            [
                ("task.status_changed", Some("Task moved to done: Base.")),
                ("task.updated", Some("Dependency completion changed: Next.")),
            ]
        );
        assert_eq!(done.touched.len(), 1);
        assert!(done.touched[0].blocked_by_task_ids.is_empty());

        let started = move_task(&db.store, &board, next.task.id, to(TaskStatus::InProgress))
            .await
            .expect("start");
        let started_at = started.view.task.in_progress_at.expect("stamped");

        let reopened = move_task(&db.store, &board, base.id, to(TaskStatus::Inbox))
            .await
            .expect("reopen");
        assert_eq!(
            kinds(&reopened.activity),
            [
                ("task.status_changed", Some("Task moved to inbox: Base.")),
                (
                    "task.status_changed",
                    Some("Task moved to inbox: Next (dependency reopened).")
                ),
            ]
        );
        let next = &reopened.touched[0].task;
        assert_eq!(next.status, "inbox");
        assert_eq!(next.assigned_agent_id, None);
        assert_eq!(
            (next.in_progress_at, next.previous_in_progress_at),
            (None, Some(started_at))
        );
        let read = db
            .store
            .get_task(board.id, next.id)
            .await
            .expect("read")
            .expect("exists");
        assert_eq!(read.task.status, "inbox");
    })
    .await;
}

#[tokio::test]
async fn a_corrupt_stored_status_is_an_error_not_inbox() {
    on_both(|db: TestDb| async move {
        let (_, org, _) = fixtures::user(&db.store).await;
        let board = fixtures::board(&db.store, org).await;
        let task = db
            .store
            .create_task(&fixtures::new_task(&board, "Odd"))
            .await
            .expect("task")
            .view
            .task;
        db.exec("UPDATE tasks SET status = 'archived' WHERE id = $1", task.id)
            .await;
        let patch = TaskPatch {
            comment: Some("still there?".into()),
            ..TaskPatch::default()
        };
        let result = move_task(&db.store, &board, task.id, patch).await;
        let err = result.expect_err("a corrupt status is refused");
        assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
        assert!(
            matches!(actions::Error::from(err), actions::Error::Store(_)),
            "renders as a 500"
        );
    })
    .await;
}
