// Board group memory, with the notification rows a write records.
// Included in both backend modules (see `shared_sql!` in `store/mod.rs`).

const GROUP_MEMORY_COLUMNS: &str = "id, board_group_id, content, tags, is_chat, source, created_at";

impl Backend {
    /// Writes the entry and hands over one notification per recipient (on the recipient's
    /// board), in one transaction.
    pub async fn insert_group_memory(
        &self,
        row: &GroupMemoryRow,
        notify: &[(Uuid, crate::domain::notifications::NotifyIntent)],
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO board_group_memory ({GROUP_MEMORY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )))
        .bind(row.id)
        .bind(row.board_group_id)
        .bind(&row.content)
        .bind(row.tags.as_ref().map(Json))
        .bind(row.is_chat)
        .bind(&row.source)
        .bind(row.created_at)
        .execute(&mut *tx)
        .await?;
        for (board_id, i) in notify {
            Self::record_intents(&mut tx, vec![i.clone()], None, *board_id, row.created_at).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_group_memory(&self, group_id: Uuid, is_chat: Option<bool>, page: Page) -> StoreResult<Paged<GroupMemoryRow>> {
        let filter = |q: &mut QueryBuilder<Db>| {
            q.push(" WHERE board_group_id = ").push_bind(group_id);
            if let Some(c) = is_chat {
                q.push(" AND is_chat = ").push_bind(c);
            }
        };
        let mut rows = QueryBuilder::<Db>::new(format!(
            "SELECT {GROUP_MEMORY_COLUMNS}, count(*) OVER () AS total_count FROM board_group_memory"
        ));
        filter(&mut rows);
        rows.push(" ORDER BY created_at DESC, id");
        let mut count = QueryBuilder::<Db>::new("SELECT count(*) FROM board_group_memory");
        filter(&mut count);
        self.paged(rows, count, page).await
    }

    pub async fn group_memory_since(
        &self,
        group_id: Uuid,
        since: NaiveDateTime,
        is_chat: Option<bool>,
    ) -> StoreResult<Vec<GroupMemoryRow>> {
        let mut q = QueryBuilder::<Db>::new(format!(
            "SELECT {GROUP_MEMORY_COLUMNS} FROM board_group_memory WHERE board_group_id = "
        ));
        q.push_bind(group_id).push(" AND created_at >= ").push_bind(since);
        if let Some(c) = is_chat {
            q.push(" AND is_chat = ").push_bind(c);
        }
        q.push(" ORDER BY created_at, id LIMIT 2000");
        Ok(q.build_query_as().fetch_all(&self.pool).await?)
    }
}
