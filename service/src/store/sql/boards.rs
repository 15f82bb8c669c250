// Boards, and the deletion of everything under a board.
// Included in both backend modules (see `shared_sql!` in `store/mod.rs`).

const BOARD_COLUMNS: &str = "id, organization_id, name, slug, description, gateway_id, board_group_id, board_type, \
     objective, success_metrics, target_date, goal_confirmed, goal_source, require_approval_for_done, \
     require_review_before_done, comment_required_for_review, block_status_changes_with_pending_approval, \
     only_lead_can_change_status, max_agents, stale_claim_timeout_seconds, created_at, updated_at";

impl Backend {
    fn push_board_filter(q: &mut QueryBuilder<Db>, f: &BoardFilter) {
        q.push(" WHERE organization_id = ").push_bind(f.organization_id);
        if let Some(g) = f.gateway_id {
            q.push(" AND gateway_id = ").push_bind(g);
        }
        if let Some(g) = f.board_group_id {
            q.push(" AND board_group_id = ").push_bind(g);
        }
        if let Some(b) = f.only_board {
            q.push(" AND id = ").push_bind(b);
        }
        if let Some(m) = f.granted_to_member {
            q.push(
                " AND id IN (SELECT board_id FROM organization_board_access WHERE (can_read OR can_write) \
                 AND organization_member_id = ",
            )
            .push_bind(m)
            .push(")");
        }
    }

    pub async fn list_boards(&self, f: &BoardFilter, page: Page) -> StoreResult<Paged<BoardRow>> {
        let mut rows = QueryBuilder::<Db>::new(format!("SELECT {BOARD_COLUMNS}, count(*) OVER () AS total_count FROM boards"));
        Self::push_board_filter(&mut rows, f);
        rows.push(" ORDER BY name, created_at, id");
        let mut count = QueryBuilder::<Db>::new("SELECT count(*) FROM boards");
        Self::push_board_filter(&mut count, f);
        self.paged(rows, count, page).await
    }

    pub async fn insert_board(&self, b: &BoardRow) -> StoreResult<()> {
        let mut q = QueryBuilder::<Db>::new(format!("INSERT INTO boards ({BOARD_COLUMNS}) VALUES ("));
        let mut v = q.separated(", ");
        v.push_bind(b.id)
            .push_bind(b.organization_id)
            .push_bind(&b.name)
            .push_bind(&b.slug)
            .push_bind(&b.description)
            .push_bind(b.gateway_id)
            .push_bind(b.board_group_id)
            .push_bind(&b.board_type)
            .push_bind(&b.objective)
            .push_bind(b.success_metrics.as_ref().map(Json))
            .push_bind(b.target_date)
            .push_bind(b.goal_confirmed)
            .push_bind(&b.goal_source)
            .push_bind(b.require_approval_for_done)
            .push_bind(b.require_review_before_done)
            .push_bind(b.comment_required_for_review)
            .push_bind(b.block_status_changes_with_pending_approval)
            .push_bind(b.only_lead_can_change_status)
            .push_bind(b.max_agents)
            .push_bind(b.stale_claim_timeout_seconds)
            .push_bind(b.created_at)
            .push_bind(b.updated_at);
        q.push(")");
        q.build().execute(&self.pool).await?;
        Ok(())
    }

