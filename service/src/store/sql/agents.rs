// Agents: registry, tokens, deletion, heartbeat configuration and change feed. The heartbeat itself is per backend (`pg.rs`, `lite.rs`).
// Included in both backend modules (see `shared_sql!` in `store/mod.rs`).

const AGENT_COLUMNS: &str = "id, organization_id, board_id, gateway_id, name, status, openclaw_session_id, \
     heartbeat_config, identity_profile, identity_template, soul_template, last_seen_at, is_board_lead, \
     created_at, updated_at";

/// The `SET` list of a heartbeat: `$1` now, `$2` the agent (in `WHERE`), `$3`/`$4` the statuses
/// a heartbeat keeps and `$5` the one it writes otherwise, bound from
/// `domain::agents::status_after_heartbeat`'s constants so the rule lives in one place.
const HEARTBEAT_SET: &str = "last_seen_at = $1, updated_at = $1, wake_attempts = 0, checkin_deadline_at = NULL, status = CASE WHEN status IN ($3, $4) THEN status ELSE $5 END";

/// What a heartbeat writes, decided by `domain::agents`; each backend's statement binds it.
struct HeartbeatBinds {
    now: NaiveDateTime,
    id: Uuid,
    kept: [&'static str; 2],
    online: &'static str,
    event_type: &'static str,
    message_prefix: &'static str,
    message_suffix: &'static str,
}

fn heartbeat_facts(now: NaiveDateTime, id: Uuid) -> HeartbeatBinds {
    use crate::domain::agents::{HEARTBEAT_EVENT, HEARTBEAT_MESSAGE_PARTS, ONLINE, STATUSES_KEPT_BY_HEARTBEAT};
    HeartbeatBinds {
        now,
        id,
        kept: STATUSES_KEPT_BY_HEARTBEAT,
        online: ONLINE,
        event_type: HEARTBEAT_EVENT,
        message_prefix: HEARTBEAT_MESSAGE_PARTS.0,
        message_suffix: HEARTBEAT_MESSAGE_PARTS.1,
    }
}

impl Backend {
    fn push_agent_filter(q: &mut QueryBuilder<Db>, f: &AgentFilter) {
        q.push(" WHERE organization_id = ").push_bind(f.organization_id);
        if let Some(b) = f.board_id {
            q.push(" AND board_id = ").push_bind(b);
        }
        if let Some(g) = f.gateway_id {
            q.push(" AND gateway_id = ").push_bind(g);
        }
    }

    pub async fn list_agents(&self, f: &AgentFilter, page: Page) -> StoreResult<Paged<AgentRow>> {
        let mut rows = QueryBuilder::<Db>::new(format!("SELECT {AGENT_COLUMNS}, count(*) OVER () AS total_count FROM agents"));
        Self::push_agent_filter(&mut rows, f);
        rows.push(" ORDER BY created_at DESC, id");
        let mut count = QueryBuilder::<Db>::new("SELECT count(*) FROM agents");
        Self::push_agent_filter(&mut count, f);
        self.paged(rows, count, page).await
    }

    /// The INSERT of an agent row.
    fn agent_insert(a: &AgentRow) -> QueryBuilder<Db> {
        let mut q = QueryBuilder::<Db>::new(format!("INSERT INTO agents ({AGENT_COLUMNS}) VALUES ("));
        let mut v = q.separated(", ");
        v.push_bind(a.id)
            .push_bind(a.organization_id)
            .push_bind(a.board_id)
            .push_bind(a.gateway_id)
            .push_bind(&a.name)
            .push_bind(&a.status)
            .push_bind(&a.openclaw_session_id)
            .push_bind(a.heartbeat_config.as_ref().map(Json))
            .push_bind(a.identity_profile.as_ref().map(Json))
            .push_bind(&a.identity_template)
            .push_bind(&a.soul_template)
            .push_bind(a.last_seen_at)
            .push_bind(a.is_board_lead)
            .push_bind(a.created_at)
            .push_bind(a.updated_at);
        q.push(")");
        q
    }

    pub async fn insert_agent(&self, a: &AgentRow) -> StoreResult<()> {
        Self::agent_insert(a).build().execute(&self.pool).await?;
        Ok(())
    }

