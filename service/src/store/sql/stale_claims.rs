// Stale claims come back: in-progress tasks of silent assignees on boards that set
// `stale_claim_timeout_seconds` return to the inbox (see `domain::stale_claims`).
// Included in both backend modules (see `shared_sql!` in `store/mod.rs`).

impl Backend {
    /// Releases every stale claim at `now`, one transaction per task. Each release is one
    /// conditional write (still in progress, still the same assignee, still silent), so two
    /// sweeps at once — on two replicas — release a task once.
    pub async fn release_stale_claims(&self, now: NaiveDateTime) -> StoreResult<Vec<ReleasedClaim>> {
        type Candidate = (Uuid, Uuid, Uuid, String, Uuid, Option<NaiveDateTime>, Option<NaiveDateTime>, String, i32);
        let candidates: Vec<Candidate> = sqlx::query_as(
            "SELECT t.id, t.board_id, b.organization_id, t.title, a.id, t.in_progress_at, a.last_seen_at, a.name, \
               b.stale_claim_timeout_seconds \
             FROM tasks t JOIN boards b ON b.id = t.board_id JOIN agents a ON a.id = t.assigned_agent_id \
             WHERE t.status = 'in_progress' AND b.stale_claim_timeout_seconds IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut released = Vec::new();
        for (task_id, board_id, organization_id, title, agent_id, in_progress_at, last_seen_at, agent_name, timeout) in
            candidates
        {
            if !crate::domain::stale_claims::is_stale(last_seen_at, in_progress_at, timeout, now) {
                continue;
            }
            let silent_before = crate::domain::stale_claims::silent_before(timeout, now);
            let mut tx = self.begin_write().await?;
            let done = sqlx::query(
                "UPDATE tasks SET status = 'inbox', assigned_agent_id = NULL, \
                   previous_in_progress_at = COALESCE(in_progress_at, previous_in_progress_at), \
                   in_progress_at = NULL, updated_at = $4 \
                 WHERE id = $1 AND status = 'in_progress' AND assigned_agent_id = $2 \
                   AND (in_progress_at IS NULL OR in_progress_at <= $3) \
                   AND NOT EXISTS (SELECT 1 FROM agents WHERE id = $2 AND last_seen_at > $3)",
            )
            .bind(task_id)
            .bind(agent_id)
            .bind(silent_before)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                // Changed or heard from since the candidates were read: not stale after all.
                continue;
            }
            let message = crate::domain::stale_claims::released_message(&title, &agent_name, timeout);
            let mut activity =
                vec![Self::record_activity(&mut tx, crate::domain::stale_claims::RELEASED_EVENT, &message, None, Some(task_id), Some(board_id), now).await?];
            let was = crate::domain::notifications::Placement {
                status: TaskStatus::InProgress,
                assigned_agent_id: Some(agent_id),
            };
            let is = crate::domain::notifications::Placement {
                status: TaskStatus::Inbox,
                assigned_agent_id: None,
            };
            let lead = Self::board_lead(&mut tx, board_id).await?;
            let intents = crate::domain::notifications::task_updated(&title, was, is, lead, None);
            activity.extend(Self::record_intents(&mut tx, intents, Some(task_id), board_id, now).await?);
            let row = sqlx::query_as::<Db, TaskRow>(sqlx::AssertSqlSafe(format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1")))
                .bind(task_id)
                .fetch_one(&mut *tx)
                .await?;
            let view = Self::enrich(&mut tx, board_id, vec![row]).await?.pop().ok_or(StoreError::NotFound)?;
            tx.commit().await?;
            released.push(ReleasedClaim {
                organization_id,
                board_id,
                change: TaskChange {
                    view,
                    activity,
                    touched: Vec::new(),
                },
            });
        }
        Ok(released)
    }
}
