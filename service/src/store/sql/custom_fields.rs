// Custom field definitions, their board bindings and task values.
// Included in both backend modules (see `shared_sql!` in `store/mod.rs`).

const CUSTOM_FIELD_COLUMNS: &str = "id, organization_id, field_key, label, field_type, ui_visibility, validation_regex, \
     description, required, default_value, created_at, updated_at";

impl Backend {
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
        .bind(d.default_value.as_ref().map(Json))
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
        .bind(d.default_value.as_ref().map(Json))
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
                constraint: Constraint::CustomFieldInUse,
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
                    .bind(Json(value))
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
}