    /// Inserts a worker unless its board already has `max_agents` non-lead agents; the count
    /// and the insert happen under the board's row lock, so concurrent creates cannot overshoot.
    pub async fn insert_agent_within(&self, a: &AgentRow, max_agents: i32) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let board = a.board_id.ok_or(StoreError::NotFound)?;
        let _: Option<Uuid> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM boards WHERE id = $1{LOCK_FOR_UPDATE}"
        )))
        .bind(board)
        .fetch_optional(&mut *tx)
        .await?;
        let workers: i64 = sqlx::query_scalar("SELECT count(*) FROM agents WHERE board_id = $1 AND NOT is_board_lead")
            .bind(board)
            .fetch_one(&mut *tx)
            .await?;
        if !crate::domain::agents::worker_slot_free(workers, max_agents) {
            return Ok(false);
        }
        Self::agent_insert(a).build().execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn get_agent(&self, id: Uuid) -> StoreResult<Option<AgentRow>> {
        Ok(sqlx::query_as::<Db, AgentRow>(sqlx::AssertSqlSafe(format!("SELECT {AGENT_COLUMNS} FROM agents WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn agent_name_taken(&self, organization_id: Uuid, board_id: Option<Uuid>, name: &str) -> StoreResult<bool> {
        let mut q = QueryBuilder::<Db>::new("SELECT count(*) FROM agents WHERE organization_id = ");
        q.push_bind(organization_id).push(" AND lower(name) = ").push_bind(name.to_lowercase());
        match board_id {
            Some(b) => q.push(" AND board_id = ").push_bind(b),
            None => q.push(" AND board_id IS NULL"),
        };
        Ok(q.build_query_scalar::<i64>().fetch_one(&self.pool).await? > 0)
    }

    pub async fn delete_agent(&self, id: Uuid, now: NaiveDateTime) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let found: Option<(String, Option<Uuid>)> = sqlx::query_as("SELECT name, board_id FROM agents WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((name, board_id)) = found else {
            return Ok(false);
        };
        sqlx::query(
            "UPDATE tasks SET status = 'inbox', assigned_agent_id = NULL, previous_in_progress_at = in_progress_at, \
             in_progress_at = NULL, updated_at = $1 WHERE assigned_agent_id = $2 AND status = 'in_progress'",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE tasks SET assigned_agent_id = NULL, updated_at = $1 WHERE assigned_agent_id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for sql in [
            "UPDATE activity_events SET agent_id = NULL WHERE agent_id = $1",
            "UPDATE approvals SET agent_id = NULL WHERE agent_id = $1",
            "UPDATE board_webhooks SET agent_id = NULL WHERE agent_id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        // The record of the deletion outlives the agent, so it names it rather than links it.
        sqlx::query(
            "INSERT INTO activity_events (id, event_type, message, agent_id, task_id, board_id, created_at) \
             VALUES ($1, 'agent.delete.direct', $2, NULL, NULL, $3, $4)",
        )
        .bind(Uuid::new_v4())
        .bind(format!("Deleted agent {name}."))
        .bind(board_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM agents WHERE id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Writes the agent's editable fields, its status and `updated_at`.
    pub async fn update_agent(&self, a: &AgentRow) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE agents SET name = $1, board_id = $2, gateway_id = $3, status = $4, heartbeat_config = $5, \
             identity_profile = $6, identity_template = $7, soul_template = $8, is_board_lead = $9, updated_at = $10 \
             WHERE id = $11",
        )
        .bind(&a.name)
        .bind(a.board_id)
        .bind(a.gateway_id)
        .bind(&a.status)
        .bind(a.heartbeat_config.as_ref().map(Json))
        .bind(a.identity_profile.as_ref().map(Json))
        .bind(&a.identity_template)
        .bind(&a.soul_template)
        .bind(a.is_board_lead)
        .bind(a.updated_at)
        .bind(a.id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The board's lead other than `except`, if any.
    pub async fn board_lead_id(&self, board_id: Uuid, except: Option<Uuid>) -> StoreResult<Option<Uuid>> {
        let mut q = QueryBuilder::<Db>::new("SELECT id FROM agents WHERE is_board_lead AND board_id = ");
        q.push_bind(board_id);
        if let Some(e) = except {
            q.push(" AND id <> ").push_bind(e);
        }
        q.push(" LIMIT 1");
        Ok(q.build_query_scalar::<Uuid>().fetch_optional(&self.pool).await?)
    }

    /// How many agents on the board are not its lead.
    /// The organization's agent of that name (case-insensitive) on the board, or bound to no board.
    pub async fn find_agent_by_name(&self, organization_id: Uuid, board_id: Option<Uuid>, name: &str) -> StoreResult<Option<AgentRow>> {
        let mut q = QueryBuilder::<Db>::new(format!("SELECT {AGENT_COLUMNS} FROM agents WHERE organization_id = "));
        q.push_bind(organization_id).push(" AND lower(name) = ").push_bind(name.to_lowercase());
        match board_id {
            Some(b) => q.push(" AND board_id = ").push_bind(b),
            None => q.push(" AND board_id IS NULL"),
        };
        q.push(" ORDER BY created_at, id LIMIT 1");
        Ok(q.build_query_as().fetch_optional(&self.pool).await?)
    }

    /// Presence touch: marks the agent seen at `now` (and online, unless updating or deleting)
    /// only when it was never seen or last seen before `stale_before`; whether it wrote.
    pub async fn touch_agent_presence(&self, id: Uuid, now: NaiveDateTime, stale_before: NaiveDateTime) -> StoreResult<bool> {
        use crate::domain::agents::{ONLINE, STATUSES_KEPT_BY_HEARTBEAT};
        let done = sqlx::query(
            "UPDATE agents SET last_seen_at = $1, status = CASE WHEN status IN ($3, $4) THEN status ELSE $5 END \
             WHERE id = $2 AND (last_seen_at IS NULL OR last_seen_at < $6)",
        )
        .bind(now)
        .bind(id)
        .bind(STATUSES_KEPT_BY_HEARTBEAT[0])
        .bind(STATUSES_KEPT_BY_HEARTBEAT[1])
        .bind(ONLINE)
        .bind(stale_before)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn set_agent_token_hash(&self, id: Uuid, hash: &str, now: NaiveDateTime) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE agents SET agent_token_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(hash)
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn find_agent_by_token_hash(&self, hash: &str) -> StoreResult<Option<AgentRow>> {
        Ok(sqlx::query_as::<Db, AgentRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {AGENT_COLUMNS} FROM agents WHERE agent_token_hash = $1"
        )))
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Agents of the organization (optionally one board) changed or seen at or after `since`.
    pub async fn agents_since(&self, organization_id: Uuid, board_id: Option<Uuid>, since: NaiveDateTime) -> StoreResult<Vec<AgentRow>> {
        let mut q = QueryBuilder::<Db>::new(format!("SELECT {AGENT_COLUMNS} FROM agents WHERE organization_id = "));
        q.push_bind(organization_id);
        if let Some(b) = board_id {
            q.push(" AND board_id = ").push_bind(b);
        }
        q.push(" AND (updated_at >= ").push_bind(since).push(" OR last_seen_at >= ").push_bind(since).push(")");
        q.push(" ORDER BY updated_at, id LIMIT 2000");
        Ok(q.build_query_as().fetch_all(&self.pool).await?)
    }

    /// Every agent of a gateway (its main agent first, then board agents oldest first).
    pub async fn gateway_agents(&self, gateway_id: Uuid) -> StoreResult<Vec<AgentRow>> {
        Ok(sqlx::query_as::<Db, AgentRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {AGENT_COLUMNS} FROM agents WHERE gateway_id = $1 \
             ORDER BY CASE WHEN board_id IS NULL THEN 0 ELSE 1 END, created_at, id"
        )))
        .bind(gateway_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The agents of one board, oldest first.
    pub async fn board_agents(&self, board_id: Uuid) -> StoreResult<Vec<AgentRow>> {
        Ok(sqlx::query_as::<Db, AgentRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {AGENT_COLUMNS} FROM agents WHERE board_id = $1 ORDER BY created_at, id"
        )))
        .bind(board_id)
        .fetch_all(&self.pool)
        .await?)
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
                .bind(Json(config))
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
