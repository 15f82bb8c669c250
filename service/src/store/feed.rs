// Activity, task comments and the read models built on them (feeds, snapshots, dashboard).
// Included in both backend modules after `queries.rs`.

const ACTIVITY_COLUMNS: &str = "a.id, a.event_type, a.message, a.agent_id, a.task_id, a.board_id, a.created_at";

const FEED_COLUMNS: &str = "a.id, a.created_at, a.message, a.agent_id, ag.name AS agent_name, \
     ag.is_board_lead AS agent_is_lead, a.task_id, t.title AS task_title, a.board_id, b.name AS board_name";

impl Backend {
    /// Restricts `a.board_id` to the boards a feed may show.
    fn push_board_scope(q: &mut QueryBuilder<Db>, scope: &BoardScope) {
        q.push(" a.board_id IN (SELECT id FROM boards WHERE organization_id = ")
            .push_bind(scope.organization_id);
        if let Some(b) = scope.board_id {
            q.push(" AND id = ").push_bind(b);
        }
        if let Some(m) = scope.granted_to_member {
            q.push(
                " AND id IN (SELECT board_id FROM organization_board_access WHERE (can_read OR can_write) \
                 AND organization_member_id = ",
            )
            .push_bind(m)
            .push(")");
        }
        q.push(")");
    }

