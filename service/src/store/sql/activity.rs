// Activity rows: recording them, task comments, the activity and comment feeds.
// Included in both backend modules (see `shared_sql!` in `store/mod.rs`).

const ACTIVITY_COLUMNS: &str = "a.id, a.event_type, a.message, a.agent_id, a.task_id, a.board_id, a.created_at";


const FEED_COLUMNS: &str = "a.id, a.created_at, a.message, a.agent_id, ag.name AS agent_name, \
     ag.is_board_lead AS agent_is_lead, a.task_id, t.title AS task_title, a.board_id, b.name AS board_name";

impl Backend {
    async fn record_activity(
        tx: &mut Tx,
        event_type: &str,
        message: &str,
        agent_id: Option<Uuid>,
        task_id: Option<Uuid>,
        board_id: Option<Uuid>,
        now: NaiveDateTime,
    ) -> StoreResult<ActivityRow> {
        let row = ActivityRow {
            id: Uuid::new_v4(),
            event_type: event_type.to_owned(),
            message: Some(message.to_owned()),
            agent_id,
            task_id,
            board_id,
            created_at: now,
        };
        sqlx::query(
            "INSERT INTO activity_events (id, event_type, message, agent_id, task_id, board_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(row.id)
        .bind(&row.event_type)
        .bind(&row.message)
        .bind(row.agent_id)
        .bind(row.task_id)
        .bind(row.board_id)
        .bind(row.created_at)
        .execute(&mut **tx)
        .await?;
        Ok(row)
    }

    /// Hands over the notifications a write sends (see `domain::notifications`), inside its
    /// transaction: on a board with a gateway as one delivery job each (the rows are written
    /// by the job, with the outcome); on a board without one as `*_notify_failed` rows now,
    /// which are returned.
    async fn record_intents(
        tx: &mut Tx,
        intents: Vec<crate::domain::notifications::NotifyIntent>,
        task_id: Option<Uuid>,
        board_id: Uuid,
        now: NaiveDateTime,
    ) -> StoreResult<Vec<ActivityRow>> {
        if intents.is_empty() {
            return Ok(Vec::new());
        }
        let gateway: Option<Option<Uuid>> = sqlx::query_scalar("SELECT gateway_id FROM boards WHERE id = $1")
            .bind(board_id)
            .fetch_optional(&mut **tx)
            .await?;
        let mut rows = Vec::with_capacity(intents.len());
        if gateway.flatten().is_some() {
            let jobs: Vec<NewJob> = intents
                .iter()
                .map(|i| NewJob {
                    id: Uuid::new_v4(),
                    kind: crate::domain::notifications::DELIVERY_JOB.to_owned(),
                    payload: crate::domain::notifications::delivery_payload(i, task_id, board_id),
                    run_at: now,
                    traceparent: crate::telemetry::current_traceparent(),
                    dedupe_key: None,
                })
                .collect();
            Self::enqueue_in(tx, &jobs, now).await?;
            return Ok(rows);
        }
        for i in intents {
            rows.push(
                Self::record_activity(tx, i.event_type, &i.message, Some(i.agent_id), task_id, Some(board_id), now).await?,
            );
        }
        Ok(rows)
    }

    async fn board_lead(tx: &mut Tx, board_id: Uuid) -> StoreResult<Option<Uuid>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM agents WHERE board_id = $1 AND is_board_lead ORDER BY created_at, id LIMIT 1")
                .bind(board_id)
                .fetch_optional(&mut **tx)
                .await?,
        )
    }

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

    pub async fn task_status_changes(&self, task_id: Uuid) -> StoreResult<Vec<(Option<Uuid>, String)>> {
        Ok(sqlx::query_as(
            "SELECT agent_id, message FROM activity_events WHERE task_id = $1 AND event_type = 'task.status_changed' \
             ORDER BY created_at, id",
        )
        .bind(task_id)
        .fetch_all(&self.pool)
        .await?)
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
}
