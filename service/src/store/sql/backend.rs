// The backend itself: pool, transactions, paging, migrations, readiness and instance secrets.
// Compiled once per backend by `shared_sql!` in `store/mod.rs`; `Db`, `LOCK_FOR_UPDATE`,
// `BEGIN_WRITE` and `MIGRATOR` come from the including module. Placeholders are `$N` (both
// backends accept them); values are always bound, never spliced.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;
use sqlx::types::Json;
use sqlx::{Pool, QueryBuilder, Transaction};

use crate::domain::tasks::TaskStatus;

type Tx = Transaction<'static, Db>;

#[derive(Clone)]
pub struct Backend {
    pool: Pool<Db>,
    max_connections: u32,
}

/// A row of a paged query: the row plus the window total.
#[derive(sqlx::FromRow)]
struct Counted<T> {
    #[sqlx(flatten)]
    row: T,
    total_count: i64,
}

fn push_id_list(q: &mut QueryBuilder<Db>, ids: &[Uuid]) {
    let mut list = q.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
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
}