    pub async fn insert_comment(
        &self,
        board_id: Uuid,
        task_id: Uuid,
        agent_id: Option<Uuid>,
        message: &str,
        now: NaiveDateTime,
    ) -> StoreResult<ActivityRow> {
        let mut tx = self.begin_write().await?;
        let exists: Option<Uuid> = sqlx::query_scalar("SELECT id FROM tasks WHERE id = $1 AND board_id = $2")
            .bind(task_id)
            .bind(board_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        let row = Self::record_activity(&mut tx, "task.comment", message, agent_id, Some(task_id), Some(board_id), now).await?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn list_comments(&self, board_id: Uuid, task_id: Uuid, page: Page) -> StoreResult<Paged<ActivityRow>> {
        let filter = |q: &mut QueryBuilder<Db>| {
            q.push(" WHERE a.event_type = 'task.comment' AND a.task_id = ")
                .push_bind(task_id)
                .push(" AND a.board_id = ")
                .push_bind(board_id);
        };
        let mut rows = QueryBuilder::<Db>::new(format!(
            "SELECT {ACTIVITY_COLUMNS}, count(*) OVER () AS total_count FROM activity_events a"
        ));
        filter(&mut rows);
        rows.push(" ORDER BY a.created_at, a.id");
        let mut count = QueryBuilder::<Db>::new("SELECT count(*) FROM activity_events a");
        filter(&mut count);
        self.paged(rows, count, page).await
    }

    pub async fn list_activity(&self, scope: &BoardScope, agent_id: Option<Uuid>, page: Page) -> StoreResult<Paged<ActivityRow>> {
        let filter = |q: &mut QueryBuilder<Db>| {
            q.push(" WHERE");
            match agent_id {
                Some(agent) => {
                    q.push(" a.agent_id = ").push_bind(agent);
                }
                None => Self::push_board_scope(q, scope),
            }
        };
        let mut rows = QueryBuilder::<Db>::new(format!(
            "SELECT {ACTIVITY_COLUMNS}, count(*) OVER () AS total_count FROM activity_events a"
        ));
        filter(&mut rows);
        rows.push(" ORDER BY a.created_at DESC, a.id DESC");
        let mut count = QueryBuilder::<Db>::new("SELECT count(*) FROM activity_events a");
        filter(&mut count);
        self.paged(rows, count, page).await
    }

    fn feed_query(scope: &BoardScope, since: Option<NaiveDateTime>, total: bool) -> QueryBuilder<Db> {
        let mut q = QueryBuilder::<Db>::new(format!(
            "SELECT {FEED_COLUMNS}{} FROM activity_events a JOIN tasks t ON t.id = a.task_id \
             JOIN boards b ON b.id = a.board_id LEFT JOIN agents ag ON ag.id = a.agent_id \
             WHERE a.event_type = 'task.comment' AND",
            if total { ", count(*) OVER () AS total_count" } else { "" }
        ));
        Self::push_board_scope(&mut q, scope);
        if let Some(since) = since {
            q.push(" AND a.created_at >= ").push_bind(since);
        }
        q
    }

    pub async fn list_comment_feed(&self, scope: &BoardScope, page: Page) -> StoreResult<Paged<CommentFeedRow>> {
        let mut rows = Self::feed_query(scope, None, true);
        rows.push(" ORDER BY a.created_at DESC, a.id DESC");
        let mut count = QueryBuilder::<Db>::new("SELECT count(*) FROM activity_events a WHERE a.event_type = 'task.comment' AND");
        Self::push_board_scope(&mut count, scope);
        self.paged(rows, count, page).await
    }

    /// Comment feed items at or after `since`, oldest first (stream catch-up).
    pub async fn comment_feed_since(&self, scope: &BoardScope, since: NaiveDateTime) -> StoreResult<Vec<CommentFeedRow>> {
        let mut q = Self::feed_query(scope, Some(since), false);
        q.push(" ORDER BY a.created_at, a.id LIMIT 2000");
        Ok(q.build_query_as().fetch_all(&self.pool).await?)
    }

    pub async fn comment_feed_item(&self, activity_id: Uuid) -> StoreResult<Option<CommentFeedRow>> {
        Ok(sqlx::query_as::<Db, CommentFeedRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {FEED_COLUMNS} FROM activity_events a JOIN tasks t ON t.id = a.task_id \
             JOIN boards b ON b.id = a.board_id LEFT JOIN agents ag ON ag.id = a.agent_id WHERE a.id = $1"
        )))
        .bind(activity_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn get_activity(&self, id: Uuid) -> StoreResult<Option<ActivityRow>> {
        Ok(sqlx::query_as::<Db, ActivityRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {ACTIVITY_COLUMNS} FROM activity_events a WHERE a.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Task events of a board at or after `since`, oldest first (stream catch-up).
    pub async fn task_activity_since(&self, board_id: Uuid, since: NaiveDateTime) -> StoreResult<Vec<ActivityRow>> {
        Ok(sqlx::query_as::<Db, ActivityRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {ACTIVITY_COLUMNS} FROM activity_events a WHERE a.board_id = $1 AND a.created_at >= $2 \
             AND a.task_id IS NOT NULL \
             AND a.event_type IN ('task.created', 'task.updated', 'task.status_changed', 'task.comment') \
             ORDER BY a.created_at, a.id LIMIT 2000"
        )))
        .bind(board_id)
        .bind(since)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Task read models for the given ids on one board.
    pub async fn tasks_by_ids(&self, board_id: Uuid, ids: &[Uuid]) -> StoreResult<Vec<TaskView>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Db>::new(format!("SELECT {TASK_COLUMNS} FROM tasks WHERE board_id = "));
        q.push_bind(board_id).push(" AND id IN (");
        push_id_list(&mut q, ids);
        q.push(")");
        let rows: Vec<TaskRow> = q.build_query_as().fetch_all(&self.pool).await?;
        let mut conn = self.pool.acquire().await?;
        Self::enrich(&mut conn, board_id, rows).await
    }

    /// Every task of a board (newest first), its agents, and its pending approvals count.
    pub async fn board_snapshot(&self, board_id: Uuid) -> StoreResult<BoardSnapshotRows> {
        let rows = sqlx::query_as::<Db, TaskRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {TASK_COLUMNS} FROM tasks WHERE board_id = $1 ORDER BY created_at DESC, id"
        )))
        .bind(board_id)
        .fetch_all(&self.pool)
        .await?;
        let mut conn = self.pool.acquire().await?;
        let tasks = Self::enrich(&mut conn, board_id, rows).await?;
        let agents = sqlx::query_as::<Db, AgentRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {AGENT_COLUMNS} FROM agents WHERE board_id = $1 ORDER BY created_at, id"
        )))
        .bind(board_id)
        .fetch_all(&mut *conn)
        .await?;
        let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM approvals WHERE board_id = $1 AND status = 'pending'")
            .bind(board_id)
            .fetch_one(&mut *conn)
            .await?;
        let counts: Vec<(Uuid, i64, i64)> = sqlx::query_as(
            "SELECT x.task_id, count(*), sum(CASE WHEN a.status = 'pending' THEN 1 ELSE 0 END) \
             FROM (SELECT id AS approval_id, task_id FROM approvals WHERE board_id = $1 AND task_id IS NOT NULL \
                   UNION SELECT l.approval_id, l.task_id FROM approval_task_links l \
                   JOIN approvals ap ON ap.id = l.approval_id WHERE ap.board_id = $1) x \
             JOIN approvals a ON a.id = x.approval_id GROUP BY x.task_id",
        )
        .bind(board_id)
        .fetch_all(&mut *conn)
        .await?;
        Ok(BoardSnapshotRows {
            tasks,
            agents,
            pending_approvals: pending,
            approval_counts: counts.into_iter().map(|(t, all, pending)| (t, (all, pending))).collect(),
        })
    }

    /// Raw material of the dashboard: tasks of the scoped boards, activity since
    /// `since`, agents seen since `seen_since`, pending approvals.
    pub async fn dashboard_rows(
        &self,
        scope: &BoardScope,
        since: NaiveDateTime,
        seen_since: NaiveDateTime,
    ) -> StoreResult<DashboardRows> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT a.id, a.status, a.in_progress_at, a.previous_in_progress_at, a.created_at, a.updated_at \
             FROM tasks a WHERE",
        );
        // Tasks use the board scope through the same `a.board_id` alias.
        Self::push_board_scope(&mut q, scope);
        let tasks: Vec<DashboardTaskRow> = q.build_query_as().fetch_all(&self.pool).await?;

        let mut q = QueryBuilder::<Db>::new(format!(
            "SELECT {ACTIVITY_COLUMNS} FROM activity_events a WHERE a.created_at >= "
        ));
        q.push_bind(since).push(" AND");
        Self::push_board_scope(&mut q, scope);
        q.push(" ORDER BY a.created_at");
        let activity: Vec<ActivityRow> = q.build_query_as().fetch_all(&self.pool).await?;

        let mut q = QueryBuilder::<Db>::new("SELECT count(*) FROM agents a WHERE a.last_seen_at >= ");
        q.push_bind(seen_since).push(" AND");
        Self::push_board_scope(&mut q, scope);
        let active_agents: i64 = q.build_query_scalar().fetch_one(&self.pool).await?;

        let mut q = QueryBuilder::<Db>::new(
            "SELECT a.id, a.board_id, b.name AS board_name, a.action_type, a.confidence, a.created_at, \
             t.title AS task_title FROM approvals a JOIN boards b ON b.id = a.board_id \
             LEFT JOIN tasks t ON t.id = a.task_id WHERE a.status = 'pending' AND",
        );
        Self::push_board_scope(&mut q, scope);
        q.push(" ORDER BY a.created_at DESC");
        let pending: Vec<PendingApprovalRow> = q.build_query_as().fetch_all(&self.pool).await?;
        Ok(DashboardRows {
            tasks,
            activity,
            active_agents,
            pending,
        })
    }
}
