//! The PostgreSQL backend: the shared SQL (see `shared_sql!`) plus what only PostgreSQL has.

use super::*;

type Db = sqlx::Postgres;
/// Row lock taken on the board while its task graph changes.
const LOCK_FOR_UPDATE: &str = " FOR UPDATE";
/// How the job runner skips jobs another replica is claiming at the same moment.
const SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";
const BEGIN_WRITE: &str = "BEGIN";
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

shared_sql!();

impl Backend {
    /// Marks the agent online and seen now, and records an `agent.heartbeat` activity row, in
    /// one statement (data-modifying CTEs): one round trip. Presence is refreshed by the next
    /// heartbeat, so this commit need not wait for a disk flush (the setting is local to its
    /// transaction).
    pub async fn record_heartbeat(&self, id: Uuid, now: NaiveDateTime) -> StoreResult<AgentRow> {
        let seen = heartbeat_facts(now, id);
        Ok(sqlx::query_as::<Db, AgentRow>(sqlx::AssertSqlSafe(format!(
            "WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true) AS v), \
             seen AS (UPDATE agents SET {HEARTBEAT_SET} \
               WHERE id = $2 AND EXISTS (SELECT 1 FROM relaxed) RETURNING {AGENT_COLUMNS}), \
             logged AS (INSERT INTO activity_events (id, event_type, message, agent_id, task_id, board_id, created_at) \
               SELECT $6, $7, $8 || name || $9, id, NULL, board_id, $1 FROM seen) \
             SELECT {AGENT_COLUMNS} FROM seen"
        )))
        .bind(seen.now)
        .bind(seen.id)
        .bind(seen.kept[0])
        .bind(seen.kept[1])
        .bind(seen.online)
        .bind(Uuid::new_v4())
        .bind(seen.event_type)
        .bind(seen.message_prefix)
        .bind(seen.message_suffix)
        .fetch_one(&self.pool)
        .await?)
    }
}
