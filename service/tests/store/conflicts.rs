//! Conflicts and data errors are named the same way on both backends, and no database text
//! reaches a client.

use mission_control::actions;
use mission_control::domain::now;
use mission_control::store::{Constraint, StoreError, TagRow};
use uuid::Uuid;

use crate::{TestDb, fixtures, on_both};

fn tag(organization_id: Uuid, slug: &str, name: &str) -> TagRow {
    let at = now();
    TagRow {
        id: Uuid::new_v4(),
        organization_id,
        name: name.into(),
        slug: slug.into(),
        color: "9e9e9e".into(),
        description: None,
        created_at: at,
        updated_at: at,
        task_count: 0,
    }
}

#[tokio::test]
async fn a_unique_slug_race_is_the_same_conflict_on_both_backends() {
    on_both(|db: TestDb| async move {
        let (_, org, _) = fixtures::user(&db.store).await;
        let (a, b) = (tag(org, "urgent", "Urgent"), tag(org, "urgent", "URGENT"));
        let (first, second) = tokio::join!(db.store.insert_tag(&a), db.store.insert_tag(&b));
        let lost = match (first, second) {
            (Ok(()), Err(e)) | (Err(e), Ok(())) => e,
            other => panic!("exactly one insert wins: {other:?}"),
        };
        assert!(
            matches!(
                lost,
                StoreError::Conflict {
                    constraint: Constraint::TagSlug
                }
            ),
            "{lost:?}"
        );
        match actions::Error::from(lost) {
            actions::Error::Conflict(detail) => assert_eq!(
                detail,
                "The change conflicts with existing data (uq_tags_organization_id_slug)."
            ),
            other => panic!("a 409 with a stable detail: {other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn a_value_the_database_refuses_is_a_data_error_not_unavailability() {
    on_both(|db: TestDb| async move {
        let (_, org, _) = fixtures::user(&db.store).await;
        let result = db.store.insert_tag(&tag(org, "nul", "bad\0name")).await;
        if db.is_postgres() {
            // PostgreSQL text cannot hold NUL (SQLSTATE 22021).
            assert!(matches!(result, Err(StoreError::Data(_))), "{result:?}");
            assert!(matches!(
                actions::Error::from(result.unwrap_err()),
                actions::Error::Store(_)
            ));
        } else {
            // SQLite stores it as given.
            assert!(result.is_ok(), "{result:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_second_board_lead_is_the_same_conflict_on_both_backends() {
    on_both(|db: TestDb| async move {
        let (_, org, _) = fixtures::user(&db.store).await;
        let board = fixtures::board(&db.store, org).await;
        fixtures::agent(&db.store, &board, "Lead", "online", true).await;
        let mut second = fixtures::agent(&db.store, &board, "Second", "online", false).await;
        second.is_board_lead = true;
        let lost = db.store.update_agent(&second).await.unwrap_err();
        assert!(
            matches!(
                lost,
                StoreError::Conflict {
                    constraint: Constraint::BoardLead
                }
            ),
            "{lost:?}"
        );
        assert_eq!(
            actions::Error::from(lost).to_string(),
            actions::Error::Conflict("The board already has a board lead.".into()).to_string()
        );
    })
    .await;
}

#[tokio::test]
async fn racing_worker_creates_stop_at_the_boards_cap_on_both_backends() {
    on_both(|db: TestDb| async move {
        let (_, org, _) = fixtures::user(&db.store).await;
        let board = fixtures::board(&db.store, org).await;
        let worker = |name: &str| mission_control::store::AgentRow {
            id: Uuid::new_v4(),
            organization_id: org,
            board_id: Some(board.id),
            gateway_id: None,
            name: name.into(),
            status: "provisioning".into(),
            openclaw_session_id: None,
            heartbeat_config: None,
            identity_profile: None,
            identity_template: None,
            soul_template: None,
            last_seen_at: None,
            is_board_lead: false,
            created_at: now(),
            updated_at: now(),
        };
        let rows: Vec<_> = (0..6).map(|n| worker(&format!("Worker {n}"))).collect();
        let results = futures::future::join_all(rows.iter().map(|r| db.store.insert_agent_within(r, 2))).await;
        let won = results.iter().filter(|r| matches!(r, Ok(true))).count();
        assert_eq!(won, 2, "{results:?}");
        assert!(results.iter().all(|r| r.is_ok()), "{results:?}");
    })
    .await;
}
