// The queries, compiled once per backend by `include!` in `store/mod.rs`; `Db`,
// `LOCK_FOR_UPDATE`, `BEGIN_WRITE` and `MIGRATOR` come from the including module.
// Placeholders are `$N` (both backends accept them); values are always bound, never spliced.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;
use sqlx::{Pool, QueryBuilder, Transaction};

use crate::domain::tasks::TaskStatus;

type Tx = Transaction<'static, Db>;

#[derive(Clone)]
pub struct Backend {
    pool: Pool<Db>,
    max_connections: u32,
}

const USER_COLUMNS: &str = "u.id, u.clerk_user_id, u.email, u.name, u.preferred_name, u.pronouns, u.timezone, \
     u.notes, u.context, u.is_super_admin, u.active_organization_id";
const BOARD_COLUMNS: &str = "id, organization_id, name, slug, description, gateway_id, board_group_id, board_type, \
     objective, success_metrics, target_date, goal_confirmed, goal_source, require_approval_for_done, \
     require_review_before_done, comment_required_for_review, block_status_changes_with_pending_approval, \
     only_lead_can_change_status, max_agents, created_at, updated_at";
const AGENT_COLUMNS: &str = "id, organization_id, board_id, gateway_id, name, status, openclaw_session_id, \
     heartbeat_config, identity_profile, identity_template, soul_template, last_seen_at, is_board_lead, \
     created_at, updated_at";
const TASK_COLUMNS: &str = "id, board_id, title, description, status, priority, due_at, in_progress_at, \
     previous_in_progress_at, created_by_user_id, assigned_agent_id, auto_created, auto_reason, created_at, updated_at";
const GATEWAY_COLUMNS: &str = "id, organization_id, name, url, token, workspace_root, disable_device_pairing, \
     allow_insecure_tls, created_at, updated_at";

/// A user row with the (optional) membership in its active organization.
#[derive(sqlx::FromRow)]
struct UserWithMember {
    #[sqlx(flatten)]
    user: UserRow,
    member_id: Option<Uuid>,
    member_role: Option<String>,
    member_all_boards_read: Option<bool>,
    member_all_boards_write: Option<bool>,
}

/// A row of a paged query: the row plus the window total.
#[derive(sqlx::FromRow)]
struct Counted<T> {
    #[sqlx(flatten)]
    row: T,
    total_count: i64,
}

impl Backend {
    pub fn new(pool: Pool<Db>, max_connections: u32) -> Self {
        Self { pool, max_connections }
    }

    pub fn pool_stats(&self) -> PoolStats {
        PoolStats {
            size: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
            max: self.max_connections,
        }
    }

    async fn begin_write(&self) -> StoreResult<Tx> {
        Ok(self.pool.begin_with(BEGIN_WRITE).await?)
    }

