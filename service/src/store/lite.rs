//! The SQLite backend (embedded, zero setup): the shared SQL (see `shared_sql!`) plus what
//! only SQLite has.

use super::*;

type Db = sqlx::Sqlite;
/// SQLite has no row locks; `BEGIN IMMEDIATE` takes the write lock up front instead.
const LOCK_FOR_UPDATE: &str = "";
/// One process runs the jobs, under the write lock; nothing to skip.
const SKIP_LOCKED: &str = "";
const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

shared_sql!();

impl Backend {
    /// Marks the agent online and seen now, and records an `agent.heartbeat` activity row, in
    /// one write transaction (SQLite has no data-modifying CTEs).
    pub async fn record_heartbeat(&self, id: Uuid, now: NaiveDateTime) -> StoreResult<AgentRow> {
        let seen = heartbeat_facts(now, id);
        let mut tx = self.begin_write().await?;
        let agent = sqlx::query_as::<Db, AgentRow>(sqlx::AssertSqlSafe(format!(
            "UPDATE agents SET {HEARTBEAT_SET} WHERE id = $2 RETURNING {AGENT_COLUMNS}"
        )))
        .bind(seen.now)
        .bind(seen.id)
        .bind(seen.kept[0])
        .bind(seen.kept[1])
        .bind(seen.online)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO activity_events (id, event_type, message, agent_id, task_id, board_id, created_at) \
             SELECT $1, $2, $3 || name || $4, id, NULL, board_id, $5 FROM agents WHERE id = $6",
        )
        .bind(Uuid::new_v4())
        .bind(seen.event_type)
        .bind(seen.message_prefix)
        .bind(seen.message_suffix)
        .bind(seen.now)
        .bind(agent.id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(agent)
    }
}
