// The catalog's queries (tags, custom field definitions and values, board groups), compiled
// once per backend next to `queries.rs` by `include!` in `store/mod.rs`; they share its
// imports, `Backend`, `Tx` and helpers.

const TAG_COLUMNS: &str = "t.id, t.organization_id, t.name, t.slug, t.color, t.description, t.created_at, t.updated_at, \
     (SELECT count(*) FROM tag_assignments a WHERE a.tag_id = t.id) AS task_count";
const CUSTOM_FIELD_COLUMNS: &str = "id, organization_id, field_key, label, field_type, ui_visibility, validation_regex, \
     description, required, default_value, created_at, updated_at";
const GROUP_COLUMNS: &str = "id, organization_id, name, slug, description, created_at, updated_at";

impl Backend {
    // ---------------------------------------------------------------- tags

    pub async fn list_tags(&self, organization_id: Uuid, page: Page) -> StoreResult<Paged<TagRow>> {
        let mut rows = QueryBuilder::<Db>::new(format!(
            "SELECT {TAG_COLUMNS}, count(*) OVER () AS total_count FROM tags t WHERE t.organization_id = "
        ));
        rows.push_bind(organization_id).push(" ORDER BY t.name, t.id");
        let mut count = QueryBuilder::<Db>::new("SELECT count(*) FROM tags WHERE organization_id = ");
        count.push_bind(organization_id);
        self.paged(rows, count, page).await
    }