    /// Runs a paged query: `sql` selects the rows plus `count(*) OVER () AS total_count`.
    /// When the page is empty the total comes from `count_sql`.
    async fn paged<T>(&self, mut rows: QueryBuilder<Db>, mut count: QueryBuilder<Db>, page: Page) -> StoreResult<Paged<T>>
    where
        T: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
    {
        rows.push(" LIMIT ").push_bind(page.limit).push(" OFFSET ").push_bind(page.offset);
        let found: Vec<Counted<T>> = rows.build_query_as().fetch_all(&self.pool).await?;
        let total = match found.first() {
            Some(first) => first.total_count,
            None if page.offset == 0 => 0,
            None => count.build_query_scalar::<i64>().fetch_one(&self.pool).await?,
        };
        Ok(Paged {
            items: found.into_iter().map(|c| c.row).collect(),
            total,
        })
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR.run(&self.pool).await.map_err(StoreError::Migration)
    }

    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn instance_secret(&self, name: &str, candidate: &str) -> StoreResult<String> {
        sqlx::query("INSERT INTO instance_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(candidate)
            .bind(crate::domain::now())
            .execute(&self.pool)
            .await?;
        Ok(sqlx::query_scalar("SELECT value FROM instance_secrets WHERE name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await?)
    }

    // ---------------------------------------------------------------- identity

    /// The user and their membership in the active organization, in one round trip (this
    /// runs on every authenticated user request).
    pub async fn find_user_context(&self, clerk_user_id: &str) -> StoreResult<Option<UserContext>> {
        let found = sqlx::query_as::<Db, UserWithMember>(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, m.id AS member_id, m.role AS member_role, \
             m.all_boards_read AS member_all_boards_read, m.all_boards_write AS member_all_boards_write \
             FROM users u LEFT JOIN organization_members m \
             ON m.organization_id = u.active_organization_id AND m.user_id = u.id \
             WHERE u.clerk_user_id = $1"
        )))
        .bind(clerk_user_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.map(|row| {
            let member = match (row.user.active_organization_id, row.member_id, row.member_role) {
                (Some(organization_id), Some(id), Some(role)) => Some(MemberRow {
                    id,
                    organization_id,
                    user_id: row.user.id,
                    role,
                    all_boards_read: row.member_all_boards_read.unwrap_or(false),
                    all_boards_write: row.member_all_boards_write.unwrap_or(false),
                }),
                _ => None,
            };
            UserContext { user: row.user, member }
        }))
    }

    pub async fn provision_user(&self, new: &NewUser) -> StoreResult<UserContext> {
        let now = crate::domain::now();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO users (id, clerk_user_id, email, name, is_super_admin, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, false, $5, $5) ON CONFLICT (clerk_user_id) DO NOTHING",
        )
        .bind(Uuid::new_v4())
        .bind(&new.clerk_user_id)
        .bind(&new.email)
        .bind(&new.name)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        // Lock the user row so two first requests do not both create a personal organization.
        let user = sqlx::query_as::<Db, UserRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.clerk_user_id = $1{LOCK_FOR_UPDATE}"
        )))
        .bind(&new.clerk_user_id)
        .fetch_one(&mut *tx)
        .await?;
        let memberships = sqlx::query_as::<Db, MemberRow>(
            "SELECT id, organization_id, user_id, role, all_boards_read, all_boards_write \
             FROM organization_members WHERE user_id = $1 ORDER BY created_at, id",
        )
        .bind(user.id)
        .fetch_all(&mut *tx)
        .await?;
        let member = match user
            .active_organization_id
            .and_then(|org| memberships.iter().find(|m| m.organization_id == org))
        {
            Some(m) => m.clone(),
            None => match memberships.into_iter().next() {
                Some(oldest) => oldest,
                None => {
                    let org_id = Uuid::new_v4();
                    sqlx::query("INSERT INTO organizations (id, name, created_at, updated_at) VALUES ($1, 'Personal', $2, $2)")
                        .bind(org_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    let member = MemberRow {
                        id: Uuid::new_v4(),
                        organization_id: org_id,
                        user_id: user.id,
                        role: "owner".to_owned(),
                        all_boards_read: true,
                        all_boards_write: true,
                    };
                    sqlx::query(
                        "INSERT INTO organization_members (id, organization_id, user_id, role, all_boards_read, \
                         all_boards_write, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                    )
                    .bind(member.id)
                    .bind(member.organization_id)
                    .bind(member.user_id)
                    .bind(&member.role)
                    .bind(member.all_boards_read)
                    .bind(member.all_boards_write)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    member
                }
            },
        };
        let mut user = user;
        if user.active_organization_id != Some(member.organization_id) {
            sqlx::query("UPDATE users SET active_organization_id = $1, updated_at = $2 WHERE id = $3")
                .bind(member.organization_id)
                .bind(now)
                .bind(user.id)
                .execute(&mut *tx)
                .await?;
            user.active_organization_id = Some(member.organization_id);
        }
        tx.commit().await?;
        Ok(UserContext {
            user,
            member: Some(member),
        })
    }

    pub async fn update_user(&self, user_id: Uuid, patch: &UserPatch) -> StoreResult<UserRow> {
        let mut q = QueryBuilder::<Db>::new("UPDATE users SET updated_at = ");
        q.push_bind(crate::domain::now());
        for (column, value) in [
            ("name", &patch.name),
            ("preferred_name", &patch.preferred_name),
            ("pronouns", &patch.pronouns),
            ("timezone", &patch.timezone),
            ("notes", &patch.notes),
            ("context", &patch.context),
        ] {
            if let Some(v) = value {
                q.push(", ").push(column).push(" = ").push_bind(v.clone());
            }
        }
        q.push(" WHERE id = ").push_bind(user_id);
        q.build().execute(&self.pool).await?;
        Ok(sqlx::query_as::<Db, UserRow>(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1")))
            .bind(user_id)
            .fetch_one(&self.pool)
            .await?)
    }

    pub async fn get_organization(&self, id: Uuid) -> StoreResult<Option<OrganizationRow>> {
        Ok(sqlx::query_as::<Db, OrganizationRow>("SELECT id, name, created_at, updated_at FROM organizations WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn board_grant(&self, member_id: Uuid, board_id: Uuid) -> StoreResult<Option<(bool, bool)>> {
        Ok(sqlx::query_as::<Db, (bool, bool)>(
            "SELECT can_read, can_write FROM organization_board_access WHERE organization_member_id = $1 AND board_id = $2",
        )
        .bind(member_id)
        .bind(board_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    // ---------------------------------------------------------------- gateways

    pub async fn list_gateways(&self, organization_id: Uuid, page: Page) -> StoreResult<Paged<GatewayRow>> {
        let mut rows = QueryBuilder::<Db>::new(format!(
            "SELECT {GATEWAY_COLUMNS}, count(*) OVER () AS total_count FROM gateways WHERE organization_id = "
        ));
        rows.push_bind(organization_id).push(" ORDER BY created_at DESC, id");
        let mut count = QueryBuilder::<Db>::new("SELECT count(*) FROM gateways WHERE organization_id = ");
        count.push_bind(organization_id);
        self.paged(rows, count, page).await
    }

    pub async fn insert_gateway(&self, g: &GatewayRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO gateways (id, organization_id, name, url, token, workspace_root, disable_device_pairing, \
             allow_insecure_tls, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(g.id)
        .bind(g.organization_id)
        .bind(&g.name)
        .bind(&g.url)
        .bind(&g.token)
        .bind(&g.workspace_root)
        .bind(g.disable_device_pairing)
        .bind(g.allow_insecure_tls)
        .bind(g.created_at)
        .bind(g.updated_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn get_gateway(&self, organization_id: Uuid, id: Uuid) -> StoreResult<Option<GatewayRow>> {
        Ok(sqlx::query_as::<Db, GatewayRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {GATEWAY_COLUMNS} FROM gateways WHERE id = $1 AND organization_id = $2"
        )))
        .bind(id)
        .bind(organization_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn update_gateway(&self, g: &GatewayRow) -> StoreResult<()> {
        sqlx::query(
            "UPDATE gateways SET name = $1, url = $2, token = $3, workspace_root = $4, disable_device_pairing = $5, \
             allow_insecure_tls = $6, updated_at = $7 WHERE id = $8",
        )
        .bind(&g.name)
        .bind(&g.url)
        .bind(&g.token)
        .bind(&g.workspace_root)
        .bind(g.disable_device_pairing)
        .bind(g.allow_insecure_tls)
        .bind(g.updated_at)
        .bind(g.id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn delete_gateway(&self, organization_id: Uuid, id: Uuid) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let exists: Option<Uuid> = sqlx::query_scalar("SELECT id FROM gateways WHERE id = $1 AND organization_id = $2")
            .bind(id)
            .bind(organization_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Ok(false);
        }
        let boards: i64 = sqlx::query_scalar("SELECT count(*) FROM boards WHERE gateway_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        if boards > 0 {
            return Err(StoreError::Conflict {
                constraint: "boards_gateway_id_fkey".to_owned(),
            });
        }
        // The gateway's own agents (bound to no board) go with it, references cleared first.
        for sql in [
            "UPDATE tasks SET assigned_agent_id = NULL WHERE assigned_agent_id IN \
             (SELECT id FROM agents WHERE gateway_id = $1 AND board_id IS NULL)",
            "UPDATE activity_events SET agent_id = NULL WHERE agent_id IN \
             (SELECT id FROM agents WHERE gateway_id = $1 AND board_id IS NULL)",
            "UPDATE approvals SET agent_id = NULL WHERE agent_id IN \
             (SELECT id FROM agents WHERE gateway_id = $1 AND board_id IS NULL)",
            "DELETE FROM agents WHERE gateway_id = $1 AND board_id IS NULL",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        sqlx::query("DELETE FROM gateways WHERE id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    // ---------------------------------------------------------------- boards

    fn push_board_filter(q: &mut QueryBuilder<Db>, f: &BoardFilter) {
        q.push(" WHERE organization_id = ").push_bind(f.organization_id);
        if let Some(g) = f.gateway_id {
            q.push(" AND gateway_id = ").push_bind(g);
        }
        if let Some(g) = f.board_group_id {
            q.push(" AND board_group_id = ").push_bind(g);
        }
        if let Some(b) = f.only_board {
            q.push(" AND id = ").push_bind(b);
        }
        if let Some(m) = f.granted_to_member {
            q.push(
                " AND id IN (SELECT board_id FROM organization_board_access WHERE (can_read OR can_write) \
                 AND organization_member_id = ",
            )
            .push_bind(m)
            .push(")");
        }
    }

    pub async fn list_boards(&self, f: &BoardFilter, page: Page) -> StoreResult<Paged<BoardRow>> {
        let mut rows = QueryBuilder::<Db>::new(format!("SELECT {BOARD_COLUMNS}, count(*) OVER () AS total_count FROM boards"));
        Self::push_board_filter(&mut rows, f);
        rows.push(" ORDER BY name, created_at, id");
        let mut count = QueryBuilder::<Db>::new("SELECT count(*) FROM boards");
        Self::push_board_filter(&mut count, f);
        self.paged(rows, count, page).await
    }

    pub async fn insert_board(&self, b: &BoardRow) -> StoreResult<()> {
        let mut q = QueryBuilder::<Db>::new(format!("INSERT INTO boards ({BOARD_COLUMNS}) VALUES ("));
        let mut v = q.separated(", ");
        v.push_bind(b.id)
            .push_bind(b.organization_id)
            .push_bind(&b.name)
            .push_bind(&b.slug)
            .push_bind(&b.description)
            .push_bind(b.gateway_id)
            .push_bind(b.board_group_id)
            .push_bind(&b.board_type)
            .push_bind(&b.objective)
            .push_bind(&b.success_metrics)
            .push_bind(b.target_date)
            .push_bind(b.goal_confirmed)
            .push_bind(&b.goal_source)
            .push_bind(b.require_approval_for_done)
            .push_bind(b.require_review_before_done)
            .push_bind(b.comment_required_for_review)
            .push_bind(b.block_status_changes_with_pending_approval)
            .push_bind(b.only_lead_can_change_status)
            .push_bind(b.max_agents)
            .push_bind(b.created_at)
            .push_bind(b.updated_at);
        q.push(")");
        q.build().execute(&self.pool).await?;
        Ok(())
    }

    pub async fn get_board(&self, id: Uuid) -> StoreResult<Option<BoardRow>> {
        Ok(sqlx::query_as::<Db, BoardRow>(sqlx::AssertSqlSafe(format!("SELECT {BOARD_COLUMNS} FROM boards WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn board_group_exists(&self, organization_id: Uuid, id: Uuid) -> StoreResult<bool> {
        let found: Option<Uuid> = sqlx::query_scalar("SELECT id FROM board_groups WHERE id = $1 AND organization_id = $2")
            .bind(id)
            .bind(organization_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(found.is_some())
    }

    pub async fn update_board(&self, b: &BoardRow) -> StoreResult<()> {
        sqlx::query(
            "UPDATE boards SET name = $1, slug = $2, description = $3, gateway_id = $4, board_group_id = $5, \
             board_type = $6, objective = $7, success_metrics = $8, target_date = $9, goal_confirmed = $10, \
             goal_source = $11, require_approval_for_done = $12, require_review_before_done = $13, \
             comment_required_for_review = $14, block_status_changes_with_pending_approval = $15, \
             only_lead_can_change_status = $16, max_agents = $17, updated_at = $18 WHERE id = $19",
        )
        .bind(&b.name)
        .bind(&b.slug)
        .bind(&b.description)
        .bind(b.gateway_id)
        .bind(b.board_group_id)
        .bind(&b.board_type)
        .bind(&b.objective)
        .bind(&b.success_metrics)
        .bind(b.target_date)
        .bind(b.goal_confirmed)
        .bind(&b.goal_source)
        .bind(b.require_approval_for_done)
        .bind(b.require_review_before_done)
        .bind(b.comment_required_for_review)
        .bind(b.block_status_changes_with_pending_approval)
        .bind(b.only_lead_can_change_status)
        .bind(b.max_agents)
        .bind(b.updated_at)
        .bind(b.id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn delete_board(&self, id: Uuid) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let exists: Option<Uuid> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM boards WHERE id = $1{LOCK_FOR_UPDATE}"
        )))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        if exists.is_none() {
            return Ok(false);
        }
        Self::delete_board_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Deletes a board and everything under it inside `tx`. Order matters: children before
    /// parents (there is no ON DELETE CASCADE but one).
    async fn delete_board_in(tx: &mut Tx, id: Uuid) -> StoreResult<()> {
        for sql in [
            "DELETE FROM activity_events WHERE task_id IN (SELECT id FROM tasks WHERE board_id = $1)",
            "DELETE FROM tag_assignments WHERE task_id IN (SELECT id FROM tasks WHERE board_id = $1)",
            "DELETE FROM task_custom_field_values WHERE task_id IN (SELECT id FROM tasks WHERE board_id = $1)",
            "DELETE FROM activity_events WHERE board_id = $1",
            "DELETE FROM task_dependencies WHERE board_id = $1",
            "DELETE FROM approval_task_links WHERE approval_id IN (SELECT id FROM approvals WHERE board_id = $1) \
             OR task_id IN (SELECT id FROM tasks WHERE board_id = $1)",
            "DELETE FROM approvals WHERE board_id = $1",
            "DELETE FROM board_memory WHERE board_id = $1",
            "DELETE FROM board_webhook_payloads WHERE board_id = $1",
            "DELETE FROM board_webhooks WHERE board_id = $1",
            "DELETE FROM organization_board_access WHERE board_id = $1",
            "DELETE FROM organization_invite_board_access WHERE board_id = $1",
            "DELETE FROM board_task_custom_fields WHERE board_id = $1",
            "DELETE FROM tasks WHERE board_id = $1",
            "DELETE FROM activity_events WHERE agent_id IN (SELECT id FROM agents WHERE board_id = $1)",
            "UPDATE tasks SET assigned_agent_id = NULL WHERE assigned_agent_id IN (SELECT id FROM agents WHERE board_id = $1)",
            "DELETE FROM agents WHERE board_id = $1",
            "DELETE FROM boards WHERE id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut **tx).await?;
        }
        Ok(())
    }

    // ---------------------------------------------------------------- agents

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

    pub async fn insert_agent(&self, a: &AgentRow) -> StoreResult<()> {
        let mut q = QueryBuilder::<Db>::new(format!("INSERT INTO agents ({AGENT_COLUMNS}) VALUES ("));
        let mut v = q.separated(", ");
        v.push_bind(a.id)
            .push_bind(a.organization_id)
            .push_bind(a.board_id)
            .push_bind(a.gateway_id)
            .push_bind(&a.name)
            .push_bind(&a.status)
            .push_bind(&a.openclaw_session_id)
            .push_bind(&a.heartbeat_config)
            .push_bind(&a.identity_profile)
            .push_bind(&a.identity_template)
            .push_bind(&a.soul_template)
            .push_bind(a.last_seen_at)
            .push_bind(a.is_board_lead)
            .push_bind(a.created_at)
            .push_bind(a.updated_at);
        q.push(")");
        q.build().execute(&self.pool).await?;
        Ok(())
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

    pub async fn record_heartbeat(&self, id: Uuid, now: NaiveDateTime) -> StoreResult<AgentRow> {
        const SET_ONLINE: &str = "last_seen_at = $1, updated_at = $1, \
             status = CASE WHEN status IN ('updating', 'deleting') THEN status ELSE 'online' END";
        const MESSAGE: &str = "'Heartbeat received from ' || name || '.'";
        if ONE_STATEMENT_HEARTBEAT {
            // One round trip. Presence is refreshed by the next heartbeat, so this commit
            // need not wait for a disk flush (the setting is local to its transaction).
            return Ok(sqlx::query_as::<Db, AgentRow>(sqlx::AssertSqlSafe(format!(
                "WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true) AS v), \
                 seen AS (UPDATE agents SET {SET_ONLINE} \
                   WHERE id = $2 AND EXISTS (SELECT 1 FROM relaxed) RETURNING {AGENT_COLUMNS}), \
                 logged AS (INSERT INTO activity_events (id, event_type, message, agent_id, task_id, board_id, created_at) \
                   SELECT $3, 'agent.heartbeat', {MESSAGE}, id, NULL, board_id, $1 FROM seen) \
                 SELECT {AGENT_COLUMNS} FROM seen"
            )))
            .bind(now)
            .bind(id)
            .bind(Uuid::new_v4())
            .fetch_one(&self.pool)
            .await?);
        }
        let mut tx = self.begin_write().await?;
        let agent = sqlx::query_as::<Db, AgentRow>(sqlx::AssertSqlSafe(format!(
            "UPDATE agents SET {SET_ONLINE} WHERE id = $2 RETURNING {AGENT_COLUMNS}"
        )))
        .bind(now)
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO activity_events (id, event_type, message, agent_id, task_id, board_id, created_at) \
             SELECT $1, 'agent.heartbeat', {MESSAGE}, id, NULL, board_id, $2 FROM agents WHERE id = $3"
        )))
        .bind(Uuid::new_v4())
        .bind(now)
        .bind(agent.id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(agent)
    }

    // ---------------------------------------------------------------- tasks

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

    pub async fn list_tasks(&self, board_id: Uuid, f: &TaskFilter, page: Page) -> StoreResult<Paged<TaskView>> {
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

    pub async fn get_task(&self, board_id: Uuid, task_id: Uuid) -> StoreResult<Option<TaskView>> {
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

    /// Adds the read-model joins to a page of tasks in one query, whatever the page size:
    /// dependencies with their status, tags, custom fields.
    async fn enrich(conn: &mut <Db as sqlx::Database>::Connection, board_id: Uuid, tasks: Vec<TaskRow>) -> StoreResult<Vec<TaskView>> {
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
                TaskView {
                    depends_on_task_ids: deps.into_iter().map(|(d, _)| d).collect(),
                    blocked_by_task_ids,
                    tags: tag_map.remove(&task.id).unwrap_or_default(),
                    custom_field_values: custom,
                    task,
                }
            })
            .collect())
    }

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

    async fn record_activity(
        tx: &mut Tx,
        event_type: &str,
        message: &str,
        agent_id: Option<Uuid>,
        task_id: Option<Uuid>,
        board_id: Option<Uuid>,
        now: NaiveDateTime,
    ) -> StoreResult<ActivityRow> {
        let row = ActivityRow {
            id: Uuid::new_v4(),
            event_type: event_type.to_owned(),
            message: Some(message.to_owned()),
            agent_id,
            task_id,
            board_id,
            created_at: now,
        };
        sqlx::query(
            "INSERT INTO activity_events (id, event_type, message, agent_id, task_id, board_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(row.id)
        .bind(&row.event_type)
        .bind(&row.message)
        .bind(row.agent_id)
        .bind(row.task_id)
        .bind(row.board_id)
        .bind(row.created_at)
        .execute(&mut **tx)
        .await?;
        Ok(row)
    }

    /// Records the gateway notifications a write would send (see `domain::notifications`).
    async fn record_intents(
        tx: &mut Tx,
        intents: Vec<crate::domain::notifications::NotifyIntent>,
        task_id: Option<Uuid>,
        board_id: Uuid,
        now: NaiveDateTime,
    ) -> StoreResult<Vec<ActivityRow>> {
        let mut rows = Vec::with_capacity(intents.len());
        for i in intents {
            rows.push(
                Self::record_activity(tx, i.event_type, &i.message, Some(i.agent_id), task_id, Some(board_id), now).await?,
            );
        }
        Ok(rows)
    }

    async fn board_lead(tx: &mut Tx, board_id: Uuid) -> StoreResult<Option<Uuid>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM agents WHERE board_id = $1 AND is_board_lead ORDER BY created_at, id LIMIT 1")
                .bind(board_id)
                .fetch_optional(&mut **tx)
                .await?,
        )
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
    default_value: Option<sqlx::types::Json<Value>>,
    value: Option<sqlx::types::Json<Value>>,
}

fn push_id_list(q: &mut QueryBuilder<Db>, ids: &[Uuid]) {
    let mut list = q.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
}
