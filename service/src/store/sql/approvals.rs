// Approvals and their task links.
// Included in both backend modules (see `shared_sql!` in `store/mod.rs`).

const APPROVAL_COLUMNS: &str = "id, board_id, task_id, agent_id, action_type, payload, confidence, rubric_scores, \
     status, created_at, resolved_at";

impl Backend {
    async fn approval_views(conn: &mut <Db as sqlx::Database>::Connection, rows: Vec<ApprovalRow>) -> StoreResult<Vec<ApprovalView>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let mut q = QueryBuilder::<Db>::new(
            "SELECT l.approval_id, l.task_id, t.title FROM approval_task_links l JOIN tasks t ON t.id = l.task_id \
             WHERE l.approval_id IN (",
        );
        push_id_list(&mut q, &ids);
        q.push(") ORDER BY l.created_at, l.id");
        let links: Vec<(Uuid, Uuid, String)> = q.build_query_as().fetch_all(&mut *conn).await?;
        Ok(rows
            .into_iter()
            .map(|approval| {
                let mine: Vec<&(Uuid, Uuid, String)> = links.iter().filter(|l| l.0 == approval.id).collect();
                ApprovalView {
                    task_ids: mine.iter().map(|l| l.1).collect(),
                    task_titles: mine.iter().map(|l| l.2.clone()).collect(),
                    approval,
                }
            })
            .collect())
    }

    pub async fn list_approvals(&self, board_id: Uuid, status: Option<String>, page: Page) -> StoreResult<Paged<ApprovalView>> {
        let filter = |q: &mut QueryBuilder<Db>| {
            q.push(" WHERE board_id = ").push_bind(board_id);
            if let Some(s) = &status {
                q.push(" AND status = ").push_bind(s.clone());
            }
        };
        let mut rows = QueryBuilder::<Db>::new(format!("SELECT {APPROVAL_COLUMNS}, count(*) OVER () AS total_count FROM approvals"));
        filter(&mut rows);
        rows.push(" ORDER BY created_at DESC, id");
        let mut count = QueryBuilder::<Db>::new("SELECT count(*) FROM approvals");
        filter(&mut count);
        let found: Paged<ApprovalRow> = self.paged(rows, count, page).await?;
        let mut conn = self.pool.acquire().await?;
        let items = Self::approval_views(&mut conn, found.items).await?;
        Ok(Paged { items, total: found.total })
    }

    pub async fn get_approval(&self, board_id: Uuid, id: Uuid) -> StoreResult<Option<ApprovalView>> {
        let row = sqlx::query_as::<Db, ApprovalRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {APPROVAL_COLUMNS} FROM approvals WHERE id = $1 AND board_id = $2"
        )))
        .bind(id)
        .bind(board_id)
        .fetch_optional(&self.pool)
        .await?;
        let mut conn = self.pool.acquire().await?;
        Ok(Self::approval_views(&mut conn, row.into_iter().collect()).await?.pop())
    }

    /// Other pending approvals linking any of `tasks` (locks the task rows first).
    async fn pending_conflicts(tx: &mut Tx, tasks: &[Uuid], except: Option<Uuid>) -> StoreResult<Vec<PendingApprovalConflict>> {
        if tasks.is_empty() {
            return Ok(Vec::new());
        }
        let mut sorted = tasks.to_vec();
        sorted.sort();
        let mut q = QueryBuilder::<Db>::new("SELECT id FROM tasks WHERE id IN (");
        push_id_list(&mut q, &sorted);
        q.push(") ORDER BY id");
        q.push(LOCK_FOR_UPDATE);
        let _locked: Vec<Uuid> = q.build_query_scalar().fetch_all(&mut **tx).await?;
        let mut q = QueryBuilder::<Db>::new(
            "SELECT l.task_id, a.id AS approval_id FROM approval_task_links l JOIN approvals a ON a.id = l.approval_id \
             WHERE a.status = 'pending' AND l.task_id IN (",
        );
        push_id_list(&mut q, &sorted);
        q.push(")");
        if let Some(e) = except {
            q.push(" AND a.id <> ").push_bind(e);
        }
        Ok(q.build_query_as().fetch_all(&mut **tx).await?)
    }

    /// Creates an approval linked to `tasks` (first = primary). A pending approval may not
    /// share a task with another pending one: `PendingConflicts` lists them.
    pub async fn create_approval(&self, row: &ApprovalRow, tasks: &[Uuid]) -> StoreResult<ApprovalWrite> {
        let mut tx = self.begin_write().await?;
        if !tasks.is_empty() {
            let mut q = QueryBuilder::<Db>::new("SELECT count(*) FROM tasks WHERE board_id = ");
            q.push_bind(row.board_id).push(" AND id IN (");
            push_id_list(&mut q, tasks);
            q.push(")");
            let found: i64 = q.build_query_scalar().fetch_one(&mut *tx).await?;
            if usize::try_from(found).unwrap_or(0) != tasks.len() {
                return Err(StoreError::NotFound);
            }
        }
        if row.status == "pending" {
            let conflicts = Self::pending_conflicts(&mut tx, tasks, None).await?;
            if !conflicts.is_empty() {
                return Ok(ApprovalWrite::PendingConflicts(conflicts));
            }
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO approvals ({APPROVAL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        )))
        .bind(row.id)
        .bind(row.board_id)
        .bind(row.task_id)
        .bind(row.agent_id)
        .bind(&row.action_type)
        .bind(row.payload.as_ref().map(Json))
        .bind(row.confidence)
        .bind(row.rubric_scores.as_ref().map(Json))
        .bind(&row.status)
        .bind(row.created_at)
        .bind(row.resolved_at)
        .execute(&mut *tx)
        .await?;
        for (i, task) in tasks.iter().enumerate() {
            sqlx::query("INSERT INTO approval_task_links (id, approval_id, task_id, created_at) VALUES ($1, $2, $3, $4)")
                .bind(Uuid::new_v4())
                .bind(row.id)
                .bind(task)
                .bind(row.created_at + chrono::Duration::microseconds(i64::try_from(i).unwrap_or(0)))
                .execute(&mut *tx)
                .await?;
        }
        let created = sqlx::query_as::<Db, ApprovalRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {APPROVAL_COLUMNS} FROM approvals WHERE id = $1"
        )))
        .bind(row.id)
        .fetch_one(&mut *tx)
        .await?;
        let view = Self::approval_views(&mut tx, vec![created]).await?.pop().ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(ApprovalWrite::Written(Box::new(view)))
    }

    /// Sets an approval's status; any non-pending status stamps `resolved_at`. Reopening to
    /// pending is refused while another pending approval shares a task.
    pub async fn set_approval_status(
        &self,
        board_id: Uuid,
        id: Uuid,
        status: &str,
        now: NaiveDateTime,
    ) -> StoreResult<ApprovalWrite> {
        let mut tx = self.begin_write().await?;
        let current = sqlx::query_as::<Db, ApprovalRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {APPROVAL_COLUMNS} FROM approvals WHERE id = $1 AND board_id = $2{LOCK_FOR_UPDATE}"
        )))
        .bind(id)
        .bind(board_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        if status == "pending" && current.status != "pending" {
            let tasks: Vec<Uuid> = sqlx::query_scalar("SELECT task_id FROM approval_task_links WHERE approval_id = $1")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
            let conflicts = Self::pending_conflicts(&mut tx, &tasks, Some(id)).await?;
            if !conflicts.is_empty() {
                return Ok(ApprovalWrite::PendingConflicts(conflicts));
            }
        }
        let resolved = (status != "pending").then_some(now);
        sqlx::query("UPDATE approvals SET status = $1, resolved_at = $2 WHERE id = $3")
            .bind(status)
            .bind(resolved)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if current.status != status {
            let lead = Self::board_lead(&mut tx, board_id).await?;
            let intents = crate::domain::notifications::approval_resolved(status, lead);
            Self::record_intents(&mut tx, intents.into_iter().collect(), current.task_id, board_id, now).await?;
        }
        let row = sqlx::query_as::<Db, ApprovalRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {APPROVAL_COLUMNS} FROM approvals WHERE id = $1"
        )))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let view = Self::approval_views(&mut tx, vec![row]).await?.pop().ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(ApprovalWrite::Written(Box::new(view)))
    }

    pub async fn count_pending_approvals(&self, board_id: Uuid) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM approvals WHERE board_id = $1 AND status = 'pending'")
            .bind(board_id)
            .fetch_one(&self.pool)
            .await?)
    }

    /// Approvals created or resolved at or after `since`, oldest first.
    pub async fn approvals_since(&self, board_id: Uuid, since: NaiveDateTime) -> StoreResult<Vec<ApprovalView>> {
        let rows = sqlx::query_as::<Db, ApprovalRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {APPROVAL_COLUMNS} FROM approvals WHERE board_id = $1 AND (created_at >= $2 OR resolved_at >= $2) \
             ORDER BY COALESCE(resolved_at, created_at), id LIMIT 2000"
        )))
        .bind(board_id)
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        let mut conn = self.pool.acquire().await?;
        Self::approval_views(&mut conn, rows).await
    }
}
