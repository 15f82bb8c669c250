//! A task has at most one pending approval; the store names the ones in the way.

use mission_control::domain::now;
use mission_control::store::{ApprovalRow, ApprovalWrite, PendingApprovalConflict};
use uuid::Uuid;

use crate::{TestDb, fixtures, on_both};

fn approval(board_id: Uuid, task_id: Uuid) -> ApprovalRow {
    ApprovalRow {
        id: Uuid::new_v4(),
        board_id,
        task_id: Some(task_id),
        agent_id: None,
        action_type: "deploy".into(),
        payload: Some(serde_json::json!({"reason": "tests pass"})),
        confidence: 90.0,
        rubric_scores: None,
        status: "pending".into(),
        created_at: now(),
        resolved_at: None,
    }
}

#[tokio::test]
async fn a_second_pending_approval_names_the_first() {
    on_both(|db: TestDb| async move {
        let (_, org, _) = fixtures::user(&db.store).await;
        let board = fixtures::board(&db.store, org).await;
        let task = db
            .store
            .create_task(&fixtures::new_task(&board, "Ship"))
            .await
            .expect("task")
            .view
            .task;
        let first = approval(board.id, task.id);
        match db.store.create_approval(&first, &[task.id]).await.expect("first") {
            ApprovalWrite::Written(view) => {
                assert_eq!(view.task_ids, [task.id]);
                assert_eq!(view.approval.payload, first.payload);
            }
            ApprovalWrite::PendingConflicts(c) => panic!("nothing in the way yet: {c:?}"),
        }
        match db
            .store
            .create_approval(&approval(board.id, task.id), &[task.id])
            .await
            .expect("second")
        {
            ApprovalWrite::PendingConflicts(conflicts) => assert_eq!(
                conflicts,
                [PendingApprovalConflict {
                    task_id: task.id,
                    approval_id: first.id
                }]
            ),
            ApprovalWrite::Written(_) => panic!("a second pending approval on the task"),
        }
    })
    .await;
}
