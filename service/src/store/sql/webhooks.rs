// Board webhooks and their received payloads.
// Included in both backend modules (see `shared_sql!` in `store/mod.rs`).

const WEBHOOK_RECORD_COLUMNS: &str =
    "id, board_id, agent_id, description, enabled, secret, signature_header, created_at, updated_at";
const WEBHOOK_PAYLOAD_COLUMNS: &str =
    "id, board_id, webhook_id, payload, headers, source_ip, content_type, received_at";

impl Backend {
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

    /// A board's webhook with its secret.
    pub async fn get_webhook(&self, board_id: Uuid, id: Uuid) -> StoreResult<Option<WebhookRecord>> {
        Ok(sqlx::query_as::<Db, WebhookRecord>(sqlx::AssertSqlSafe(format!(
            "SELECT {WEBHOOK_RECORD_COLUMNS} FROM board_webhooks WHERE id = $1 AND board_id = $2"
        )))
        .bind(id)
        .bind(board_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn insert_webhook(&self, row: &WebhookRecord) -> StoreResult<()> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO board_webhooks ({WEBHOOK_RECORD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        )))
        .bind(row.id)
        .bind(row.board_id)
        .bind(row.agent_id)
        .bind(&row.description)
        .bind(row.enabled)
        .bind(&row.secret)
        .bind(&row.signature_header)
        .bind(row.created_at)
        .bind(row.updated_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Saves a webhook's settings; false when it is gone.
    pub async fn update_webhook(&self, row: &WebhookRecord) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE board_webhooks SET agent_id = $3, description = $4, enabled = $5, secret = $6, \
             signature_header = $7, updated_at = $8 WHERE id = $1 AND board_id = $2",
        )
        .bind(row.id)
        .bind(row.board_id)
        .bind(row.agent_id)
        .bind(&row.description)
        .bind(row.enabled)
        .bind(&row.secret)
        .bind(&row.signature_header)
        .bind(row.updated_at)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes a webhook's payloads, then the webhook, in one transaction.
    pub async fn delete_webhook(&self, board_id: Uuid, id: Uuid) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM board_webhook_payloads WHERE webhook_id = $1 AND board_id = $2")
            .bind(id)
            .bind(board_id)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM board_webhooks WHERE id = $1 AND board_id = $2")
            .bind(id)
            .bind(board_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn list_webhook_payloads(
        &self,
        board_id: Uuid,
        webhook_id: Uuid,
        page: Page,
    ) -> StoreResult<Paged<WebhookPayloadRow>> {
        let mut rows = QueryBuilder::<Db>::new(format!(
            "SELECT {WEBHOOK_PAYLOAD_COLUMNS}, count(*) OVER () AS total_count FROM board_webhook_payloads WHERE board_id = "
        ));
        rows.push_bind(board_id)
            .push(" AND webhook_id = ")
            .push_bind(webhook_id)
            .push(" ORDER BY received_at DESC, id");
        let mut count = QueryBuilder::<Db>::new("SELECT count(*) FROM board_webhook_payloads WHERE board_id = ");
        count.push_bind(board_id).push(" AND webhook_id = ").push_bind(webhook_id);
        self.paged(rows, count, page).await
    }

    pub async fn get_webhook_payload(
        &self,
        board_id: Uuid,
        webhook_id: Uuid,
        id: Uuid,
    ) -> StoreResult<Option<WebhookPayloadRow>> {
        Ok(sqlx::query_as::<Db, WebhookPayloadRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {WEBHOOK_PAYLOAD_COLUMNS} FROM board_webhook_payloads WHERE id = $1 AND webhook_id = $2 AND board_id = $3"
        )))
        .bind(id)
        .bind(webhook_id)
        .bind(board_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Stores a received payload, its board-memory note and its delivery job in one
    /// transaction. With a delivery key already used for this webhook since `replay_since`,
    /// nothing is written and the first payload's id is returned; an older use of the key is
    /// forgotten first. The note is written last, so a failure there leaves no job behind.
    pub async fn ingest_webhook_payload(
        &self,
        payload: &WebhookPayloadRow,
        delivery_key: Option<&str>,
        memory: &MemoryRow,
        job: &NewJob,
        replay_since: NaiveDateTime,
    ) -> StoreResult<IngestOutcome> {
        let mut tx = self.begin_write().await?;
        if let Some(key) = delivery_key {
            sqlx::query(
                "UPDATE board_webhook_payloads SET delivery_key = NULL \
                 WHERE webhook_id = $1 AND delivery_key = $2 AND received_at < $3",
            )
            .bind(payload.webhook_id)
            .bind(key)
            .bind(replay_since)
            .execute(&mut *tx)
            .await?;
        }
        let inserted = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO board_webhook_payloads ({WEBHOOK_PAYLOAD_COLUMNS}, delivery_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING"
        )))
        .bind(payload.id)
        .bind(payload.board_id)
        .bind(payload.webhook_id)
        .bind(payload.payload.as_ref().map(Json))
        .bind(payload.headers.as_ref().map(Json))
        .bind(&payload.source_ip)
        .bind(&payload.content_type)
        .bind(payload.received_at)
        .bind(delivery_key)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            tx.rollback().await?;
            let first: Option<Uuid> =
                sqlx::query_scalar("SELECT id FROM board_webhook_payloads WHERE webhook_id = $1 AND delivery_key = $2")
                    .bind(payload.webhook_id)
                    .bind(delivery_key)
                    .fetch_optional(&self.pool)
                    .await?;
            return first.map(IngestOutcome::Replayed).ok_or(StoreError::NotFound);
        }
        Self::enqueue_in(&mut tx, std::slice::from_ref(job), payload.received_at).await?;
        sqlx::query(
            "INSERT INTO board_memory (id, board_id, content, tags, is_chat, source, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(memory.id)
        .bind(memory.board_id)
        .bind(&memory.content)
        .bind(memory.tags.as_ref().map(Json))
        .bind(memory.is_chat)
        .bind(&memory.source)
        .bind(memory.created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(IngestOutcome::Stored)
    }

    /// Records a delivery as an activity row whose id is the delivery job's id: a job run
    /// again records nothing more. Whether this call wrote it.
    pub async fn record_webhook_delivery(
        &self,
        job_id: Uuid,
        event_type: &str,
        message: &str,
        agent_id: Uuid,
        board_id: Uuid,
        now: NaiveDateTime,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO activity_events (id, event_type, message, agent_id, task_id, board_id, created_at) \
             VALUES ($1, $2, $3, $4, NULL, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(job_id)
        .bind(event_type)
        .bind(message)
        .bind(agent_id)
        .bind(board_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
