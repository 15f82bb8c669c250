// Board memory.
// Included in both backend modules (see `shared_sql!` in `store/mod.rs`).

const MEMORY_COLUMNS: &str = "id, board_id, content, tags, is_chat, source, created_at";

impl Backend {
    pub async fn insert_memory(&self, row: &MemoryRow) -> StoreResult<()> {
        self.insert_memory_notifying(row, &[]).await
    }

    /// Writes the entry and one activity row per notification it would send (board chat), in
    /// one transaction.
    pub async fn insert_memory_notifying(
        &self,
        row: &MemoryRow,
        notify: &[crate::domain::notifications::NotifyIntent],
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO board_memory ({MEMORY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )))
        .bind(row.id)
        .bind(row.board_id)
        .bind(&row.content)
        .bind(row.tags.as_ref().map(Json))
        .bind(row.is_chat)
        .bind(&row.source)
        .bind(row.created_at)
        .execute(&mut *tx)
        .await?;
        Self::record_intents(&mut tx, notify.to_vec(), None, row.board_id, row.created_at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The agents a board chat entry may reach: `(id, name, is_board_lead)` of every agent of
    /// the board, oldest first.
    pub async fn board_chat_agents(&self, board_id: Uuid) -> StoreResult<Vec<(Uuid, String, bool)>> {
        Ok(sqlx::query_as(
            "SELECT id, name, is_board_lead FROM agents WHERE board_id = $1 ORDER BY created_at, id",
        )
        .bind(board_id)
        .fetch_all(&self.pool)
        .await?)
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
}
