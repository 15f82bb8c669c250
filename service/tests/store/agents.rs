//! The heartbeat writes the status and message the domain decides, on both backends (the
//! PostgreSQL one in a single statement).

use mission_control::domain::agents::{heartbeat_message, status_after_heartbeat};
use mission_control::domain::{Page, now};
use mission_control::store::BoardScope;

use crate::{TestDb, fixtures, on_both};

#[tokio::test]
async fn a_heartbeat_writes_the_domain_status_and_message() {
    on_both(|db: TestDb| async move {
        let (_, org, _) = fixtures::user(&db.store).await;
        let board = fixtures::board(&db.store, org).await;
        for stored in ["provisioning", "online", "offline", "updating", "deleting"] {
            let agent = fixtures::agent(&db.store, &board, &format!("Scout {stored}"), stored, false).await;
            let at = now();
            let seen = db.store.record_heartbeat(agent.id, at).await.expect("heartbeat");
            assert_eq!(seen.status, status_after_heartbeat(stored), "stored {stored}");
            assert_eq!(seen.last_seen_at, Some(at));
            let scope = BoardScope {
                organization_id: org,
                ..BoardScope::default()
            };
            let page = Page { limit: 10, offset: 0 };
            let rows = db
                .store
                .list_activity(&scope, Some(agent.id), page)
                .await
                .expect("activity");
            assert_eq!(rows.items.len(), 1);
            assert_eq!(rows.items[0].event_type, "agent.heartbeat");
            assert_eq!(
                rows.items[0].message.as_deref(),
                Some(heartbeat_message(&agent.name).as_str())
            );
            assert_eq!(rows.items[0].board_id, Some(board.id));
        }
    })
    .await;
}
