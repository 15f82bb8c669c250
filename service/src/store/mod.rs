//! The storage seam: the only code that speaks SQL. It loads facts and writes what the domain
//! decided; business rules live in `crate::domain`.
//!
//! One set of queries, one file per resource under `sql/`, is compiled twice (listed once in
//! [`shared_sql!`]), once per backend with concrete types (`Postgres` in `pg.rs`, `Sqlite` in
//! `lite.rs`), so both backends have exactly one behaviour. Small differences are `const`s in
//! the backend module; statements only one backend has live in its file. Rows (`rows/`) are
//! plain structs filled by `FromRow`; callers get them or a [`StoreError`].

mod error;
mod rows;

pub use error::{Constraint, StoreError, StoreResult};
pub use rows::*;

use std::str::FromStr;
use std::time::Duration;

use chrono::NaiveDateTime;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use uuid::Uuid;

use crate::config::DatabaseConfig;

use crate::domain::tasks::{TaskPlan, TaskRuleError, TaskState, TaskStatus, UpdateFacts};
use crate::domain::{Page, Paged, Role};

/// Decides a task update from the loaded task, its ordered dependencies and the facts around
/// it; runs inside the update's transaction.
pub type PlanFn = dyn Fn(&TaskState, &[Uuid], &UpdateFacts) -> Result<TaskPlan, TaskRuleError> + Sync;

/// The SQL both backends share, one file per resource: listed once here and compiled into
/// each backend module with its own `Db`, so the two lists cannot drift. SQL that only one
/// backend has lives in `pg.rs` or `lite.rs`.
macro_rules! shared_sql {
    () => {
        include!("sql/backend.rs");
        include!("sql/users.rs");
        include!("sql/organizations.rs");
        include!("sql/members.rs");
        include!("sql/invites.rs");
        include!("sql/gateways.rs");
        include!("sql/boards.rs");
        include!("sql/agents.rs");
        include!("sql/task_reads.rs");
        include!("sql/task_writes.rs");
        include!("sql/activity.rs");
        include!("sql/dashboard.rs");
        include!("sql/tags.rs");
        include!("sql/custom_fields.rs");
        include!("sql/board_groups.rs");
        include!("sql/approvals.rs");
        include!("sql/memory.rs");
        include!("sql/group_memory.rs");
        include!("sql/stale_claims.rs");
        include!("sql/webhooks.rs");
        include!("sql/skills.rs");
        include!("sql/jobs.rs");
        include!("sql/lifecycle.rs");
    };
}

mod lite;
mod pg;

/// A database, PostgreSQL or SQLite, picked from `DATABASE_URL` at start.
#[derive(Clone)]
pub enum Store {
    Postgres(pg::Backend),
    Sqlite(lite::Backend),
}

/// A pooled connection idle longer than this is pinged before use.
const IDLE_PING_AFTER: Duration = Duration::from_millis(500);

/// Pool figures for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

impl Store {
    /// Connects (lazily for PostgreSQL, so a down database does not stop the process) and
    /// returns the store. SQLite creates its file and directory.
    pub async fn connect(config: &DatabaseConfig, max_connections: u32) -> StoreResult<Self> {
        match config {
            DatabaseConfig::Postgres { url } => {
                let pool = PgPoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(Duration::from_secs(5))
                    // Ping only connections that sat idle (one may have died with the
                    // server); busy ones skip the extra round trip on every query.
                    .test_before_acquire(false)
                    .before_acquire(|conn, meta| {
                        Box::pin(async move {
                            if meta.idle_for > IDLE_PING_AFTER {
                                sqlx::Connection::ping(conn).await?;
                            }
                            Ok(true)
                        })
                    })
                    .connect_lazy(url.expose())?;
                Ok(Store::Postgres(pg::Backend::new(pool, max_connections)))
            }
            DatabaseConfig::Sqlite { path } => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| StoreError::Unavailable(sqlx::Error::Io(e)))?;
                }
                let options = SqliteConnectOptions::from_str("sqlite:")?
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5));
                let pool = SqlitePoolOptions::new()
                    .max_connections(max_connections)
                    .test_before_acquire(false)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(options)
                    .await?;
                Ok(Store::Sqlite(lite::Backend::new(pool, max_connections)))
            }
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Store::Postgres(_) => "postgres",
            Store::Sqlite(_) => "sqlite",
        }
    }

    pub fn pool_stats(&self) -> PoolStats {
        match self {
            Store::Postgres(b) => b.pool_stats(),
            Store::Sqlite(b) => b.pool_stats(),
        }
    }
}

