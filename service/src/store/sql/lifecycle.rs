// The agent provisioning lifecycle (generation, wakes, check-in deadline) with its reconcile
// jobs, and board onboarding sessions. Included in both backend modules (see `shared_sql!`).

const LIFECYCLE_COLUMNS: &str = "id, status, lifecycle_generation, wake_attempts, last_wake_sent_at, checkin_deadline_at, \
     last_seen_at, last_provision_error";
const ONBOARDING_COLUMNS: &str = "id, board_id, session_key, status, messages, draft_goal, created_at, updated_at";

fn reconcile_job(kind: &str, agent_id: Uuid, generation: i32, run_at: NaiveDateTime) -> NewJob {
    NewJob {
        id: Uuid::new_v4(),
        kind: kind.to_owned(),
        payload: serde_json::json!({"agent_id": agent_id, "generation": generation}),
        run_at,
        traceparent: None,
        dedupe_key: Some(format!("{kind}:{agent_id}:{generation}:{}", run_at.and_utc().timestamp_millis())),
    }
}

impl Backend {
    /// Starts a provisioning run: a new token hash, the run's status and session, the next
    /// generation with its first wake counted and its check-in deadline, and the reconcile job
    /// due at that deadline, in one transaction. `None`: the agent is gone.
    pub async fn begin_agent_run(&self, run: &AgentRun<'_>, now: NaiveDateTime) -> StoreResult<Option<i32>> {
        let AgentRun {
            agent_id,
            token_hash,
            status,
            session_key,
            deadline,
            reconcile_kind,
        } = *run;
        let mut tx = self.begin_write().await?;
        let generation: Option<i32> = sqlx::query_scalar(
            "UPDATE agents SET agent_token_hash = $1, status = $2, openclaw_session_id = $3, \
             lifecycle_generation = lifecycle_generation + 1, wake_attempts = 1, last_wake_sent_at = $5, \
             checkin_deadline_at = $4, last_provision_error = NULL, updated_at = $5 \
             WHERE id = $6 RETURNING lifecycle_generation",
        )
        .bind(token_hash)
        .bind(status)
        .bind(session_key)
        .bind(deadline)
        .bind(now)
        .bind(agent_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(g) = generation {
            Self::enqueue_in(&mut tx, &[reconcile_job(reconcile_kind, agent_id, g, deadline)], now).await?;
        }
        tx.commit().await?;
        Ok(generation)
    }

    /// Counts one more wake of the run `generation` and schedules its reconcile; `false` when
    /// a newer run has started (or the agent is gone).
    pub async fn record_agent_wake(
        &self,
        agent_id: Uuid,
        generation: i32,
        deadline: NaiveDateTime,
        reconcile_kind: &str,
        now: NaiveDateTime,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE agents SET wake_attempts = wake_attempts + 1, last_wake_sent_at = $1, checkin_deadline_at = $2 \
             WHERE id = $3 AND lifecycle_generation = $4",
        )
        .bind(now)
        .bind(deadline)
        .bind(agent_id)
        .bind(generation)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if done {
            Self::enqueue_in(&mut tx, &[reconcile_job(reconcile_kind, agent_id, generation, deadline)], now).await?;
        }
        tx.commit().await?;
        Ok(done)
    }

    /// Ends a step of the run `generation`: its status, and the error if it failed.
    pub async fn finish_agent_run(
        &self,
        agent_id: Uuid,
        generation: i32,
        status: &str,
        error: Option<&str>,
        now: NaiveDateTime,
    ) -> StoreResult<bool> {
        Ok(sqlx::query(
            "UPDATE agents SET status = $1, last_provision_error = $2, updated_at = $3 \
             WHERE id = $4 AND lifecycle_generation = $5",
        )
        .bind(status)
        .bind(error)
        .bind(now)
        .bind(agent_id)
        .bind(generation)
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1)
    }

    pub async fn agent_lifecycle(&self, agent_id: Uuid) -> StoreResult<Option<AgentLifecycle>> {
        Ok(sqlx::query_as::<Db, AgentLifecycle>(sqlx::AssertSqlSafe(format!(
            "SELECT {LIFECYCLE_COLUMNS} FROM agents WHERE id = $1"
        )))
        .bind(agent_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Records the outcome of a delivery job once (the job id is the row's id).
    pub async fn record_delivery(&self, d: &Delivery<'_>, now: NaiveDateTime) -> StoreResult<bool> {
        let Delivery {
            job_id,
            event_type,
            message,
            agent_id,
            task_id,
            board_id,
        } = *d;
        let done = sqlx::query(
            "INSERT INTO activity_events (id, event_type, message, agent_id, task_id, board_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        )
        .bind(job_id)
        .bind(event_type)
        .bind(message)
        .bind(agent_id)
        .bind(task_id)
        .bind(board_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn latest_onboarding(&self, board_id: Uuid) -> StoreResult<Option<OnboardingRow>> {
        Ok(sqlx::query_as::<Db, OnboardingRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {ONBOARDING_COLUMNS} FROM board_onboarding_sessions WHERE board_id = $1 \
             ORDER BY updated_at DESC, created_at DESC LIMIT 1"
        )))
        .bind(board_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Inserts or updates a session (by id).
    pub async fn save_onboarding(&self, row: &OnboardingRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO board_onboarding_sessions (id, board_id, session_key, status, messages, draft_goal, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO UPDATE SET session_key = $3, status = $4, \
             messages = $5, draft_goal = $6, updated_at = $8",
        )
        .bind(row.id)
        .bind(row.board_id)
        .bind(&row.session_key)
        .bind(&row.status)
        .bind(row.messages.as_ref().map(Json))
        .bind(row.draft_goal.as_ref().map(Json))
        .bind(row.created_at)
        .bind(row.updated_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
