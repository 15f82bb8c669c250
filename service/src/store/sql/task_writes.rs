// Task writes: the store loads the facts under the board lock, the domain plans, the store writes the plan.
// Included in both backend modules (see `shared_sql!` in `store/mod.rs`).

use crate::domain::task_plans::{
    CreateFacts, Dependent, NewTaskRequest, PlannedActivity, affects_dependents, check_tags, plan_create, plan_dependents,
    plan_update_activity,
};

/// A stored task status; anything else is corrupt data (logged with the request as a 500),
/// never silently read as `inbox`.
fn stored_status(task_id: Uuid, stored: &str) -> StoreResult<TaskStatus> {
    TaskStatus::parse(stored).ok_or_else(|| StoreError::Corrupt(format!("task {task_id} has unknown status {stored:?}")))
}

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
        let statuses = statuses
            .into_iter()
            .map(|(id, s)| Ok((id, stored_status(id, &s)?)))
            .collect::<StoreResult<_>>()?;
        Ok((statuses, edges))
    }

    /// Which of `tag_ids` are tags of the organization.
    async fn found_tags(tx: &mut Tx, organization_id: Uuid, tag_ids: &[Uuid]) -> StoreResult<Vec<Uuid>> {
        if tag_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Db>::new("SELECT id FROM tags WHERE organization_id = ");
        q.push_bind(organization_id).push(" AND id IN (");
        push_id_list(&mut q, tag_ids);
        q.push(")");
        Ok(q.build_query_scalar::<Uuid>().fetch_all(&mut **tx).await?)
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

    /// The board of an agent of the organization: `None` when there is no such agent.
    async fn assignee_board(tx: &mut Tx, organization_id: Uuid, agent: Uuid) -> StoreResult<Option<Option<Uuid>>> {
        Ok(sqlx::query_scalar("SELECT board_id FROM agents WHERE id = $1 AND organization_id = $2")
            .bind(agent)
            .bind(organization_id)
            .fetch_optional(&mut **tx)
            .await?)
    }

    /// Writes planned activity rows on a board; notifications go through `record_intents`.
    async fn record_planned(
        tx: &mut Tx,
        planned: Vec<PlannedActivity>,
        board_id: Uuid,
        now: NaiveDateTime,
    ) -> StoreResult<Vec<ActivityRow>> {
        let mut rows = Vec::with_capacity(planned.len());
        for a in planned {
            match a.notify {
                Some(intent) => rows.extend(Self::record_intents(tx, vec![intent], Some(a.task_id), board_id, now).await?),
                None => rows.push(
                    Self::record_activity(tx, a.event_type, &a.message, a.agent_id, Some(a.task_id), Some(board_id), now).await?,
                ),
            }
        }
        Ok(rows)
    }

    /// Loads the board's facts under its lock, asks `domain::task_plans::plan_create` what to
    /// write, and writes the task, its dependencies, tags, values and activity.
    pub async fn create_task(&self, t: &NewTask) -> StoreResult<TaskChange> {
        let mut tx = self.begin_write().await?;
        let (board_statuses, board_edges) = Self::lock_board_graph(&mut tx, t.board_id).await?;
        let assignee_board = match t.assigned_agent_id {
            Some(agent) => Self::assignee_board(&mut tx, t.organization_id, agent).await?,
            None => None,
        };
        let facts = CreateFacts {
            board_statuses,
            board_edges,
            assignee_board,
            found_tags: Self::found_tags(&mut tx, t.organization_id, &t.tag_ids).await?,
            board_lead: Self::board_lead(&mut tx, t.board_id).await?,
        };
        let request = NewTaskRequest {
            id: t.id,
            board_id: t.board_id,
            title: &t.title,
            status: t.status,
            assigned_agent_id: t.assigned_agent_id,
            depends_on_task_ids: &t.depends_on_task_ids,
            tag_ids: &t.tag_ids,
            actor_agent_id: t.actor_agent_id,
        };
        let plan = plan_create(&request, &facts, t.now)?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO tasks ({TASK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10, $12, $13, $11, $11)"
        )))
        .bind(t.id)
        .bind(t.board_id)
        .bind(&t.title)
        .bind(&t.description)
        .bind(t.status.as_str())
        .bind(&t.priority)
        .bind(t.due_at)
        .bind(plan.in_progress_at)
        .bind(t.created_by_user_id)
        .bind(t.assigned_agent_id)
        .bind(t.now)
        .bind(t.auto_reason.is_some())
        .bind(&t.auto_reason)
        .execute(&mut *tx)
        .await?;
        Self::replace_dependencies(&mut tx, t.board_id, t.id, &plan.depends_on_task_ids, t.now).await?;
        Self::replace_tags(&mut tx, t.id, &t.tag_ids, t.now).await?;
        Self::write_custom_values(&mut tx, t.id, &t.custom_field_values, t.now).await?;
        let activity = Self::record_planned(&mut tx, plan.activity, t.board_id, t.now).await?;
        let row = sqlx::query_as::<Db, TaskRow>(sqlx::AssertSqlSafe(format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1")))
            .bind(t.id)
            .fetch_one(&mut *tx)
            .await?;
        let view = Self::enrich(&mut tx, t.board_id, vec![row]).await?.pop().ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(TaskChange {
            view,
            activity,
            touched: Vec::new(),
        })
    }

    pub async fn update_task(
        &self,
        u: &TaskUpdate,
        plan: &PlanFn,
    ) -> StoreResult<TaskChange> {
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
        // The board's agents, and the requested assignee when it is in the organization.
        let agents: Vec<(Uuid, Option<Uuid>, bool)> = sqlx::query_as(
            "SELECT id, board_id, is_board_lead FROM agents WHERE organization_id = $1 AND (board_id = $2 OR id = $3)",
        )
        .bind(u.organization_id)
        .bind(u.board_id)
        .bind(u.assignee)
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
            status: stored_status(row.id, &row.status)?,
            assigned_agent_id: row.assigned_agent_id,
            in_progress_at: row.in_progress_at,
            previous_in_progress_at: row.previous_in_progress_at,
        };
        let decided = plan(&state, &ordered_deps, &facts)?;
        if let Some(tags) = &u.tag_ids {
            check_tags(tags, &Self::found_tags(&mut tx, u.organization_id, tags).await?)?;
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
        let planned = plan_update_activity(&state, &decided, &title, u.comment.as_deref(), facts.board_lead, u.actor_agent_id);
        let mut activity = Self::record_planned(&mut tx, planned, u.board_id, u.now).await?;

        // Dependents react when this task enters or leaves `done` (`domain::task_plans`).
        let mut touched = Vec::new();
        if affects_dependents(state.status, decided.status) {
            let dependents = sqlx::query_as::<Db, TaskRow>(sqlx::AssertSqlSafe(format!(
                "SELECT {TASK_COLUMNS} FROM tasks WHERE id IN \
                 (SELECT task_id FROM task_dependencies WHERE depends_on_task_id = $1) ORDER BY created_at, id"
            )))
            .bind(u.task_id)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|d| {
                Ok(Dependent {
                    state: TaskState {
                        id: d.id,
                        status: stored_status(d.id, &d.status)?,
                        assigned_agent_id: d.assigned_agent_id,
                        in_progress_at: d.in_progress_at,
                        previous_in_progress_at: d.previous_in_progress_at,
                    },
                    title: d.title,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
            for change in plan_dependents(state.status, decided.status, &dependents, u.actor_agent_id) {
                if let Some(reset) = change.reset_to {
                    sqlx::query(
                        "UPDATE tasks SET status = $1, assigned_agent_id = $2, in_progress_at = $3, \
                         previous_in_progress_at = $4, updated_at = $5 WHERE id = $6",
                    )
                    .bind(reset.status.as_str())
                    .bind(reset.assigned_agent_id)
                    .bind(reset.in_progress_at)
                    .bind(reset.previous_in_progress_at)
                    .bind(u.now)
                    .bind(change.id)
                    .execute(&mut *tx)
                    .await?;
                }
                activity.extend(Self::record_planned(&mut tx, vec![change.activity], u.board_id, u.now).await?);
                touched.push(change.id);
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
        Ok(TaskChange {
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

    /// Claims an unassigned task for `agent_id`: one conditional statement that succeeds only
    /// while the task is still unassigned and in `from`, so of any number of racing claims
    /// exactly one wins, on both backends and across replicas. The winner's write records its
    /// `task.status_changed` row in the same transaction; `None`: someone else won (or the task
    /// moved on), and the caller reads the task to name the conflict.
    pub async fn claim_task(
        &self,
        board_id: Uuid,
        task_id: Uuid,
        agent_id: Uuid,
        from: TaskStatus,
        now: NaiveDateTime,
    ) -> StoreResult<Option<ActivityRow>> {
        let mut tx = self.begin_write().await?;
        let title: Option<String> = sqlx::query_scalar(
            "UPDATE tasks SET status = 'in_progress', assigned_agent_id = $1, in_progress_at = $2, updated_at = $2 \
             WHERE id = $3 AND board_id = $4 AND assigned_agent_id IS NULL AND status = $5 RETURNING title",
        )
        .bind(agent_id)
        .bind(now)
        .bind(task_id)
        .bind(board_id)
        .bind(from.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(title) = title else {
            return Ok(None);
        };
        let message = crate::domain::agent_rules::claim_message(&title);
        let row =
            Self::record_activity(&mut tx, "task.status_changed", &message, Some(agent_id), Some(task_id), Some(board_id), now)
                .await?;
        tx.commit().await?;
        Ok(Some(row))
    }
}
