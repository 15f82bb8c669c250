// Tags.
// Included in both backend modules (see `shared_sql!` in `store/mod.rs`).

const TAG_COLUMNS: &str = "t.id, t.organization_id, t.name, t.slug, t.color, t.description, t.created_at, t.updated_at, \
     (SELECT count(*) FROM tag_assignments a WHERE a.tag_id = t.id) AS task_count";

impl Backend {
    pub async fn list_tags(&self, organization_id: Uuid, page: Page) -> StoreResult<Paged<TagRow>> {
        let mut rows = QueryBuilder::<Db>::new(format!(
            "SELECT {TAG_COLUMNS}, count(*) OVER () AS total_count FROM tags t WHERE t.organization_id = "
        ));
        rows.push_bind(organization_id).push(" ORDER BY t.name, t.id");
        let mut count = QueryBuilder::<Db>::new("SELECT count(*) FROM tags WHERE organization_id = ");
        count.push_bind(organization_id);
        self.paged(rows, count, page).await
    }

    pub async fn tag_refs(&self, organization_id: Uuid) -> StoreResult<Vec<TagRef>> {
        Ok(sqlx::query_as::<Db, TagRef>(
            "SELECT id, name, slug, color FROM tags WHERE organization_id = $1 ORDER BY name, id",
        )
        .bind(organization_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn get_tag(&self, organization_id: Uuid, id: Uuid) -> StoreResult<Option<TagRow>> {
        Ok(sqlx::query_as::<Db, TagRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {TAG_COLUMNS} FROM tags t WHERE t.id = $1 AND t.organization_id = $2"
        )))
        .bind(id)
        .bind(organization_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn tag_slug_taken(&self, organization_id: Uuid, slug: &str, except: Option<Uuid>) -> StoreResult<bool> {
        let found: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM tags WHERE organization_id = $1 AND slug = $2")
            .bind(organization_id)
            .bind(slug)
            .fetch_all(&self.pool)
            .await?;
        Ok(found.iter().any(|id| Some(*id) != except))
    }

    pub async fn insert_tag(&self, t: &TagRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO tags (id, organization_id, name, slug, color, description, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(t.id)
        .bind(t.organization_id)
        .bind(&t.name)
        .bind(&t.slug)
        .bind(&t.color)
        .bind(&t.description)
        .bind(t.created_at)
        .bind(t.updated_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn update_tag(&self, t: &TagRow) -> StoreResult<()> {
        sqlx::query(
            "UPDATE tags SET name = $1, slug = $2, color = $3, description = $4, updated_at = $5 \
             WHERE id = $6 AND organization_id = $7",
        )
        .bind(&t.name)
        .bind(&t.slug)
        .bind(&t.color)
        .bind(&t.description)
        .bind(t.updated_at)
        .bind(t.id)
        .bind(t.organization_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn delete_tag(&self, organization_id: Uuid, id: Uuid) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let exists: Option<Uuid> = sqlx::query_scalar("SELECT id FROM tags WHERE id = $1 AND organization_id = $2")
            .bind(id)
            .bind(organization_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Ok(false);
        }
        for sql in ["DELETE FROM tag_assignments WHERE tag_id = $1", "DELETE FROM tags WHERE id = $1"] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}
