// Organizations: creation, the active organization, memberships, deletion of everything in one.
// Included in both backend modules (see `shared_sql!` in `store/mod.rs`).

impl Backend {
    async fn lock_organization(tx: &mut Tx, organization_id: Uuid) -> StoreResult<()> {
        let found: Option<Uuid> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM organizations WHERE id = $1{LOCK_FOR_UPDATE}"
        )))
        .bind(organization_id)
        .fetch_optional(&mut **tx)
        .await?;
        found.map(|_| ()).ok_or(StoreError::NotFound)
    }

    pub async fn list_memberships(&self, user_id: Uuid) -> StoreResult<Vec<MembershipRow>> {
        Ok(sqlx::query_as::<Db, MembershipRow>(
            "SELECT m.organization_id, o.name, m.role FROM organization_members m \
             JOIN organizations o ON o.id = m.organization_id WHERE m.user_id = $1 ORDER BY o.name, o.id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn create_organization(&self, user_id: Uuid, name: &str, now: NaiveDateTime) -> StoreResult<OrganizationRow> {
        let mut tx = self.begin_write().await?;
        let org = OrganizationRow {
            id: Uuid::new_v4(),
            name: name.to_owned(),
            created_at: now,
            updated_at: now,
        };
        sqlx::query("INSERT INTO organizations (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)")
            .bind(org.id)
            .bind(&org.name)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO organization_members (id, organization_id, user_id, role, all_boards_read, all_boards_write, \
             created_at, updated_at) VALUES ($1, $2, $3, 'owner', true, true, $4, $4)",
        )
        .bind(Uuid::new_v4())
        .bind(org.id)
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE users SET active_organization_id = $1, updated_at = $2 WHERE id = $3")
            .bind(org.id)
            .bind(now)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(org)
    }

    pub async fn set_active_organization(&self, user_id: Uuid, organization_id: Uuid) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE users SET active_organization_id = $1, updated_at = $2 WHERE id = $3 AND EXISTS \
             (SELECT 1 FROM organization_members WHERE organization_id = $1 AND user_id = $3)",
        )
        .bind(organization_id)
        .bind(crate::domain::now())
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes an organization and everything in it, in one transaction.
    pub async fn delete_organization(&self, organization_id: Uuid) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        Self::delete_organization_in(&mut tx, organization_id).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_organization_in(tx: &mut Tx, organization_id: Uuid) -> StoreResult<()> {
        Self::lock_organization(tx, organization_id).await?;
        let boards: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM boards WHERE organization_id = $1")
            .bind(organization_id)
            .fetch_all(&mut **tx)
            .await?;
        for board in boards {
            Self::delete_board_in(tx, board).await?;
        }
        for sql in [
            "DELETE FROM activity_events WHERE agent_id IN (SELECT id FROM agents WHERE organization_id = $1)",
            "DELETE FROM agents WHERE organization_id = $1",
            "DELETE FROM gateway_installed_skills WHERE gateway_id IN (SELECT id FROM gateways WHERE organization_id = $1)",
            "DELETE FROM gateways WHERE organization_id = $1",
            "DELETE FROM marketplace_skills WHERE organization_id = $1",
            "DELETE FROM skill_packs WHERE organization_id = $1",
            "DELETE FROM tag_assignments WHERE tag_id IN (SELECT id FROM tags WHERE organization_id = $1)",
            "DELETE FROM tags WHERE organization_id = $1",
            "DELETE FROM task_custom_field_values WHERE task_custom_field_definition_id IN \
             (SELECT id FROM task_custom_field_definitions WHERE organization_id = $1)",
            "DELETE FROM board_task_custom_fields WHERE task_custom_field_definition_id IN \
             (SELECT id FROM task_custom_field_definitions WHERE organization_id = $1)",
            "DELETE FROM task_custom_field_definitions WHERE organization_id = $1",
            "DELETE FROM board_groups WHERE organization_id = $1",
            "DELETE FROM organization_invite_board_access WHERE organization_invite_id IN \
             (SELECT id FROM organization_invites WHERE organization_id = $1)",
            "DELETE FROM organization_invites WHERE organization_id = $1",
            "DELETE FROM organization_board_access WHERE organization_member_id IN \
             (SELECT id FROM organization_members WHERE organization_id = $1)",
            "DELETE FROM organization_members WHERE organization_id = $1",
            "UPDATE users SET active_organization_id = NULL WHERE active_organization_id = $1",
            "DELETE FROM organizations WHERE id = $1",
        ] {
            sqlx::query(sql).bind(organization_id).execute(&mut **tx).await?;
        }
        Ok(())
    }
}
