// Board groups and the task side of group snapshots.
// Included in both backend modules (see `shared_sql!` in `store/mod.rs`).

const GROUP_COLUMNS: &str = "id, organization_id, name, slug, description, created_at, updated_at";

impl Backend {
    pub async fn list_board_groups(&self, organization_id: Uuid, page: Page) -> StoreResult<Paged<BoardGroupRow>> {
        let mut rows = QueryBuilder::<Db>::new(format!(
            "SELECT {GROUP_COLUMNS}, count(*) OVER () AS total_count FROM board_groups WHERE organization_id = "
        ));
        rows.push_bind(organization_id).push(" ORDER BY name, created_at, id");
        let mut count = QueryBuilder::<Db>::new("SELECT count(*) FROM board_groups WHERE organization_id = ");
        count.push_bind(organization_id);
        self.paged(rows, count, page).await
    }

    pub async fn get_board_group(&self, organization_id: Uuid, id: Uuid) -> StoreResult<Option<BoardGroupRow>> {
        Ok(sqlx::query_as::<Db, BoardGroupRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {GROUP_COLUMNS} FROM board_groups WHERE id = $1 AND organization_id = $2"
        )))
        .bind(id)
        .bind(organization_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn insert_board_group(&self, g: &BoardGroupRow) -> StoreResult<()> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO board_groups ({GROUP_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )))
        .bind(g.id)
        .bind(g.organization_id)
        .bind(&g.name)
        .bind(&g.slug)
        .bind(&g.description)
        .bind(g.created_at)
        .bind(g.updated_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn update_board_group(&self, g: &BoardGroupRow) -> StoreResult<()> {
        sqlx::query(
            "UPDATE board_groups SET name = $1, slug = $2, description = $3, updated_at = $4 \
             WHERE id = $5 AND organization_id = $6",
        )
        .bind(&g.name)
        .bind(&g.slug)
        .bind(&g.description)
        .bind(g.updated_at)
        .bind(g.id)
        .bind(g.organization_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Detaches the group's boards and deletes the group, in one transaction.
    pub async fn delete_board_group(&self, organization_id: Uuid, id: Uuid, now: NaiveDateTime) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let exists: Option<Uuid> = sqlx::query_scalar("SELECT id FROM board_groups WHERE id = $1 AND organization_id = $2")
            .bind(id)
            .bind(organization_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Ok(false);
        }
        sqlx::query("UPDATE boards SET board_group_id = NULL, updated_at = $1 WHERE board_group_id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM board_group_memory WHERE board_group_id = $1").bind(id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM board_groups WHERE id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Task counts by status of the boards, and each board's first `per_board` tasks in
    /// snapshot order (in progress, review, inbox, done; then high, medium, low priority;
    /// then most recently updated), with their tags.
    pub async fn group_tasks(&self, board_ids: &[Uuid], include_done: bool, per_board: i64) -> StoreResult<GroupTasks> {
        if board_ids.is_empty() {
            return Ok(GroupTasks::default());
        }
        let mut conn = self.pool.acquire().await?;
        let mut q = QueryBuilder::<Db>::new("SELECT board_id, status, count(*) FROM tasks WHERE board_id IN (");
        push_id_list(&mut q, board_ids);
        q.push(") GROUP BY board_id, status");
        let counts: Vec<(Uuid, String, i64)> = q.build_query_as().fetch_all(&mut *conn).await?;
        if per_board <= 0 {
            return Ok(GroupTasks { counts, tasks: Vec::new() });
        }

        let mut q = QueryBuilder::<Db>::new(
            "SELECT id, board_id, board_name, title, status, priority, due_at, in_progress_at, assigned_agent_id, \
             assignee, created_at, updated_at FROM (SELECT t.id, t.board_id, b.name AS board_name, t.title, t.status, \
             t.priority, t.due_at, t.in_progress_at, t.assigned_agent_id, a.name AS assignee, t.created_at, \
             t.updated_at, ROW_NUMBER() OVER (PARTITION BY t.board_id ORDER BY \
             CASE t.status WHEN 'in_progress' THEN 0 WHEN 'review' THEN 1 WHEN 'inbox' THEN 2 ELSE 3 END, \
             CASE t.priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END, \
             t.updated_at DESC, t.id) AS rank_in_board \
             FROM tasks t JOIN boards b ON b.id = t.board_id LEFT JOIN agents a ON a.id = t.assigned_agent_id \
             WHERE t.board_id IN (",
        );
        push_id_list(&mut q, board_ids);
        q.push(")");
        if !include_done {
            q.push(" AND t.status <> 'done'");
        }
        q.push(") ranked WHERE rank_in_board <= ").push_bind(per_board);
        q.push(" ORDER BY board_id, rank_in_board");
        let rows: Vec<GroupTaskRow> = q.build_query_as().fetch_all(&mut *conn).await?;
        if rows.is_empty() {
            return Ok(GroupTasks { counts, tasks: Vec::new() });
        }

        let ids: Vec<Uuid> = rows.iter().map(|t| t.id).collect();
        let mut q = QueryBuilder::<Db>::new(
            "SELECT a.task_id, t.id, t.name, t.slug, t.color FROM tag_assignments a \
             JOIN tags t ON t.id = a.tag_id WHERE a.task_id IN (",
        );
        push_id_list(&mut q, &ids);
        q.push(") ORDER BY t.name, t.id");
        let tags: Vec<(Uuid, Uuid, String, String, String)> = q.build_query_as().fetch_all(&mut *conn).await?;
        let mut tag_map: HashMap<Uuid, Vec<TagRef>> = HashMap::new();
        for (task, id, name, slug, color) in tags {
            tag_map.entry(task).or_default().push(TagRef { id, name, slug, color });
        }
        Ok(GroupTasks {
            counts,
            tasks: rows
                .into_iter()
                .map(|t| {
                    let tags = tag_map.remove(&t.id).unwrap_or_default();
                    (t, tags)
                })
                .collect(),
        })
    }
}
