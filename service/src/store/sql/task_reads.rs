// Task reads: lists, single tasks and the read-model joins (dependencies, tags, custom field values).
// Included in both backend modules (see `shared_sql!` in `store/mod.rs`).

const TASK_COLUMNS: &str = "id, board_id, title, description, status, priority, due_at, in_progress_at, \
     previous_in_progress_at, created_by_user_id, assigned_agent_id, auto_created, auto_reason, created_at, updated_at";

/// A row of the task read-model joins (`enrich`): a dependency (kind 0), a tag (1) or a
/// custom field definition with this page's value, if any (2).
#[derive(sqlx::FromRow)]
struct JoinRow {
    kind: i32,
    task_id: Option<Uuid>,
    ref_id: Option<Uuid>,
    a: Option<String>,
    b: Option<String>,
    c: Option<String>,
    default_value: Option<Json<Value>>,
    value: Option<Json<Value>>,
}

impl Backend {
    fn push_task_filter(q: &mut QueryBuilder<Db>, board_id: Uuid, f: &TaskFilter) {
        q.push(" WHERE board_id = ").push_bind(board_id);
        if !f.statuses.is_empty() {
            q.push(" AND status IN (");
            let mut list = q.separated(", ");
            for s in &f.statuses {
                list.push_bind(s.clone());
            }
            q.push(")");
        }
        if let Some(a) = f.assigned_agent_id {
            q.push(" AND assigned_agent_id = ").push_bind(a);
        }
        match f.unassigned {
            Some(true) => {
                q.push(" AND assigned_agent_id IS NULL");
            }
            Some(false) => {
                q.push(" AND assigned_agent_id IS NOT NULL");
            }
            None => {}
        }
    }

    pub async fn list_tasks(&self, board_id: Uuid, f: &TaskFilter, page: Page) -> StoreResult<Paged<TaskRecord>> {
        let mut rows = QueryBuilder::<Db>::new(format!("SELECT {TASK_COLUMNS}, count(*) OVER () AS total_count FROM tasks"));
        Self::push_task_filter(&mut rows, board_id, f);
        rows.push(" ORDER BY created_at DESC, id");
        let mut count = QueryBuilder::<Db>::new("SELECT count(*) FROM tasks");
        Self::push_task_filter(&mut count, board_id, f);
        let page: Paged<TaskRow> = self.paged(rows, count, page).await?;
        let mut conn = self.pool.acquire().await?;
        let items = Self::enrich(&mut conn, board_id, page.items).await?;
        Ok(Paged { items, total: page.total })
    }

