//! Board memory with the notification rows of board chat: written together or not at all.

use mission_control::domain::notifications::NotifyIntent;
use mission_control::domain::{Page, now};
use mission_control::store::{BoardScope, MemoryRow};
use uuid::Uuid;

use crate::{TestDb, fixtures, on_both};

fn entry(board_id: Uuid, content: &str) -> MemoryRow {
    MemoryRow {
        id: Uuid::new_v4(),
        board_id,
        content: content.into(),
        tags: Some(vec!["chat".into()]),
        is_chat: true,
        source: Some("User".into()),
        created_at: now(),
    }
}

fn intent(agent_id: Uuid) -> NotifyIntent {
    NotifyIntent::new(
        "board.chat.notify_failed",
        agent_id,
        "Board chat notification (lead)".into(),
        "Board chat (lead): hello".into(),
    )
}

const ALL: Page = Page { limit: 200, offset: 0 };

#[tokio::test]
async fn a_chat_entry_and_its_notification_rows_are_written_together() {
    on_both(|db: TestDb| async move {
        let (_, org, _) = fixtures::user(&db.store).await;
        let board = fixtures::board(&db.store, org).await;
        let other = fixtures::board(&db.store, org).await;
        let lead = fixtures::agent(&db.store, &board, "Lead", "online", true).await;
        let ada = fixtures::agent(&db.store, &board, "Ada", "online", false).await;
        fixtures::agent(&db.store, &other, "Elsewhere", "online", false).await;

        // The board's agents, oldest first, with the lead flag; none of another board's.
        let agents = db.store.board_chat_agents(board.id).await.expect("agents");
        assert_eq!(
            agents,
            [(lead.id, "Lead".to_owned(), true), (ada.id, "Ada".to_owned(), false)]
        );

        let scope = BoardScope {
            organization_id: org,
            board_id: Some(board.id),
            granted_to_member: None,
        };
        let row = entry(board.id, "hello @ada");
        db.store
            .insert_memory_notifying(&row, &[intent(lead.id), intent(ada.id)])
            .await
            .expect("written");
        let rows = db.store.list_activity(&scope, None, ALL).await.expect("activity").items;
        let mut told: Vec<Uuid> = rows.iter().filter_map(|a| a.agent_id).collect();
        told.sort();
        let mut want = vec![lead.id, ada.id];
        want.sort();
        assert_eq!(told, want);
        assert!(rows.iter().all(|a| a.event_type == "board.chat.notify_failed"
            && a.board_id == Some(board.id)
            && a.task_id.is_none()
            && a.created_at == row.created_at));

        // A row that cannot be written (an agent that does not exist) takes the entry with it.
        let failed = entry(board.id, "lost");
        assert!(
            db.store
                .insert_memory_notifying(&failed, &[intent(lead.id), intent(Uuid::new_v4())])
                .await
                .is_err()
        );
        let memory = db.store.list_memory(board.id, None, ALL).await.expect("memory");
        assert_eq!(memory.total, 1);
        assert_eq!(memory.items[0].id, row.id);
        let after = db.store.list_activity(&scope, None, ALL).await.expect("activity");
        assert_eq!(after.total, 2);
    })
    .await;
}
