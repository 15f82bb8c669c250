// Task writes: the store loads the facts under the board lock, the domain plans, the store writes the plan.
// Included in both backend modules (see `shared_sql!` in `store/mod.rs`).

impl Backend {
    /// Locks the board (PostgreSQL) so concurrent graph changes on it serialize, and
    /// returns its task statuses and dependency edges.
    async fn lock_board_graph(tx: &mut Tx, board_id: Uuid) -> StoreResult<(HashMap<Uuid, TaskStatus>, Vec<(Uuid, Uuid)>)> {
        let locked: Option<Uuid> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM boards WHERE id = $1{LOCK_FOR_UPDATE}"
        )))
        .bind(board_id)
        .fetch_optional(&mut **tx)
        .await?;
        if locked.is_none() {
            return Err(StoreError::NotFound);
        }
        let statuses: Vec<(Uuid, String)> = sqlx::query_as("SELECT id, status FROM tasks WHERE board_id = $1")
            .bind(board_id)
            .fetch_all(&mut **tx)
            .await?;
        let edges: Vec<(Uuid, Uuid)> =
            sqlx::query_as("SELECT task_id, depends_on_task_id FROM task_dependencies WHERE board_id = $1")
                .bind(board_id)
                .fetch_all(&mut **tx)
                .await?;
        Ok((
            statuses
                .into_iter()
                .map(|(id, s)| (id, TaskStatus::parse(&s).unwrap_or(TaskStatus::Inbox)))
                .collect(),
            edges,
        ))
    }

    async fn check_tags(tx: &mut Tx, organization_id: Uuid, tag_ids: &[Uuid]) -> StoreResult<()> {
        if tag_ids.is_empty() {
            return Ok(());
        }
        let mut q = QueryBuilder::<Db>::new("SELECT id FROM tags WHERE organization_id = ");
        q.push_bind(organization_id).push(" AND id IN (");
        push_id_list(&mut q, tag_ids);
        q.push(")");
        let found: HashSet<Uuid> = q.build_query_scalar::<Uuid>().fetch_all(&mut **tx).await?.into_iter().collect();
        let missing: Vec<Uuid> = tag_ids.iter().copied().filter(|t| !found.contains(t)).collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(TaskRuleError::MissingTags(missing).into())
        }
    }

    async fn replace_dependencies(tx: &mut Tx, board_id: Uuid, task_id: Uuid, deps: &[Uuid], now: NaiveDateTime) -> StoreResult<()> {
        sqlx::query("DELETE FROM task_dependencies WHERE task_id = $1")
            .bind(task_id)
            .execute(&mut **tx)
            .await?;
        for (i, dep) in deps.iter().enumerate() {
            // Keep request order in `created_at` order.
            let at = now + chrono::Duration::microseconds(i64::try_from(i).unwrap_or(0));
            sqlx::query(
                "INSERT INTO task_dependencies (id, board_id, task_id, depends_on_task_id, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(Uuid::new_v4())
            .bind(board_id)
            .bind(task_id)
            .bind(dep)
            .bind(at)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    async fn replace_tags(tx: &mut Tx, task_id: Uuid, tags: &[Uuid], now: NaiveDateTime) -> StoreResult<()> {
        sqlx::query("DELETE FROM tag_assignments WHERE task_id = $1")
            .bind(task_id)
            .execute(&mut **tx)
            .await?;
        for tag in crate::domain::tasks::dedupe(tags) {
            sqlx::query("INSERT INTO tag_assignments (id, task_id, tag_id, created_at) VALUES ($1, $2, $3, $4)")
                .bind(Uuid::new_v4())
                .bind(task_id)
                .bind(tag)
                .bind(now)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    async fn assignee_on_board(tx: &mut Tx, organization_id: Uuid, board_id: Uuid, agent: Uuid) -> StoreResult<()> {
        let found: Option<Option<Uuid>> = sqlx::query_scalar("SELECT board_id FROM agents WHERE id = $1 AND organization_id = $2")
            .bind(agent)
            .bind(organization_id)
            .fetch_optional(&mut **tx)
            .await?;
        match found {
            None => Err(TaskRuleError::AssigneeNotFound.into()),
            Some(b) if b != Some(board_id) => Err(TaskRuleError::AssigneeOnOtherBoard.into()),
            Some(_) => Ok(()),
        }
    }

    pub async fn create_task(&self, t: &NewTask) -> StoreResult<TaskWrite> {
        let mut tx = self.begin_write().await?;
        let (statuses, edges) = Self::lock_board_graph(&mut tx, t.board_id).await?;
        let deps = crate::domain::tasks::dedupe(&t.depends_on_task_ids);
        crate::domain::tasks::check_dependencies(t.id, &deps, &statuses, &edges)?;
        let blocked = crate::domain::tasks::blocked_by(&deps, &statuses);
        if !blocked.is_empty() && (t.status != TaskStatus::Inbox.as_str() || t.assigned_agent_id.is_some()) {
            return Err(TaskRuleError::Blocked { blocked_by: blocked }.into());
        }
        if let Some(agent) = t.assigned_agent_id {
            Self::assignee_on_board(&mut tx, t.organization_id, t.board_id, agent).await?;
        }
        Self::check_tags(&mut tx, t.organization_id, &t.tag_ids).await?;
        let in_progress_at = (t.status == TaskStatus::InProgress.as_str()).then_some(t.now);
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO tasks ({TASK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10, false, NULL, $11, $11)"
        )))
        .bind(t.id)
        .bind(t.board_id)
        .bind(&t.title)
        .bind(&t.description)
        .bind(&t.status)
        .bind(&t.priority)
        .bind(t.due_at)
        .bind(in_progress_at)
        .bind(t.created_by_user_id)
        .bind(t.assigned_agent_id)
        .bind(t.now)
        .execute(&mut *tx)
        .await?;
        Self::replace_dependencies(&mut tx, t.board_id, t.id, &deps, t.now).await?;
        Self::replace_tags(&mut tx, t.id, &t.tag_ids, t.now).await?;
        Self::write_custom_values(&mut tx, t.id, &t.custom_field_values, t.now).await?;
        let created = Self::record_activity(
            &mut tx,
            "task.created",
            &format!("Task created: {}.", t.title),
            t.actor_agent_id,
            Some(t.id),
            Some(t.board_id),
            t.now,
        )
        .await?;
        let row = sqlx::query_as::<Db, TaskRow>(sqlx::AssertSqlSafe(format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1")))
            .bind(t.id)
            .fetch_one(&mut *tx)
            .await?;
        let mut activity = vec![created];
        if t.actor_agent_id.is_none() {
            let lead = Self::board_lead(&mut tx, t.board_id).await?;
            let intents = crate::domain::notifications::task_created(&t.title, lead, t.assigned_agent_id);
            activity.extend(Self::record_intents(&mut tx, intents, Some(t.id), t.board_id, t.now).await?);
        }
        let view = Self::enrich(&mut tx, t.board_id, vec![row]).await?.pop().ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(TaskWrite {
            view,
            activity,
            touched: Vec::new(),
        })
    }

    pub async fn update_task(
        &self,
        u: &TaskUpdate,
        plan: &PlanFn,
    ) -> StoreResult<TaskWrite> {
        let mut tx = self.begin_write().await?;
        let (statuses, edges) = Self::lock_board_graph(&mut tx, u.board_id).await?;
        let row = sqlx::query_as::<Db, TaskRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1 AND board_id = $2"
        )))
        .bind(u.task_id)
        .bind(u.board_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let board = sqlx::query_as::<Db, BoardRow>(sqlx::AssertSqlSafe(format!("SELECT {BOARD_COLUMNS} FROM boards WHERE id = $1")))
            .bind(u.board_id)
            .fetch_one(&mut *tx)
            .await?;
        let agents: Vec<(Uuid, Option<Uuid>, bool)> =
            sqlx::query_as("SELECT id, board_id, is_board_lead FROM agents WHERE organization_id = $1")
                .bind(u.organization_id)
                .fetch_all(&mut *tx)
                .await?;
        let approvals: Vec<String> = sqlx::query_scalar(
            "SELECT status FROM approvals WHERE board_id = $1 AND (task_id = $2 OR id IN \
             (SELECT approval_id FROM approval_task_links WHERE task_id = $2))",
        )
        .bind(u.board_id)
        .bind(u.task_id)
        .fetch_all(&mut *tx)
        .await?;
        let since = row.in_progress_at.or(row.previous_in_progress_at);
        let commenters: Vec<Option<Uuid>> = match since {
            None => Vec::new(),
            Some(since) => {
                sqlx::query_scalar(
                    "SELECT agent_id FROM activity_events WHERE task_id = $1 AND event_type = 'task.comment' AND created_at >= $2",
                )
                .bind(u.task_id)
                .bind(since)
                .fetch_all(&mut *tx)
                .await?
            }
        };
        let current_deps: Vec<Uuid> = edges.iter().filter(|(t, _)| *t == u.task_id).map(|(_, d)| *d).collect();
        let ordered_deps: Vec<Uuid> = sqlx::query_scalar(
            "SELECT depends_on_task_id FROM task_dependencies WHERE task_id = $1 ORDER BY created_at, id",
        )
        .bind(u.task_id)
        .fetch_all(&mut *tx)
        .await?;
        debug_assert_eq!(current_deps.len(), ordered_deps.len());

        let facts = UpdateFacts {
            rules: crate::domain::tasks::BoardRules {
                require_approval_for_done: board.require_approval_for_done,
                require_review_before_done: board.require_review_before_done,
                comment_required_for_review: board.comment_required_for_review,
                block_status_changes_with_pending_approval: board.block_status_changes_with_pending_approval,
            },
            board_edges: edges,
            board_statuses: statuses,
            board_agents: agents.iter().filter(|(_, b, _)| *b == Some(u.board_id)).map(|(a, _, _)| *a).collect(),
            org_agents: agents.iter().map(|(a, _, _)| *a).collect(),
            board_lead: agents.iter().find(|(_, b, lead)| *lead && *b == Some(u.board_id)).map(|(a, _, _)| *a),
            has_pending_approval: approvals.iter().any(|s| s == "pending"),
            has_approved_approval: approvals.iter().any(|s| s == "approved"),
            has_assignee_comment_since_in_progress: commenters
                .iter()
                .any(|c| c.is_some() && (*c == row.assigned_agent_id || row.assigned_agent_id.is_none())),
        };
        let state = TaskState {
            id: row.id,
            status: TaskStatus::parse(&row.status).unwrap_or(TaskStatus::Inbox),
            assigned_agent_id: row.assigned_agent_id,
            in_progress_at: row.in_progress_at,
            previous_in_progress_at: row.previous_in_progress_at,
        };
        let decided = plan(&state, &ordered_deps, &facts)?;
        if let Some(tags) = &u.tag_ids {
            Self::check_tags(&mut tx, u.organization_id, tags).await?;
        }

        let title = u.title.clone().unwrap_or(row.title.clone());
        sqlx::query(
            "UPDATE tasks SET title = $1, description = $2, priority = $3, due_at = $4, status = $5, \
             assigned_agent_id = $6, in_progress_at = $7, previous_in_progress_at = $8, updated_at = $9 WHERE id = $10",
        )
        .bind(&title)
        .bind(u.description.clone().unwrap_or(row.description.clone()))
        .bind(u.priority.clone().unwrap_or(row.priority.clone()))
        .bind(u.due_at.unwrap_or(row.due_at))
        .bind(decided.status.as_str())
        .bind(decided.assigned_agent_id)
        .bind(decided.in_progress_at)
        .bind(decided.previous_in_progress_at)
        .bind(u.now)
        .bind(u.task_id)
        .execute(&mut *tx)
        .await?;
        if let Some(deps) = &decided.depends_on_task_ids {
            Self::replace_dependencies(&mut tx, u.board_id, u.task_id, deps, u.now).await?;
        }
        if let Some(tags) = &u.tag_ids {
            Self::replace_tags(&mut tx, u.task_id, tags, u.now).await?;
        }
        Self::write_custom_values(&mut tx, u.task_id, &u.custom_field_values, u.now).await?;
        let mut activity = Vec::new();
        if let Some(comment) = u.comment.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            activity.push(
                Self::record_activity(&mut tx, "task.comment", comment, u.actor_agent_id, Some(u.task_id), Some(u.board_id), u.now)
                    .await?,
            );
        }
        let (event, message) = if decided.status_changed {
            ("task.status_changed", format!("Task moved to {}: {}.", decided.status.as_str(), title))
        } else {
            ("task.updated", format!("Task updated: {title}."))
        };
        activity.push(
            Self::record_activity(&mut tx, event, &message, u.actor_agent_id, Some(u.task_id), Some(u.board_id), u.now).await?,
        );
        {
            use crate::domain::notifications::{Placement, task_updated};
            let before = Placement {
                status: state.status,
                assigned_agent_id: state.assigned_agent_id,
            };
            let after = Placement {
                status: decided.status,
                assigned_agent_id: decided.assigned_agent_id,
            };
            let intents = task_updated(&title, before, after, facts.board_lead, u.actor_agent_id);
            activity.extend(Self::record_intents(&mut tx, intents, Some(u.task_id), u.board_id, u.now).await?);
        }

        // Dependents react when this task enters or leaves `done`.
        let was_done = state.status == TaskStatus::Done;
        let is_done = decided.status == TaskStatus::Done;
        let mut touched = Vec::new();
        if was_done != is_done {
            let dependents = sqlx::query_as::<Db, TaskRow>(sqlx::AssertSqlSafe(format!(
                "SELECT {TASK_COLUMNS} FROM tasks WHERE id IN \
                 (SELECT task_id FROM task_dependencies WHERE depends_on_task_id = $1) AND status <> 'done' \
                 ORDER BY created_at, id"
            )))
            .bind(u.task_id)
            .fetch_all(&mut *tx)
            .await?;
            for dep in dependents {
                let pristine = dep.status == TaskStatus::Inbox.as_str()
                    && dep.assigned_agent_id.is_none()
                    && dep.in_progress_at.is_none();
                if was_done && !pristine {
                    sqlx::query(
                        "UPDATE tasks SET status = 'inbox', assigned_agent_id = NULL, \
                         previous_in_progress_at = COALESCE(in_progress_at, previous_in_progress_at), \
                         in_progress_at = NULL, updated_at = $1 WHERE id = $2",
                    )
                    .bind(u.now)
                    .bind(dep.id)
                    .execute(&mut *tx)
                    .await?;
                    activity.push(
                        Self::record_activity(
                            &mut tx,
                            "task.status_changed",
                            &format!("Task moved to inbox: {} (dependency reopened).", dep.title),
                            u.actor_agent_id,
                            Some(dep.id),
                            Some(u.board_id),
                            u.now,
                        )
                        .await?,
                    );
                } else {
                    activity.push(
                        Self::record_activity(
                            &mut tx,
                            "task.updated",
                            &format!("Dependency completion changed: {}.", dep.title),
                            u.actor_agent_id,
                            Some(dep.id),
                            Some(u.board_id),
                            u.now,
                        )
                        .await?,
                    );
                }
                touched.push(dep.id);
            }
        }

        let mut rows = sqlx::query_as::<Db, TaskRow>(sqlx::AssertSqlSafe(format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1")))
            .bind(u.task_id)
            .fetch_all(&mut *tx)
            .await?;
        if !touched.is_empty() {
            let mut q = QueryBuilder::<Db>::new(format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id IN ("));
            push_id_list(&mut q, &touched);
            q.push(")");
            rows.extend(q.build_query_as::<TaskRow>().fetch_all(&mut *tx).await?);
        }
        let mut views = Self::enrich(&mut tx, u.board_id, rows).await?.into_iter();
        let view = views.next().ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(TaskWrite {
            view,
            activity,
            touched: views.collect(),
        })
    }

    pub async fn delete_task(&self, board_id: Uuid, task_id: Uuid) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        Self::lock_board_graph(&mut tx, board_id).await?;
        let exists: Option<Uuid> = sqlx::query_scalar("SELECT id FROM tasks WHERE id = $1 AND board_id = $2")
            .bind(task_id)
            .bind(board_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Ok(false);
        }
        // Approvals whose primary task is this one move to their next linked task, or go.
        let primary: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM approvals WHERE task_id = $1")
            .bind(task_id)
            .fetch_all(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM approval_task_links WHERE task_id = $1")
            .bind(task_id)
            .execute(&mut *tx)
            .await?;
        for approval in primary {
            let next: Option<Uuid> = sqlx::query_scalar(
                "SELECT task_id FROM approval_task_links WHERE approval_id = $1 ORDER BY created_at, id LIMIT 1",
            )
            .bind(approval)
            .fetch_optional(&mut *tx)
            .await?;
            match next {
                Some(next) => {
                    sqlx::query("UPDATE approvals SET task_id = $1 WHERE id = $2")
                        .bind(next)
                        .bind(approval)
                        .execute(&mut *tx)
                        .await?;
                }
                None => {
                    sqlx::query("DELETE FROM approvals WHERE id = $1").bind(approval).execute(&mut *tx).await?;
                }
            }
        }
        for sql in [
            "DELETE FROM activity_events WHERE task_id = $1",
            "DELETE FROM task_dependencies WHERE task_id = $1 OR depends_on_task_id = $1",
            "DELETE FROM tag_assignments WHERE task_id = $1",
            "DELETE FROM task_custom_field_values WHERE task_id = $1",
            "DELETE FROM tasks WHERE id = $1",
        ] {
            sqlx::query(sql).bind(task_id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}