    pub async fn get_task(&self, board_id: Uuid, task_id: Uuid) -> StoreResult<Option<TaskRecord>> {
        let row = sqlx::query_as::<Db, TaskRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1 AND board_id = $2"
        )))
        .bind(task_id)
        .bind(board_id)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            None => Ok(None),
            Some(row) => {
                let mut conn = self.pool.acquire().await?;
                Ok(Self::enrich(&mut conn, board_id, vec![row]).await?.pop())
            }
        }
    }

    /// Task read models for the given ids on one board.
    pub async fn tasks_by_ids(&self, board_id: Uuid, ids: &[Uuid]) -> StoreResult<Vec<TaskRecord>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Db>::new(format!("SELECT {TASK_COLUMNS} FROM tasks WHERE board_id = "));
        q.push_bind(board_id).push(" AND id IN (");
        push_id_list(&mut q, ids);
        q.push(")");
        let rows: Vec<TaskRow> = q.build_query_as().fetch_all(&self.pool).await?;
        let mut conn = self.pool.acquire().await?;
        Self::enrich(&mut conn, board_id, rows).await
    }

    /// Adds the read-model joins to a page of tasks in one query, whatever the page size:
    /// dependencies with their status, tags, custom fields.
    async fn enrich(conn: &mut <Db as sqlx::Database>::Connection, board_id: Uuid, tasks: Vec<TaskRow>) -> StoreResult<Vec<TaskRecord>> {
        if tasks.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = tasks.iter().map(|t| t.id).collect();

        // One round trip for the three joins; each row says which it belongs to (`kind`),
        // `ord` keeps each join's own order.
        let mut q = QueryBuilder::<Db>::new("WITH page_ids(id) AS (VALUES ");
        let mut list = q.separated(", ");
        for id in &ids {
            list.push("(").push_bind_unseparated(*id).push_unseparated(")");
        }
        q.push(
            ") \
             SELECT 0 AS kind, d.task_id, d.depends_on_task_id AS ref_id, t.status AS a, \
                    CAST(NULL AS varchar) AS b, CAST(NULL AS varchar) AS c, \
                    CAST(NULL AS jsonb) AS default_value, CAST(NULL AS jsonb) AS value, \
                    row_number() OVER (ORDER BY d.created_at, d.id) AS ord \
               FROM task_dependencies d JOIN tasks t ON t.id = d.depends_on_task_id \
              WHERE d.task_id IN (SELECT id FROM page_ids) \
             UNION ALL \
             SELECT 1, a.task_id, t.id, t.name, t.slug, t.color, NULL, NULL, \
                    row_number() OVER (ORDER BY t.name, t.id) \
               FROM tag_assignments a JOIN tags t ON t.id = a.tag_id \
              WHERE a.task_id IN (SELECT id FROM page_ids) \
             UNION ALL \
             SELECT 2, v.task_id, NULL, d.field_key, NULL, NULL, d.default_value, v.value, 0 \
               FROM board_task_custom_fields b \
               JOIN task_custom_field_definitions d ON d.id = b.task_custom_field_definition_id \
               LEFT JOIN task_custom_field_values v ON v.task_custom_field_definition_id = d.id \
                    AND v.task_id IN (SELECT id FROM page_ids) \
              WHERE b.board_id = ",
        );
        q.push_bind(board_id).push(" ORDER BY kind, ord");
        let joined: Vec<JoinRow> = q.build_query_as().fetch_all(&mut *conn).await?;

        let mut deps: Vec<(Uuid, Uuid, String)> = Vec::new();
        let mut tags: Vec<(Uuid, Uuid, String, String, String)> = Vec::new();
        let mut defaults: BTreeMap<String, Value> = BTreeMap::new();
        let mut values: HashMap<Uuid, BTreeMap<String, Value>> = HashMap::new();
        for r in joined {
            match (r.kind, r.task_id, r.ref_id, r.a) {
                (0, Some(task), Some(dep), Some(status)) => deps.push((task, dep, status)),
                (1, Some(task), Some(tag), Some(name)) => tags.push((
                    task,
                    tag,
                    name,
                    r.b.unwrap_or_default(),
                    r.c.unwrap_or_default(),
                )),
                (2, task, _, Some(key)) => {
                    defaults.insert(key.clone(), r.default_value.map_or(Value::Null, |j| j.0));
                    if let Some(task) = task {
                        values.entry(task).or_default().insert(key, r.value.map_or(Value::Null, |j| j.0));
                    }
                }
                _ => {}
            }
        }

        let mut dep_map: HashMap<Uuid, Vec<(Uuid, String)>> = HashMap::new();
        for (task, dep, status) in deps {
            dep_map.entry(task).or_default().push((dep, status));
        }
        let mut tag_map: HashMap<Uuid, Vec<TagRef>> = HashMap::new();
        for (task, id, name, slug, color) in tags {
            tag_map.entry(task).or_default().push(TagRef { id, name, slug, color });
        }

        Ok(tasks
            .into_iter()
            .map(|task| {
                let deps = dep_map.remove(&task.id).unwrap_or_default();
                let blocked_by_task_ids = if task.status == TaskStatus::Done.as_str() {
                    Vec::new()
                } else {
                    deps.iter().filter(|(_, s)| s != TaskStatus::Done.as_str()).map(|(d, _)| *d).collect()
                };
                let mut custom = defaults.clone();
                custom.extend(values.remove(&task.id).unwrap_or_default());
                TaskRecord {
                    depends_on_task_ids: deps.into_iter().map(|(d, _)| d).collect(),
                    blocked_by_task_ids,
                    tags: tag_map.remove(&task.id).unwrap_or_default(),
                    custom_field_values: custom,
                    task,
                }
            })
            .collect())
    }
}
