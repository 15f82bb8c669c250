//! Membership rules hold under the organization's lock on both backends.

use mission_control::domain::Role;
use mission_control::domain::members::MemberRuleError;
use mission_control::store::StoreError;

use crate::{TestDb, fixtures, on_both};

#[tokio::test]
async fn the_last_owner_can_be_neither_demoted_nor_removed() {
    on_both(|db: TestDb| async move {
        let (_, org, member) = fixtures::user(&db.store).await;
        let demoted = db.store.set_member_role(org, member, Role::Admin).await;
        assert!(
            matches!(demoted, Err(StoreError::Member(MemberRuleError::LastOwner))),
            "{demoted:?}"
        );
        let removed = db.store.remove_member(org, member).await;
        assert!(
            matches!(removed, Err(StoreError::Member(MemberRuleError::LastOwner))),
            "{removed:?}"
        );
        let kept = db
            .store
            .get_member(org, member)
            .await
            .expect("read")
            .expect("still there");
        assert_eq!(kept.role, "owner");
        // Keeping the role is no demotion.
        db.store
            .set_member_role(org, member, Role::Owner)
            .await
            .expect("owner stays owner");
    })
    .await;
}
