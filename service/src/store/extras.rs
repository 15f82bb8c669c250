// Approvals, board memory, webhooks, the skills catalog and agent changes. Included in both
// backend modules.

const APPROVAL_COLUMNS: &str = "id, board_id, task_id, agent_id, action_type, payload, confidence, rubric_scores, \
     status, created_at, resolved_at";
const MEMORY_COLUMNS: &str = "id, board_id, content, tags, is_chat, source, created_at";

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
    async fn pending_conflicts(tx: &mut Tx, tasks: &[Uuid], except: Option<Uuid>) -> StoreResult<Vec<(Uuid, Uuid)>> {
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
            "SELECT l.task_id, a.id FROM approval_task_links l JOIN approvals a ON a.id = l.approval_id \
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
    /// share a task with another pending one: `Err(PendingApprovalConflict)` lists them.
    pub async fn create_approval(&self, row: &ApprovalRow, tasks: &[Uuid]) -> StoreResult<Result<ApprovalView, Vec<(Uuid, Uuid)>>> {
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
                return Ok(Err(conflicts));
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
        .bind(&row.payload)
        .bind(row.confidence)
        .bind(&row.rubric_scores)
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
        Ok(Ok(view))
    }

    /// Sets an approval's status; any non-pending status stamps `resolved_at`. Reopening to
    /// pending is refused while another pending approval shares a task.
    pub async fn set_approval_status(
        &self,
        board_id: Uuid,
        id: Uuid,
        status: &str,
        now: NaiveDateTime,
    ) -> StoreResult<Result<ApprovalView, Vec<(Uuid, Uuid)>>> {
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
                return Ok(Err(conflicts));
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
        Ok(Ok(view))
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

    pub async fn insert_memory(&self, row: &MemoryRow) -> StoreResult<()> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO board_memory ({MEMORY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )))
        .bind(row.id)
        .bind(row.board_id)
        .bind(&row.content)
        .bind(&row.tags)
        .bind(row.is_chat)
        .bind(&row.source)
        .bind(row.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn list_memory(&self, board_id: Uuid, is_chat: Option<bool>, page: Page) -> StoreResult<Paged<MemoryRow>> {
        let filter = |q: &mut QueryBuilder<Db>| {
            q.push(" WHERE board_id = ").push_bind(board_id);
            if let Some(c) = is_chat {
                q.push(" AND is_chat = ").push_bind(c);
            }
        };
        let mut rows = QueryBuilder::<Db>::new(format!("SELECT {MEMORY_COLUMNS}, count(*) OVER () AS total_count FROM board_memory"));
        filter(&mut rows);
        rows.push(" ORDER BY created_at DESC, id");
        let mut count = QueryBuilder::<Db>::new("SELECT count(*) FROM board_memory");
        filter(&mut count);
        self.paged(rows, count, page).await
    }

    pub async fn memory_since(&self, board_id: Uuid, since: NaiveDateTime, is_chat: Option<bool>) -> StoreResult<Vec<MemoryRow>> {
        let mut q = QueryBuilder::<Db>::new(format!("SELECT {MEMORY_COLUMNS} FROM board_memory WHERE board_id = "));
        q.push_bind(board_id).push(" AND created_at >= ").push_bind(since);
        if let Some(c) = is_chat {
            q.push(" AND is_chat = ").push_bind(c);
        }
        q.push(" ORDER BY created_at, id LIMIT 2000");
        Ok(q.build_query_as().fetch_all(&self.pool).await?)
    }

    pub async fn list_webhooks(&self, board_id: Uuid, page: Page) -> StoreResult<Paged<WebhookRow>> {
        let mut rows = QueryBuilder::<Db>::new(
            "SELECT id, board_id, agent_id, description, enabled, (secret IS NOT NULL) AS has_secret, signature_header, \
             created_at, updated_at, count(*) OVER () AS total_count FROM board_webhooks WHERE board_id = ",
        );
        rows.push_bind(board_id).push(" ORDER BY created_at DESC, id");
        let mut count = QueryBuilder::<Db>::new("SELECT count(*) FROM board_webhooks WHERE board_id = ");
        count.push_bind(board_id);
        self.paged(rows, count, page).await
    }

    pub async fn list_skill_packs(&self, organization_id: Uuid) -> StoreResult<Vec<SkillPackRow>> {
        Ok(sqlx::query_as::<Db, SkillPackRow>(
            "SELECT p.id, p.organization_id, p.name, p.description, p.source_url, p.branch, p.metadata, \
             (SELECT count(*) FROM marketplace_skills m WHERE m.organization_id = p.organization_id \
              AND m.source_url LIKE p.source_url || '%') AS skill_count, p.created_at, p.updated_at \
             FROM skill_packs p WHERE p.organization_id = $1 ORDER BY p.name, p.id",
        )
        .bind(organization_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn list_marketplace(&self, f: &MarketplaceFilter, page: Page) -> StoreResult<Paged<MarketplaceSkillRow>> {
        let filter = |q: &mut QueryBuilder<Db>| {
            q.push(" WHERE m.organization_id = ").push_bind(f.organization_id);
            if let Some(s) = &f.search {
                let like = format!("%{}%", s.to_lowercase());
                q.push(" AND (lower(m.name) LIKE ").push_bind(like.clone());
                q.push(" OR lower(COALESCE(m.description, '')) LIKE ").push_bind(like).push(")");
            }
            if let Some(c) = &f.category {
                q.push(" AND m.category = ").push_bind(c.clone());
            }
            if let Some(r) = &f.risk {
                q.push(" AND m.risk = ").push_bind(r.clone());
            }
        };
        let mut rows = QueryBuilder::<Db>::new(
            "SELECT m.id, m.organization_id, m.name, m.description, m.category, m.risk, m.source, m.source_url, m.metadata, \
             m.created_at, m.updated_at, g.created_at AS installed_at, count(*) OVER () AS total_count \
             FROM marketplace_skills m LEFT JOIN gateway_installed_skills g ON g.skill_id = m.id AND g.gateway_id = ",
        );
        rows.push_bind(f.gateway_id.unwrap_or_default());
        filter(&mut rows);
        rows.push(" ORDER BY m.name, m.id");
        let mut count = QueryBuilder::<Db>::new("SELECT count(*) FROM marketplace_skills m");
        filter(&mut count);
        self.paged(rows, count, page).await
    }

    /// Agents of the organization (optionally one board) changed or seen at or after `since`.
    pub async fn agents_since(&self, organization_id: Uuid, board_id: Option<Uuid>, since: NaiveDateTime) -> StoreResult<Vec<AgentRow>> {
        let mut q = QueryBuilder::<Db>::new(format!("SELECT {AGENT_COLUMNS} FROM agents WHERE organization_id = "));
        q.push_bind(organization_id);
        if let Some(b) = board_id {
            q.push(" AND board_id = ").push_bind(b);
        }
        q.push(" AND (updated_at >= ").push_bind(since).push(" OR last_seen_at >= ").push_bind(since).push(")");
        q.push(" ORDER BY updated_at, id LIMIT 2000");
        Ok(q.build_query_as().fetch_all(&self.pool).await?)
    }
}
