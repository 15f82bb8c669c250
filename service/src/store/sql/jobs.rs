// Durable background jobs: enqueued inside the transaction of the change that causes them,
// claimed under a lease by any replica's runner (`FOR UPDATE SKIP LOCKED` on PostgreSQL;
// SQLite's single writer needs no skipping), finished, retried later or kept as failed.
// Included in both backend modules (see `shared_sql!` in `store/mod.rs`).

const JOB_COLUMNS: &str = "id, kind, payload, status, attempts, run_at, lease_until, leased_by, last_error, \
     traceparent, dedupe_key, created_at, updated_at, finished_at";

/// A job is due when it is ready and its time has come, or when it is running under a lease
/// that has expired (its runner died).
const JOB_DUE: &str = "(status = 'ready' AND run_at <= $1) OR (status = 'running' AND lease_until < $1)";

impl Backend {
    /// Writes jobs inside the caller's transaction: they exist exactly when it commits. A job
    /// whose id or `dedupe_key` is already taken is left out.
    async fn enqueue_in(tx: &mut Tx, jobs: &[NewJob], now: NaiveDateTime) -> StoreResult<()> {
        for job in jobs {
            sqlx::query(
                "INSERT INTO jobs (id, kind, payload, status, attempts, run_at, traceparent, dedupe_key, created_at, updated_at) \
                 VALUES ($1, $2, $3, 'ready', 0, $4, $5, $6, $7, $7) ON CONFLICT DO NOTHING",
            )
            .bind(job.id)
            .bind(&job.kind)
            .bind(Json(&job.payload))
            .bind(job.run_at)
            .bind(&job.traceparent)
            .bind(&job.dedupe_key)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// Enqueues jobs on their own (work that no other write causes, such as a periodic sweep).
    pub async fn enqueue_jobs(&self, jobs: &[NewJob], now: NaiveDateTime) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        Self::enqueue_in(&mut tx, jobs, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Claims up to `limit` due jobs for `runner` until `lease_until`, oldest due first; each
    /// claim counts an attempt. Jobs another runner is claiming at the same moment are skipped,
    /// so no job is handed to two runners.
    pub async fn claim_jobs(
        &self,
        runner: &str,
        limit: i64,
        now: NaiveDateTime,
        lease_until: NaiveDateTime,
    ) -> StoreResult<Vec<JobRow>> {
        let mut tx = self.begin_write().await?;
        // Jobs whose runner died (their lease passed) first, then due jobs, oldest first. Two
        // statements rather than one OR: each walks its own index and stops after `limit`
        // rows, so a claim costs the same with ten or a hundred thousand jobs waiting.
        let mut claimed = Vec::new();
        for pick in [
            "status = 'running' AND lease_until < $1 ORDER BY lease_until, id",
            "status = 'ready' AND run_at <= $1 ORDER BY run_at, id",
        ] {
            let left = limit - i64::try_from(claimed.len()).unwrap_or(i64::MAX);
            if left <= 0 {
                break;
            }
            let rows = sqlx::query_as::<Db, JobRow>(sqlx::AssertSqlSafe(format!(
                "UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_until = $2, leased_by = $3, updated_at = $1 \
                 WHERE id IN (SELECT id FROM jobs WHERE {pick} LIMIT $4{SKIP_LOCKED}) \
                 RETURNING {JOB_COLUMNS}"
            )))
            .bind(now)
            .bind(lease_until)
            .bind(runner)
            .bind(left)
            .fetch_all(&mut *tx)
            .await?;
            claimed.extend(rows);
        }
        tx.commit().await?;
        Ok(claimed)
    }

    /// Extends the lease of a job `runner` still holds; false when it no longer holds it.
    pub async fn extend_job_lease(&self, id: Uuid, runner: &str, lease_until: NaiveDateTime) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE jobs SET lease_until = $3 WHERE id = $1 AND leased_by = $2 AND status = 'running'")
            .bind(id)
            .bind(runner)
            .bind(lease_until)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks a job `runner` holds as done; false when its lease was lost to another runner.
    pub async fn complete_job(&self, id: Uuid, runner: &str, now: NaiveDateTime) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE jobs SET status = 'done', lease_until = NULL, finished_at = $3, updated_at = $3 \
             WHERE id = $1 AND leased_by = $2 AND status = 'running'",
        )
        .bind(id)
        .bind(runner)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a failed run: ready again at `retry_at`, or kept as `failed` when `retry_at`
    /// is `None`, with the error either way. False when the lease was lost.
    pub async fn fail_job(
        &self,
        id: Uuid,
        runner: &str,
        error: &str,
        retry_at: Option<NaiveDateTime>,
        now: NaiveDateTime,
    ) -> StoreResult<bool> {
        let done = match retry_at {
            Some(at) => sqlx::query(
                "UPDATE jobs SET status = 'ready', run_at = $4, lease_until = NULL, leased_by = NULL, last_error = $3, updated_at = $5 \
                 WHERE id = $1 AND leased_by = $2 AND status = 'running'",
            )
            .bind(id)
            .bind(runner)
            .bind(error)
            .bind(at)
            .bind(now),
            None => sqlx::query(
                "UPDATE jobs SET status = 'failed', lease_until = NULL, last_error = $3, finished_at = $4, updated_at = $4 \
                 WHERE id = $1 AND leased_by = $2 AND status = 'running'",
            )
            .bind(id)
            .bind(runner)
            .bind(error)
            .bind(now),
        }
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Hands back the jobs `runner` holds (it is shutting down): ready at once for another
    /// runner, the interrupted attempt not counted. Returns how many.
    pub async fn release_jobs(&self, runner: &str, ids: &[Uuid], now: NaiveDateTime) -> StoreResult<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let mut q = QueryBuilder::<Db>::new(
            "UPDATE jobs SET status = 'ready', attempts = attempts - 1, lease_until = NULL, leased_by = NULL, run_at = ",
        );
        q.push_bind(now)
            .push(", updated_at = ")
            .push_bind(now)
            .push(" WHERE status = 'running' AND leased_by = ")
            .push_bind(runner)
            .push(" AND id IN (");
        push_id_list(&mut q, ids);
        q.push(")");
        Ok(q.build().execute(&self.pool).await?.rows_affected())
    }

    pub async fn get_job(&self, id: Uuid) -> StoreResult<Option<JobRow>> {
        Ok(
            sqlx::query_as::<Db, JobRow>(sqlx::AssertSqlSafe(format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1")))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Queue depth and the age of the oldest due job, for `/metrics`.
    pub async fn job_stats(&self, now: NaiveDateTime) -> StoreResult<JobQueueStats> {
        let (ready, scheduled, running, failed): (i64, i64, i64, i64) = sqlx::query_as(
            "SELECT \
               COALESCE(SUM(CASE WHEN (status = 'ready' AND run_at <= $1) OR (status = 'running' AND lease_until < $1) THEN 1 ELSE 0 END), 0), \
               COALESCE(SUM(CASE WHEN status = 'ready' AND run_at > $1 THEN 1 ELSE 0 END), 0), \
               COALESCE(SUM(CASE WHEN status = 'running' AND lease_until >= $1 THEN 1 ELSE 0 END), 0), \
               COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) \
             FROM jobs WHERE status IN ('ready', 'running', 'failed')",
        )
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        let oldest: Option<NaiveDateTime> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT run_at FROM jobs WHERE {JOB_DUE} ORDER BY run_at LIMIT 1"
        )))
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(JobQueueStats {
            ready,
            scheduled,
            running,
            failed,
            oldest_ready_since: oldest,
        })
    }

    /// Deletes jobs that finished successfully before `before`; failed jobs are kept.
    pub async fn purge_done_jobs(&self, before: NaiveDateTime) -> StoreResult<u64> {
        Ok(sqlx::query("DELETE FROM jobs WHERE status = 'done' AND finished_at < $1")
            .bind(before)
            .execute(&self.pool)
            .await?
            .rows_affected())
    }
}