    pub async fn get_board(&self, id: Uuid) -> StoreResult<Option<BoardRow>> {
        Ok(sqlx::query_as::<Db, BoardRow>(sqlx::AssertSqlSafe(format!("SELECT {BOARD_COLUMNS} FROM boards WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn board_group_exists(&self, organization_id: Uuid, id: Uuid) -> StoreResult<bool> {
        let found: Option<Uuid> = sqlx::query_scalar("SELECT id FROM board_groups WHERE id = $1 AND organization_id = $2")
            .bind(id)
            .bind(organization_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(found.is_some())
    }

    pub async fn update_board(&self, b: &BoardRow) -> StoreResult<()> {
        sqlx::query(
            "UPDATE boards SET name = $1, slug = $2, description = $3, gateway_id = $4, board_group_id = $5, \
             board_type = $6, objective = $7, success_metrics = $8, target_date = $9, goal_confirmed = $10, \
             goal_source = $11, require_approval_for_done = $12, require_review_before_done = $13, \
             comment_required_for_review = $14, block_status_changes_with_pending_approval = $15, \
             only_lead_can_change_status = $16, max_agents = $17, updated_at = $18, \
             stale_claim_timeout_seconds = $20 WHERE id = $19",
        )
        .bind(&b.name)
        .bind(&b.slug)
        .bind(&b.description)
        .bind(b.gateway_id)
        .bind(b.board_group_id)
        .bind(&b.board_type)
        .bind(&b.objective)
        .bind(b.success_metrics.as_ref().map(Json))
        .bind(b.target_date)
        .bind(b.goal_confirmed)
        .bind(&b.goal_source)
        .bind(b.require_approval_for_done)
        .bind(b.require_review_before_done)
        .bind(b.comment_required_for_review)
        .bind(b.block_status_changes_with_pending_approval)
        .bind(b.only_lead_can_change_status)
        .bind(b.max_agents)
        .bind(b.updated_at)
        .bind(b.id)
        .bind(b.stale_claim_timeout_seconds)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn delete_board(&self, id: Uuid) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let exists: Option<Uuid> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM boards WHERE id = $1{LOCK_FOR_UPDATE}"
        )))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        if exists.is_none() {
            return Ok(false);
        }
        Self::delete_board_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Deletes a board and everything under it inside `tx`. Order matters: children before
    /// parents (there is no ON DELETE CASCADE but one).
    async fn delete_board_in(tx: &mut Tx, id: Uuid) -> StoreResult<()> {
        for sql in [
            "DELETE FROM activity_events WHERE task_id IN (SELECT id FROM tasks WHERE board_id = $1)",
            "DELETE FROM tag_assignments WHERE task_id IN (SELECT id FROM tasks WHERE board_id = $1)",
            "DELETE FROM task_custom_field_values WHERE task_id IN (SELECT id FROM tasks WHERE board_id = $1)",
            "DELETE FROM activity_events WHERE board_id = $1",
            "DELETE FROM task_dependencies WHERE board_id = $1",
            "DELETE FROM approval_task_links WHERE approval_id IN (SELECT id FROM approvals WHERE board_id = $1) \
             OR task_id IN (SELECT id FROM tasks WHERE board_id = $1)",
            "DELETE FROM approvals WHERE board_id = $1",
            "DELETE FROM board_memory WHERE board_id = $1",
            "DELETE FROM board_onboarding_sessions WHERE board_id = $1",
            "DELETE FROM board_webhook_payloads WHERE board_id = $1",
            "DELETE FROM board_webhooks WHERE board_id = $1",
            "DELETE FROM organization_board_access WHERE board_id = $1",
            "DELETE FROM organization_invite_board_access WHERE board_id = $1",
            "DELETE FROM board_task_custom_fields WHERE board_id = $1",
            "DELETE FROM tasks WHERE board_id = $1",
            "DELETE FROM activity_events WHERE agent_id IN (SELECT id FROM agents WHERE board_id = $1)",
            "UPDATE tasks SET assigned_agent_id = NULL WHERE assigned_agent_id IN (SELECT id FROM agents WHERE board_id = $1)",
            "DELETE FROM agents WHERE board_id = $1",
            "DELETE FROM boards WHERE id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// Which of `ids` are boards of the organization.
    pub async fn boards_in_organization(&self, organization_id: Uuid, ids: &[Uuid]) -> StoreResult<Vec<Uuid>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Db>::new("SELECT id FROM boards WHERE organization_id = ");
        q.push_bind(organization_id).push(" AND id IN (");
        push_id_list(&mut q, ids);
        q.push(")");
        Ok(q.build_query_scalar::<Uuid>().fetch_all(&self.pool).await?)
    }
}
