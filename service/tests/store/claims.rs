//! Claims cannot collide: many agents claiming the same unassigned task at once, one wins.

use mission_control::domain::now;
use mission_control::domain::tasks::TaskStatus;

use crate::{TestDb, fixtures, on_both};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_racing_claims_have_exactly_one_winner() {
    on_both(|db: TestDb| async move {
        let (_, org, _) = fixtures::user(&db.store).await;
        let board = fixtures::board(&db.store, org).await;
        let task = db
            .store
            .create_task(&fixtures::new_task(&board, "Contended"))
            .await
            .expect("task")
            .view
            .task;
        let mut agents = Vec::new();
        for n in 0..20 {
            agents.push(fixtures::agent(&db.store, &board, &format!("Worker {n}"), "online", false).await);
        }
        let claims = agents.iter().map(|a| {
            let store = db.store.clone();
            let (board_id, task_id, agent_id) = (board.id, task.id, a.id);
            tokio::spawn(async move {
                let won = store
                    .claim_task(board_id, task_id, agent_id, TaskStatus::Inbox, now())
                    .await
                    .expect("claim");
                (agent_id, won.is_some())
            })
        });
        let results = futures::future::join_all(claims).await;
        let winners: Vec<_> = results
            .into_iter()
            .map(|r| r.expect("join"))
            .filter(|(_, won)| *won)
            .map(|(id, _)| id)
            .collect();
        assert_eq!(winners.len(), 1, "winners: {winners:?}");
        let stored = db.store.get_task(board.id, task.id).await.expect("read").expect("task");
        assert_eq!(stored.task.assigned_agent_id, Some(winners[0]));
        assert_eq!(stored.task.status, "in_progress");
        assert!(stored.task.in_progress_at.is_some());
        // Once claimed, nobody else can claim it, not even the winner a second time.
        let again = db
            .store
            .claim_task(board.id, task.id, agents[0].id, TaskStatus::Inbox, now())
            .await
            .expect("claim");
        assert!(again.is_none());
        // The winner's claim is on record, once.
        let rows = db
            .store
            .task_activity_since(board.id, task.created_at)
            .await
            .expect("activity");
        let moved: Vec<_> = rows.iter().filter(|r| r.event_type == "task.status_changed").collect();
        assert_eq!(moved.len(), 1, "{moved:?}");
        assert_eq!(moved[0].agent_id, Some(winners[0]));
        assert_eq!(
            moved[0].message.as_deref(),
            Some("Task moved to in_progress: Contended.")
        );
    })
    .await;
}