/// Forwards each listed method to the backend in use.
macro_rules! delegate {
    ($( $(#[$doc:meta])* pub async fn $name:ident(&self $(, $arg:ident : $ty:ty)* $(,)?) -> $ret:ty; )*) => {
        impl Store {
            $(
                $(#[$doc])*
                pub async fn $name(&self $(, $arg: $ty)*) -> $ret {
                    match self {
                        Store::Postgres(b) => b.$name($($arg),*).await,
                        Store::Sqlite(b) => b.$name($($arg),*).await,
                    }
                }
            )*
        }
    };
}

delegate! {
    /// Applies pending migrations.
    pub async fn migrate(&self) -> StoreResult<()>;
    /// A cheap round trip for readiness.
    pub async fn ping(&self) -> StoreResult<()>;
    /// Reads a named instance secret, creating it from `candidate` when absent (first writer wins).
    pub async fn instance_secret(&self, name: &str, candidate: &str) -> StoreResult<String>;

    pub async fn find_user_context(&self, clerk_user_id: &str) -> StoreResult<Option<UserContext>>;
    /// Creates the user (if new), its personal organization and membership when it has none,
    /// and fixes a dangling active organization.
    pub async fn provision_user(&self, user: &NewUser) -> StoreResult<UserContext>;
    pub async fn update_user(&self, user_id: Uuid, patch: &UserPatch) -> StoreResult<UserRow>;
    pub async fn get_organization(&self, id: Uuid) -> StoreResult<Option<OrganizationRow>>;
    /// Per-board grant of a member: `(can_read, can_write)`.
    pub async fn board_grant(&self, member_id: Uuid, board_id: Uuid) -> StoreResult<Option<(bool, bool)>>;

    pub async fn list_gateways(&self, organization_id: Uuid, page: Page) -> StoreResult<Paged<GatewayRow>>;
    pub async fn insert_gateway(&self, row: &GatewayRow) -> StoreResult<()>;
    pub async fn get_gateway(&self, organization_id: Uuid, id: Uuid) -> StoreResult<Option<GatewayRow>>;
    pub async fn update_gateway(&self, row: &GatewayRow) -> StoreResult<()>;
    /// Deletes a gateway with its own (board-less) agents; refused with a conflict while
    /// boards still use it.
    pub async fn delete_gateway(&self, organization_id: Uuid, id: Uuid) -> StoreResult<bool>;

    pub async fn list_boards(&self, filter: &BoardFilter, page: Page) -> StoreResult<Paged<BoardRow>>;
    pub async fn insert_board(&self, row: &BoardRow) -> StoreResult<()>;
    pub async fn get_board(&self, id: Uuid) -> StoreResult<Option<BoardRow>>;
    pub async fn board_group_exists(&self, organization_id: Uuid, id: Uuid) -> StoreResult<bool>;
    pub async fn update_board(&self, row: &BoardRow) -> StoreResult<()>;
    /// Deletes a board and everything that hangs off it, in one transaction.
    pub async fn delete_board(&self, id: Uuid) -> StoreResult<bool>;

    pub async fn list_agents(&self, filter: &AgentFilter, page: Page) -> StoreResult<Paged<AgentRow>>;
    pub async fn insert_agent(&self, row: &AgentRow) -> StoreResult<()>;
    pub async fn get_agent(&self, id: Uuid) -> StoreResult<Option<AgentRow>>;
    /// Inserts a worker unless its board has `max_agents` non-lead agents already (false).
    pub async fn insert_agent_within(&self, row: &AgentRow, max_agents: i32) -> StoreResult<bool>;
    pub async fn agent_name_taken(&self, organization_id: Uuid, board_id: Option<Uuid>, name: &str) -> StoreResult<bool>;
    /// Deletes an agent: its in-progress tasks go back to the inbox, other tasks are
    /// unassigned, activity references are nulled.
    pub async fn delete_agent(&self, id: Uuid, now: NaiveDateTime) -> StoreResult<bool>;
    pub async fn set_agent_token_hash(&self, id: Uuid, hash: &str, now: NaiveDateTime) -> StoreResult<bool>;
    pub async fn find_agent_by_token_hash(&self, hash: &str) -> StoreResult<Option<AgentRow>>;
    pub async fn update_agent(&self, row: &AgentRow) -> StoreResult<bool>;
    /// The board's lead other than `except`, if any.
    pub async fn board_lead_id(&self, board_id: Uuid, except: Option<Uuid>) -> StoreResult<Option<Uuid>>;
    pub async fn find_agent_by_name(&self, organization_id: Uuid, board_id: Option<Uuid>, name: &str) -> StoreResult<Option<AgentRow>>;
    /// Marks the agent seen (and online unless updating/deleting) when last seen before
    /// `stale_before` or never; whether it wrote.
    pub async fn touch_agent_presence(&self, id: Uuid, now: NaiveDateTime, stale_before: NaiveDateTime) -> StoreResult<bool>;
    /// Marks the agent online and seen now, and records an `agent.heartbeat` activity row.
    pub async fn record_heartbeat(&self, id: Uuid, now: NaiveDateTime) -> StoreResult<AgentRow>;

    pub async fn list_tasks(&self, board_id: Uuid, filter: &TaskFilter, page: Page) -> StoreResult<Paged<TaskRecord>>;
    pub async fn get_task(&self, board_id: Uuid, task_id: Uuid) -> StoreResult<Option<TaskRecord>>;
    /// Creates a task with its dependencies and tags after checking them against the board.
    pub async fn create_task(&self, task: &NewTask) -> StoreResult<TaskChange>;
    /// Loads the task and its facts under the board's write lock, asks `plan` what to write,
    /// writes it and the activity row, all in one transaction.
    pub async fn update_task(&self, update: &TaskUpdate, plan: &PlanFn) -> StoreResult<TaskChange>;
    /// Deletes a task with its activity, links, edges, tags and values.
    pub async fn delete_task(&self, board_id: Uuid, task_id: Uuid) -> StoreResult<bool>;
    /// Claims an unassigned task in `from` for `agent_id` with one conditional update and
    /// records the `task.status_changed` row; `None` when another claim won or the task is no
    /// longer unassigned in `from`.
    pub async fn claim_task(&self, board_id: Uuid, task_id: Uuid, agent_id: Uuid, from: TaskStatus, now: NaiveDateTime) -> StoreResult<Option<ActivityRow>>;
    /// Sends in-progress tasks of silent assignees back to the inbox on boards that ask for
    /// it (`domain::stale_claims`); each task once, however many replicas sweep at once.
    pub async fn release_stale_claims(&self, now: NaiveDateTime) -> StoreResult<Vec<ReleasedClaim>>;
}

delegate! {
    /// Records a task comment (an activity row of type `task.comment`).
    pub async fn insert_comment(&self, board_id: Uuid, task_id: Uuid, agent_id: Option<Uuid>, message: &str, now: NaiveDateTime) -> StoreResult<ActivityRow>;
    /// A task's comments, oldest first.
    pub async fn list_comments(&self, board_id: Uuid, task_id: Uuid, page: Page) -> StoreResult<Paged<ActivityRow>>;
    /// A task's `task.status_changed` rows as (acting agent, message), oldest first.
    pub async fn task_status_changes(&self, task_id: Uuid) -> StoreResult<Vec<(Option<Uuid>, String)>>;
    /// Activity of the scoped boards (or of one agent), newest first.
    pub async fn list_activity(&self, scope: &BoardScope, agent_id: Option<Uuid>, page: Page) -> StoreResult<Paged<ActivityRow>>;
    pub async fn list_comment_feed(&self, scope: &BoardScope, page: Page) -> StoreResult<Paged<CommentFeedRow>>;
    pub async fn comment_feed_since(&self, scope: &BoardScope, since: NaiveDateTime) -> StoreResult<Vec<CommentFeedRow>>;
    pub async fn comment_feed_item(&self, activity_id: Uuid) -> StoreResult<Option<CommentFeedRow>>;
    pub async fn get_activity(&self, id: Uuid) -> StoreResult<Option<ActivityRow>>;
    pub async fn task_activity_since(&self, board_id: Uuid, since: NaiveDateTime) -> StoreResult<Vec<ActivityRow>>;
    pub async fn tasks_by_ids(&self, board_id: Uuid, ids: &[Uuid]) -> StoreResult<Vec<TaskRecord>>;
    pub async fn board_snapshot(&self, board_id: Uuid) -> StoreResult<BoardSnapshotRows>;
    pub async fn dashboard_rows(&self, scope: &BoardScope, since: NaiveDateTime, seen_since: NaiveDateTime) -> StoreResult<DashboardRows>;

    pub async fn list_memberships(&self, user_id: Uuid) -> StoreResult<Vec<MembershipRow>>;
    /// Creates an organization with the user as owner and makes it their active one.
    pub async fn create_organization(&self, user_id: Uuid, name: &str, now: NaiveDateTime) -> StoreResult<OrganizationRow>;
    pub async fn set_active_organization(&self, user_id: Uuid, organization_id: Uuid) -> StoreResult<bool>;
    pub async fn list_members(&self, organization_id: Uuid, page: Page) -> StoreResult<Paged<MemberWithUser>>;
    pub async fn get_member(&self, organization_id: Uuid, member_id: Uuid) -> StoreResult<Option<MemberWithUser>>;
    pub async fn member_board_access(&self, member_ids: &[Uuid]) -> StoreResult<Vec<BoardAccessRow>>;
    pub async fn invite_board_access(&self, invite_ids: &[Uuid]) -> StoreResult<Vec<BoardAccessRow>>;
    /// Changes a member's role; the last owner stays (`StoreError::Member`).
    pub async fn set_member_role(&self, organization_id: Uuid, member_id: Uuid, role: Role) -> StoreResult<()>;
    /// Removes a member and their grants; the last owner stays (`StoreError::Member`).
    pub async fn remove_member(&self, organization_id: Uuid, member_id: Uuid) -> StoreResult<()>;
    pub async fn replace_member_access(&self, organization_id: Uuid, member_id: Uuid, all_boards_read: bool, all_boards_write: bool, grants: &[BoardGrant]) -> StoreResult<()>;
    pub async fn list_invites(&self, organization_id: Uuid, page: Page) -> StoreResult<Paged<InviteRow>>;
    pub async fn create_invite(&self, invite: &InviteRow, grants: &[BoardGrant]) -> StoreResult<()>;
    pub async fn delete_invite(&self, organization_id: Uuid, invite_id: Uuid) -> StoreResult<bool>;
    pub async fn find_invite_by_token(&self, token: &str) -> StoreResult<Option<InviteRow>>;
    pub async fn accept_invite(&self, invite_id: Uuid, user_id: Uuid, now: NaiveDateTime) -> StoreResult<()>;
    pub async fn delete_organization(&self, organization_id: Uuid) -> StoreResult<()>;
    pub async fn delete_user(&self, user_id: Uuid) -> StoreResult<()>;

    pub async fn list_tags(&self, organization_id: Uuid, page: Page) -> StoreResult<Paged<TagRow>>;
    pub async fn get_tag(&self, organization_id: Uuid, id: Uuid) -> StoreResult<Option<TagRow>>;
    /// Whether another tag of the organization (not `except`) has this slug.
    pub async fn tag_slug_taken(&self, organization_id: Uuid, slug: &str, except: Option<Uuid>) -> StoreResult<bool>;
    pub async fn insert_tag(&self, row: &TagRow) -> StoreResult<()>;
    pub async fn update_tag(&self, row: &TagRow) -> StoreResult<()>;
    /// Deletes a tag's assignments, then the tag.
    pub async fn delete_tag(&self, organization_id: Uuid, id: Uuid) -> StoreResult<bool>;

    pub async fn list_custom_fields(&self, organization_id: Uuid) -> StoreResult<Vec<CustomFieldView>>;
    pub async fn get_custom_field(&self, organization_id: Uuid, id: Uuid) -> StoreResult<Option<CustomFieldView>>;
    /// The custom field definitions bound to a board.
    pub async fn board_custom_fields(&self, board_id: Uuid) -> StoreResult<Vec<CustomFieldRow>>;
    /// Which of `ids` are boards of the organization.
    pub async fn boards_in_organization(&self, organization_id: Uuid, ids: &[Uuid]) -> StoreResult<Vec<Uuid>>;
    /// Creates a definition and its board bindings.
    pub async fn insert_custom_field(&self, view: &CustomFieldView) -> StoreResult<()>;
    /// Saves a definition, and replaces its board bindings when `rebind`.
    pub async fn update_custom_field(&self, view: &CustomFieldView, rebind: bool) -> StoreResult<()>;
    /// Deletes a definition and its bindings; a conflict while any task has a value for it.
    pub async fn delete_custom_field(&self, organization_id: Uuid, id: Uuid) -> StoreResult<bool>;

    pub async fn list_board_groups(&self, organization_id: Uuid, page: Page) -> StoreResult<Paged<BoardGroupRow>>;
    pub async fn get_board_group(&self, organization_id: Uuid, id: Uuid) -> StoreResult<Option<BoardGroupRow>>;
    pub async fn insert_board_group(&self, row: &BoardGroupRow) -> StoreResult<()>;
    pub async fn update_board_group(&self, row: &BoardGroupRow) -> StoreResult<()>;
    /// Detaches the group's boards and deletes the group.
    pub async fn delete_board_group(&self, organization_id: Uuid, id: Uuid, now: NaiveDateTime) -> StoreResult<bool>;
    /// Task counts by status and the first tasks of each board, for group snapshots.
    pub async fn group_tasks(&self, board_ids: &[Uuid], include_done: bool, per_board: i64) -> StoreResult<GroupTasks>;
    pub async fn group_agents(&self, group_id: Uuid) -> StoreResult<Vec<AgentRow>>;
    pub async fn set_heartbeat_configs(&self, configs: &[(Uuid, serde_json::Value)], now: NaiveDateTime) -> StoreResult<()>;
}

delegate! {
    pub async fn list_approvals(&self, board_id: Uuid, status: Option<String>, page: Page) -> StoreResult<Paged<ApprovalView>>;
    pub async fn get_approval(&self, board_id: Uuid, id: Uuid) -> StoreResult<Option<ApprovalView>>;
    /// Creates an approval, or returns the (task, approval) pairs of pending approvals that
    /// already link one of its tasks.
    pub async fn create_approval(&self, row: &ApprovalRow, tasks: &[Uuid]) -> StoreResult<ApprovalWrite>;
    pub async fn set_approval_status(&self, board_id: Uuid, id: Uuid, status: &str, now: NaiveDateTime) -> StoreResult<ApprovalWrite>;
    pub async fn count_pending_approvals(&self, board_id: Uuid) -> StoreResult<i64>;
    pub async fn approvals_since(&self, board_id: Uuid, since: NaiveDateTime) -> StoreResult<Vec<ApprovalView>>;
    pub async fn insert_memory(&self, row: &MemoryRow) -> StoreResult<()>;
    /// Writes a board memory entry with the notification rows of board chat, in one transaction.
    pub async fn insert_memory_notifying(&self, row: &MemoryRow, notify: &[crate::domain::notifications::NotifyIntent]) -> StoreResult<()>;
    /// `(id, name, is_board_lead)` of the board's agents, oldest first.
    pub async fn board_chat_agents(&self, board_id: Uuid) -> StoreResult<Vec<(Uuid, String, bool)>>;
    /// The organization's tags as `{id, name, slug, color}`, by name.
    pub async fn tag_refs(&self, organization_id: Uuid) -> StoreResult<Vec<TagRef>>;
    pub async fn list_memory(&self, board_id: Uuid, is_chat: Option<bool>, page: Page) -> StoreResult<Paged<MemoryRow>>;
    pub async fn memory_since(&self, board_id: Uuid, since: NaiveDateTime, is_chat: Option<bool>) -> StoreResult<Vec<MemoryRow>>;
    /// Writes a group memory entry with its notification rows (`(board, intent)`), in one transaction.
    pub async fn insert_group_memory(&self, row: &GroupMemoryRow, notify: &[(Uuid, crate::domain::notifications::NotifyIntent)]) -> StoreResult<()>;
    pub async fn list_group_memory(&self, group_id: Uuid, is_chat: Option<bool>, page: Page) -> StoreResult<Paged<GroupMemoryRow>>;
    pub async fn group_memory_since(&self, group_id: Uuid, since: NaiveDateTime, is_chat: Option<bool>) -> StoreResult<Vec<GroupMemoryRow>>;
    pub async fn list_webhooks(&self, board_id: Uuid, page: Page) -> StoreResult<Paged<WebhookRow>>;
    /// A board's webhook, with its secret (never rendered).
    pub async fn get_webhook(&self, board_id: Uuid, id: Uuid) -> StoreResult<Option<WebhookRecord>>;
    pub async fn insert_webhook(&self, row: &WebhookRecord) -> StoreResult<()>;
    pub async fn update_webhook(&self, row: &WebhookRecord) -> StoreResult<bool>;
    /// Deletes a webhook's payloads, then the webhook.
    pub async fn delete_webhook(&self, board_id: Uuid, id: Uuid) -> StoreResult<bool>;
    pub async fn list_webhook_payloads(&self, board_id: Uuid, webhook_id: Uuid, page: Page) -> StoreResult<Paged<WebhookPayloadRow>>;
    pub async fn get_webhook_payload(&self, board_id: Uuid, webhook_id: Uuid, id: Uuid) -> StoreResult<Option<WebhookPayloadRow>>;
    /// Stores a payload, its memory note and its delivery job in one transaction, or finds
    /// the payload a replayed delivery key names.
    pub async fn ingest_webhook_payload(&self, payload: &WebhookPayloadRow, delivery_key: Option<&str>, memory: &MemoryRow, job: &NewJob, replay_since: NaiveDateTime) -> StoreResult<IngestOutcome>;
    /// Records a webhook delivery once per job (the job id is the row's id).
    pub async fn record_webhook_delivery(&self, job_id: Uuid, event_type: &str, message: &str, agent_id: Uuid, board_id: Uuid, now: NaiveDateTime) -> StoreResult<bool>;
    pub async fn list_skill_packs(&self, organization_id: Uuid) -> StoreResult<Vec<SkillPackRow>>;
    pub async fn list_marketplace(&self, filter: &MarketplaceFilter, page: Page) -> StoreResult<Paged<MarketplaceSkillRow>>;
    pub async fn agents_since(&self, organization_id: Uuid, board_id: Option<Uuid>, since: NaiveDateTime) -> StoreResult<Vec<AgentRow>>;
}

delegate! {
    /// Enqueues jobs on their own transaction (work no other write causes).
    pub async fn enqueue_jobs(&self, jobs: &[NewJob], now: NaiveDateTime) -> StoreResult<()>;
    /// Claims up to `limit` due jobs (ready and due, or running under an expired lease) for
    /// `runner` until `lease_until`; no job goes to two runners.
    pub async fn claim_jobs(&self, runner: &str, limit: i64, now: NaiveDateTime, lease_until: NaiveDateTime) -> StoreResult<Vec<JobRow>>;
    pub async fn extend_job_lease(&self, id: Uuid, runner: &str, lease_until: NaiveDateTime) -> StoreResult<bool>;
    pub async fn complete_job(&self, id: Uuid, runner: &str, now: NaiveDateTime) -> StoreResult<bool>;
    /// A failed run: ready again at `retry_at`, or kept as failed with its error.
    pub async fn fail_job(&self, id: Uuid, runner: &str, error: &str, retry_at: Option<NaiveDateTime>, now: NaiveDateTime) -> StoreResult<bool>;
    /// Hands held jobs back (shutdown), the interrupted attempt not counted.
    pub async fn release_jobs(&self, runner: &str, ids: &[Uuid], now: NaiveDateTime) -> StoreResult<u64>;
    pub async fn get_job(&self, id: Uuid) -> StoreResult<Option<JobRow>>;
    pub async fn job_stats(&self, now: NaiveDateTime) -> StoreResult<JobQueueStats>;
    pub async fn purge_done_jobs(&self, before: NaiveDateTime) -> StoreResult<u64>;

    /// Starts an agent provisioning run (see `sql/lifecycle.rs`); `None`: the agent is gone.
    pub async fn begin_agent_run(&self, run: &AgentRun<'_>, now: NaiveDateTime) -> StoreResult<Option<i32>>;
    /// Counts a wake of run `generation` and schedules its reconcile; `false`: a newer run exists.
    pub async fn record_agent_wake(&self, agent_id: Uuid, generation: i32, deadline: NaiveDateTime, reconcile_kind: &str, now: NaiveDateTime) -> StoreResult<bool>;
    pub async fn finish_agent_run(&self, agent_id: Uuid, generation: i32, status: &str, error: Option<&str>, now: NaiveDateTime) -> StoreResult<bool>;
    pub async fn gateway_agents(&self, gateway_id: Uuid) -> StoreResult<Vec<AgentRow>>;
    pub async fn board_agents(&self, board_id: Uuid) -> StoreResult<Vec<AgentRow>>;
    pub async fn agent_lifecycle(&self, agent_id: Uuid) -> StoreResult<Option<AgentLifecycle>>;
    /// Records a delivery job's outcome once (the job id is the row's id).
    pub async fn record_delivery(&self, delivery: &Delivery<'_>, now: NaiveDateTime) -> StoreResult<bool>;
    pub async fn latest_onboarding(&self, board_id: Uuid) -> StoreResult<Option<OnboardingRow>>;
    pub async fn save_onboarding(&self, row: &OnboardingRow) -> StoreResult<()>;
}
