// Gateways.
// Included in both backend modules (see `shared_sql!` in `store/mod.rs`).

const GATEWAY_COLUMNS: &str = "id, organization_id, name, url, token, workspace_root, disable_device_pairing, \
     allow_insecure_tls, created_at, updated_at";

impl Backend {
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
                constraint: Constraint::GatewayInUse,
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
}
