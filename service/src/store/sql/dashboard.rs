// Read models over several resources: the board snapshot and the dashboard.
// Included in both backend modules (see `shared_sql!` in `store/mod.rs`).

impl Backend {
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
