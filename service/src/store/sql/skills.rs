// Skill packs and the marketplace.
// Included in both backend modules (see `shared_sql!` in `store/mod.rs`).

impl Backend {
    pub async fn list_skill_packs(&self, organization_id: Uuid) -> StoreResult<Vec<SkillPackRow>> {
        Ok(sqlx::query_as::<Db, SkillPackRow>(
            "SELECT p.id, p.organization_id, p.name, p.description, p.source_url, p.branch, p.metadata, \
             (SELECT count(*) FROM marketplace_skills m WHERE m.organization_id = p.organization_id \
              AND m.source_url LIKE p.source_url || '%') AS skill_count, p.created_at, p.updated_at \
             FROM skill_packs p WHERE p.organization_id = $1 ORDER BY p.name, p.id",
        )
        .bind(organization_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn list_marketplace(&self, f: &MarketplaceFilter, page: Page) -> StoreResult<Paged<MarketplaceSkillRow>> {
        let filter = |q: &mut QueryBuilder<Db>| {
            q.push(" WHERE m.organization_id = ").push_bind(f.organization_id);
            if let Some(s) = &f.search {
                let like = format!("%{}%", s.to_lowercase());
                q.push(" AND (lower(m.name) LIKE ").push_bind(like.clone());
                q.push(" OR lower(COALESCE(m.description, '')) LIKE ").push_bind(like).push(")");
            }
            if let Some(c) = &f.category {
                q.push(" AND m.category = ").push_bind(c.clone());
            }
            if let Some(r) = &f.risk {
                q.push(" AND m.risk = ").push_bind(r.clone());
            }
        };
        let mut rows = QueryBuilder::<Db>::new(
            "SELECT m.id, m.organization_id, m.name, m.description, m.category, m.risk, m.source, m.source_url, m.metadata, \
             m.created_at, m.updated_at, g.created_at AS installed_at, count(*) OVER () AS total_count \
             FROM marketplace_skills m LEFT JOIN gateway_installed_skills g ON g.skill_id = m.id AND g.gateway_id = ",
        );
        rows.push_bind(f.gateway_id.unwrap_or_default());
        filter(&mut rows);
        rows.push(" ORDER BY m.name, m.id");
        let mut count = QueryBuilder::<Db>::new("SELECT count(*) FROM marketplace_skills m");
        filter(&mut count);
        self.paged(rows, count, page).await
    }
}