    pub async fn get_tag(&self, organization_id: Uuid, id: Uuid) -> StoreResult<Option<TagRow>> {
        Ok(sqlx::query_as::<Db, TagRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {TAG_COLUMNS} FROM tags t WHERE t.id = $1 AND t.organization_id = $2"
        )))
        .bind(id)
        .bind(organization_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn tag_slug_taken(&self, organization_id: Uuid, slug: &str, except: Option<Uuid>) -> StoreResult<bool> {
        let found: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM tags WHERE organization_id = $1 AND slug = $2")
            .bind(organization_id)
            .bind(slug)
            .fetch_all(&self.pool)
            .await?;
        Ok(found.iter().any(|id| Some(*id) != except))
    }

    pub async fn insert_tag(&self, t: &TagRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO tags (id, organization_id, name, slug, color, description, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(t.id)
        .bind(t.organization_id)
        .bind(&t.name)
        .bind(&t.slug)
        .bind(&t.color)
        .bind(&t.description)
        .bind(t.created_at)
        .bind(t.updated_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn update_tag(&self, t: &TagRow) -> StoreResult<()> {
        sqlx::query(
            "UPDATE tags SET name = $1, slug = $2, color = $3, description = $4, updated_at = $5 \
             WHERE id = $6 AND organization_id = $7",
        )
        .bind(&t.name)
        .bind(&t.slug)
        .bind(&t.color)
        .bind(&t.description)
        .bind(t.updated_at)
        .bind(t.id)
        .bind(t.organization_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn delete_tag(&self, organization_id: Uuid, id: Uuid) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let exists: Option<Uuid> = sqlx::query_scalar("SELECT id FROM tags WHERE id = $1 AND organization_id = $2")
            .bind(id)
            .bind(organization_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Ok(false);
        }
        for sql in ["DELETE FROM tag_assignments WHERE tag_id = $1", "DELETE FROM tags WHERE id = $1"] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    // ---------------------------------------------------------------- custom fields

    async fn custom_field_views(
        conn: &mut <Db as sqlx::Database>::Connection,
        definitions: Vec<CustomFieldRow>,
    ) -> StoreResult<Vec<CustomFieldView>> {
        if definitions.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = definitions.iter().map(|d| d.id).collect();
        let mut q = QueryBuilder::<Db>::new(
            "SELECT task_custom_field_definition_id, board_id FROM board_task_custom_fields \
             WHERE task_custom_field_definition_id IN (",
        );
        push_id_list(&mut q, &ids);
        q.push(") ORDER BY created_at, board_id");
        let bindings: Vec<(Uuid, Uuid)> = q.build_query_as().fetch_all(&mut *conn).await?;
        let mut boards: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for (definition, board) in bindings {
            boards.entry(definition).or_default().push(board);
        }
        Ok(definitions
            .into_iter()
            .map(|definition| CustomFieldView {
                board_ids: boards.remove(&definition.id).unwrap_or_default(),
                definition,
            })
            .collect())
    }

    pub async fn list_custom_fields(&self, organization_id: Uuid) -> StoreResult<Vec<CustomFieldView>> {
        let mut conn = self.pool.acquire().await?;
        let rows = sqlx::query_as::<Db, CustomFieldRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {CUSTOM_FIELD_COLUMNS} FROM task_custom_field_definitions WHERE organization_id = $1 \
             ORDER BY field_key, id"
        )))
        .bind(organization_id)
        .fetch_all(&mut *conn)
        .await?;
        Self::custom_field_views(&mut conn, rows).await
    }

    pub async fn get_custom_field(&self, organization_id: Uuid, id: Uuid) -> StoreResult<Option<CustomFieldView>> {
        let mut conn = self.pool.acquire().await?;
        let row = sqlx::query_as::<Db, CustomFieldRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {CUSTOM_FIELD_COLUMNS} FROM task_custom_field_definitions WHERE id = $1 AND organization_id = $2"
        )))
        .bind(id)
        .bind(organization_id)
        .fetch_optional(&mut *conn)
        .await?;
        match row {
            None => Ok(None),
            Some(row) => Ok(Self::custom_field_views(&mut conn, vec![row]).await?.pop()),
        }
    }

    /// The definitions bound to a board, for checking a task's values.
    pub async fn board_custom_fields(&self, board_id: Uuid) -> StoreResult<Vec<CustomFieldRow>> {
        Ok(sqlx::query_as::<Db, CustomFieldRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {CUSTOM_FIELD_COLUMNS} FROM task_custom_field_definitions WHERE id IN \
             (SELECT task_custom_field_definition_id FROM board_task_custom_fields WHERE board_id = $1) \
             ORDER BY field_key, id"
        )))
        .bind(board_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Which of `ids` are boards of the organization.
    pub async fn boards_in_organization(&self, organization_id: Uuid, ids: &[Uuid]) -> StoreResult<Vec<Uuid>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Db>::new("SELECT id FROM boards WHERE organization_id = ");
        q.push_bind(organization_id).push(" AND id IN (");
        push_id_list(&mut q, ids);
        q.push(")");
        Ok(q.build_query_scalar::<Uuid>().fetch_all(&self.pool).await?)
    }

    async fn replace_bindings(tx: &mut Tx, definition_id: Uuid, boards: &[Uuid], now: NaiveDateTime) -> StoreResult<()> {
        sqlx::query("DELETE FROM board_task_custom_fields WHERE task_custom_field_definition_id = $1")
            .bind(definition_id)
            .execute(&mut **tx)
            .await?;
        for (i, board) in crate::domain::tasks::dedupe(boards).into_iter().enumerate() {
            // Keep request order in `created_at` order.
            let at = now + chrono::Duration::microseconds(i64::try_from(i).unwrap_or(0));
            sqlx::query(
                "INSERT INTO board_task_custom_fields (id, board_id, task_custom_field_definition_id, created_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(Uuid::new_v4())
            .bind(board)
            .bind(definition_id)
            .bind(at)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    pub async fn insert_custom_field(&self, v: &CustomFieldView) -> StoreResult<()> {
        let d = &v.definition;
        let mut tx = self.begin_write().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO task_custom_field_definitions ({CUSTOM_FIELD_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        )))
        .bind(d.id)
        .bind(d.organization_id)
        .bind(&d.field_key)
        .bind(&d.label)
        .bind(&d.field_type)
        .bind(&d.ui_visibility)
        .bind(&d.validation_regex)
        .bind(&d.description)
        .bind(d.required)
        .bind(&d.default_value)
        .bind(d.created_at)
        .bind(d.updated_at)
        .execute(&mut *tx)
        .await?;
        Self::replace_bindings(&mut tx, d.id, &v.board_ids, d.created_at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Saves a definition's fields, and its board bindings when `rebind`.
    pub async fn update_custom_field(&self, v: &CustomFieldView, rebind: bool) -> StoreResult<()> {
        let d = &v.definition;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE task_custom_field_definitions SET label = $1, field_type = $2, ui_visibility = $3, \
             validation_regex = $4, description = $5, required = $6, default_value = $7, updated_at = $8 \
             WHERE id = $9 AND organization_id = $10",
        )
        .bind(&d.label)
        .bind(&d.field_type)
        .bind(&d.ui_visibility)
        .bind(&d.validation_regex)
        .bind(&d.description)
        .bind(d.required)
        .bind(&d.default_value)
        .bind(d.updated_at)
        .bind(d.id)
        .bind(d.organization_id)
        .execute(&mut *tx)
        .await?;
        if rebind {
            Self::replace_bindings(&mut tx, d.id, &v.board_ids, d.updated_at).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a definition with its board bindings; refused with a conflict while any task
    /// has a stored value for it.
    pub async fn delete_custom_field(&self, organization_id: Uuid, id: Uuid) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let exists: Option<Uuid> =
            sqlx::query_scalar("SELECT id FROM task_custom_field_definitions WHERE id = $1 AND organization_id = $2")
                .bind(id)
                .bind(organization_id)
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_none() {
            return Ok(false);
        }
        let used: i64 = sqlx::query_scalar("SELECT count(*) FROM task_custom_field_values WHERE task_custom_field_definition_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        if used > 0 {
            return Err(StoreError::Conflict {
                constraint: "task_custom_field_values_task_custom_field_definition_id_fkey".to_owned(),
            });
        }
        for sql in [
            "DELETE FROM board_task_custom_fields WHERE task_custom_field_definition_id = $1",
            "DELETE FROM task_custom_field_definitions WHERE id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Writes a task's custom field values inside its create/update transaction: a value is
    /// upserted, `None` removes the stored one.
    async fn write_custom_values(tx: &mut Tx, task_id: Uuid, values: &[CustomValueWrite], now: NaiveDateTime) -> StoreResult<()> {
        for v in values {
            match &v.value {
                Some(value) => {
                    sqlx::query(
                        "INSERT INTO task_custom_field_values (id, task_id, task_custom_field_definition_id, value, \
                         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) \
                         ON CONFLICT (task_id, task_custom_field_definition_id) \
                         DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                    )
                    .bind(Uuid::new_v4())
                    .bind(task_id)
                    .bind(v.definition_id)
                    .bind(sqlx::types::Json(value))
                    .bind(now)
                    .execute(&mut **tx)
                    .await?;
                }
                None => {
                    sqlx::query("DELETE FROM task_custom_field_values WHERE task_id = $1 AND task_custom_field_definition_id = $2")
                        .bind(task_id)
                        .bind(v.definition_id)
                        .execute(&mut **tx)
                        .await?;
                }
            }
        }
        Ok(())
    }

    // ---------------------------------------------------------------- board groups

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

    /// The agents on the group's boards, oldest first.
    pub async fn group_agents(&self, group_id: Uuid) -> StoreResult<Vec<AgentRow>> {
        Ok(sqlx::query_as::<Db, AgentRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {AGENT_COLUMNS} FROM agents WHERE board_id IN (SELECT id FROM boards WHERE board_group_id = $1) \
             ORDER BY created_at, id"
        )))
        .bind(group_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Stores new heartbeat configurations, in one transaction.
    pub async fn set_heartbeat_configs(&self, configs: &[(Uuid, Value)], now: NaiveDateTime) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        for (id, config) in configs {
            sqlx::query("UPDATE agents SET heartbeat_config = $1, updated_at = $2 WHERE id = $3")
                .bind(sqlx::types::Json(config))
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
