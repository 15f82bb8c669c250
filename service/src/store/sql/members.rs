// Organization members and their board grants. Owner rules that must hold under concurrency are
// checked inside the transaction that changes them, with the organization row locked.
// Included in both backend modules (see `shared_sql!` in `store/mod.rs`).

const MEMBER_USER_COLUMNS: &str = "m.id, m.organization_id, m.user_id, m.role, m.all_boards_read, m.all_boards_write, \
     m.created_at, m.updated_at, u.email, u.name, u.preferred_name";

/// A stored role; anything else is corrupt data, never a silent default.
fn stored_role(stored: &str) -> StoreResult<Role> {
    Role::parse(stored).ok_or_else(|| StoreError::Corrupt(format!("unknown organization role {stored:?}")))
}

impl Backend {
    pub async fn list_members(&self, organization_id: Uuid, page: Page) -> StoreResult<Paged<MemberWithUser>> {
        let mut rows = QueryBuilder::<Db>::new(format!(
            "SELECT {MEMBER_USER_COLUMNS}, count(*) OVER () AS total_count FROM organization_members m \
             JOIN users u ON u.id = m.user_id WHERE m.organization_id = "
        ));
        rows.push_bind(organization_id).push(" ORDER BY m.created_at, m.id");
        let mut count = QueryBuilder::<Db>::new("SELECT count(*) FROM organization_members m WHERE m.organization_id = ");
        count.push_bind(organization_id);
        self.paged(rows, count, page).await
    }

    pub async fn get_member(&self, organization_id: Uuid, member_id: Uuid) -> StoreResult<Option<MemberWithUser>> {
        Ok(sqlx::query_as::<Db, MemberWithUser>(sqlx::AssertSqlSafe(format!(
            "SELECT {MEMBER_USER_COLUMNS} FROM organization_members m JOIN users u ON u.id = m.user_id \
             WHERE m.organization_id = $1 AND m.id = $2"
        )))
        .bind(organization_id)
        .bind(member_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Per-board grants of the given members, `owner_id` being the member.
    pub async fn member_board_access(&self, member_ids: &[Uuid]) -> StoreResult<Vec<BoardAccessRow>> {
        if member_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Db>::new(
            "SELECT id, organization_member_id AS owner_id, board_id, can_read, can_write, created_at, updated_at \
             FROM organization_board_access WHERE organization_member_id IN (",
        );
        push_id_list(&mut q, member_ids);
        q.push(") ORDER BY created_at, id");
        Ok(q.build_query_as().fetch_all(&self.pool).await?)
    }

    async fn owner_count(tx: &mut Tx, organization_id: Uuid) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT count(*) FROM organization_members WHERE organization_id = $1 AND role = 'owner'")
                .bind(organization_id)
                .fetch_one(&mut **tx)
                .await?,
        )
    }

    /// Changes a member's role, unless `domain::members::check_role_change` refuses it (the
    /// last owner stays), decided under the organization's lock.
    pub async fn set_member_role(&self, organization_id: Uuid, member_id: Uuid, role: Role) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        Self::lock_organization(&mut tx, organization_id).await?;
        let current: Option<String> =
            sqlx::query_scalar("SELECT role FROM organization_members WHERE id = $1 AND organization_id = $2")
                .bind(member_id)
                .bind(organization_id)
                .fetch_optional(&mut *tx)
                .await?;
        let current = stored_role(&current.ok_or(StoreError::NotFound)?)?;
        let owners = Self::owner_count(&mut tx, organization_id).await?;
        crate::domain::members::check_role_change(current, role, owners)?;
        sqlx::query("UPDATE organization_members SET role = $1, updated_at = $2 WHERE id = $3")
            .bind(role.as_str())
            .bind(crate::domain::now())
            .bind(member_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a member and their grants, unless `domain::members::check_removal` refuses it
    /// (the last owner stays), decided under the organization's lock.
    pub async fn remove_member(&self, organization_id: Uuid, member_id: Uuid) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        Self::lock_organization(&mut tx, organization_id).await?;
        let member: Option<(Uuid, String)> =
            sqlx::query_as("SELECT user_id, role FROM organization_members WHERE id = $1 AND organization_id = $2")
                .bind(member_id)
                .bind(organization_id)
                .fetch_optional(&mut *tx)
                .await?;
        let (user_id, role) = member.ok_or(StoreError::NotFound)?;
        let owners = Self::owner_count(&mut tx, organization_id).await?;
        crate::domain::members::check_removal(stored_role(&role)?, owners)?;
        sqlx::query("DELETE FROM organization_board_access WHERE organization_member_id = $1")
            .bind(member_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM organization_members WHERE id = $1")
            .bind(member_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE users SET active_organization_id = NULL WHERE id = $1 AND active_organization_id = $2")
            .bind(user_id)
            .bind(organization_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks with `domain::members::check_grants_in_organization` that every granted board
    /// is one of the organization's.
    async fn check_boards_in_org(tx: &mut Tx, organization_id: Uuid, grants: &[BoardGrant]) -> StoreResult<()> {
        if grants.is_empty() {
            return Ok(());
        }
        let ids: Vec<Uuid> = grants.iter().map(|g| g.board_id).collect();
        let mut q = QueryBuilder::<Db>::new("SELECT id FROM boards WHERE organization_id = ");
        q.push_bind(organization_id).push(" AND id IN (");
        push_id_list(&mut q, &ids);
        q.push(")");
        let found: Vec<Uuid> = q.build_query_scalar().fetch_all(&mut **tx).await?;
        Ok(crate::domain::members::check_grants_in_organization(&ids, &found)?)
    }

    /// Replaces a member's blanket flags and per-board grants.
    pub async fn replace_member_access(
        &self,
        organization_id: Uuid,
        member_id: Uuid,
        all_boards_read: bool,
        all_boards_write: bool,
        grants: &[BoardGrant],
    ) -> StoreResult<()> {
        let now = crate::domain::now();
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE organization_members SET all_boards_read = $1, all_boards_write = $2, updated_at = $3 \
             WHERE id = $4 AND organization_id = $5",
        )
        .bind(all_boards_read)
        .bind(all_boards_write)
        .bind(now)
        .bind(member_id)
        .bind(organization_id)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Self::check_boards_in_org(&mut tx, organization_id, grants).await?;
        sqlx::query("DELETE FROM organization_board_access WHERE organization_member_id = $1")
            .bind(member_id)
            .execute(&mut *tx)
            .await?;
        Self::insert_grants(&mut tx, "organization_board_access", "organization_member_id", member_id, grants, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn insert_grants(
        tx: &mut Tx,
        table: &'static str,
        owner_column: &'static str,
        owner: Uuid,
        grants: &[BoardGrant],
        now: NaiveDateTime,
    ) -> StoreResult<()> {
        let mut seen = HashSet::new();
        for g in grants.iter().filter(|g| seen.insert(g.board_id)) {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO {table} (id, {owner_column}, board_id, can_read, can_write, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6)"
            )))
            .bind(Uuid::new_v4())
            .bind(owner)
            .bind(g.board_id)
            .bind(g.can_read || g.can_write)
            .bind(g.can_write)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}
