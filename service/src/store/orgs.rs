// Organizations, members, board grants and invites. Included in both backend modules.
// Owner rules that must hold under concurrency (the last owner stays) are checked inside
// the transaction that changes them, with the organization row locked.

const MEMBER_USER_COLUMNS: &str = "m.id, m.organization_id, m.user_id, m.role, m.all_boards_read, m.all_boards_write, \
     m.created_at, m.updated_at, u.email, u.name, u.preferred_name";
const INVITE_COLUMNS: &str = "id, organization_id, invited_email, token, role, all_boards_read, all_boards_write, \
     created_by_user_id, accepted_by_user_id, accepted_at, created_at, updated_at";

/// Role rank for merging memberships.
fn role_rank(role: &str) -> u8 {
    match role {
        "owner" => 2,
        "admin" => 1,
        _ => 0,
    }
}

impl Backend {
    async fn lock_organization(tx: &mut Tx, organization_id: Uuid) -> StoreResult<()> {
        let found: Option<Uuid> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM organizations WHERE id = $1{LOCK_FOR_UPDATE}"
        )))
        .bind(organization_id)
        .fetch_optional(&mut **tx)
        .await?;
        found.map(|_| ()).ok_or(StoreError::NotFound)
    }

    pub async fn list_memberships(&self, user_id: Uuid) -> StoreResult<Vec<MembershipRow>> {
        Ok(sqlx::query_as::<Db, MembershipRow>(
            "SELECT m.organization_id, o.name, m.role FROM organization_members m \
             JOIN organizations o ON o.id = m.organization_id WHERE m.user_id = $1 ORDER BY o.name, o.id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn create_organization(&self, user_id: Uuid, name: &str, now: NaiveDateTime) -> StoreResult<OrganizationRow> {
        let mut tx = self.begin_write().await?;
        let org = OrganizationRow {
            id: Uuid::new_v4(),
            name: name.to_owned(),
            created_at: now,
            updated_at: now,
        };
        sqlx::query("INSERT INTO organizations (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)")
            .bind(org.id)
            .bind(&org.name)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO organization_members (id, organization_id, user_id, role, all_boards_read, all_boards_write, \
             created_at, updated_at) VALUES ($1, $2, $3, 'owner', true, true, $4, $4)",
        )
        .bind(Uuid::new_v4())
        .bind(org.id)
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE users SET active_organization_id = $1, updated_at = $2 WHERE id = $3")
            .bind(org.id)
            .bind(now)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(org)
    }

    pub async fn set_active_organization(&self, user_id: Uuid, organization_id: Uuid) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE users SET active_organization_id = $1, updated_at = $2 WHERE id = $3 AND EXISTS \
             (SELECT 1 FROM organization_members WHERE organization_id = $1 AND user_id = $3)",
        )
        .bind(organization_id)
        .bind(crate::domain::now())
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

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

    /// Per-board grants carried by the given invites, `owner_id` being the invite.
    pub async fn invite_board_access(&self, invite_ids: &[Uuid]) -> StoreResult<Vec<BoardAccessRow>> {
        if invite_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Db>::new(
            "SELECT id, organization_invite_id AS owner_id, board_id, can_read, can_write, created_at, updated_at \
             FROM organization_invite_board_access WHERE organization_invite_id IN (",
        );
        push_id_list(&mut q, invite_ids);
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

    /// Changes a member's role; demoting the last owner is a `last_owner` conflict.
    pub async fn set_member_role(&self, organization_id: Uuid, member_id: Uuid, role: &str) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        Self::lock_organization(&mut tx, organization_id).await?;
        let current: Option<String> =
            sqlx::query_scalar("SELECT role FROM organization_members WHERE id = $1 AND organization_id = $2")
                .bind(member_id)
                .bind(organization_id)
                .fetch_optional(&mut *tx)
                .await?;
        let current = current.ok_or(StoreError::NotFound)?;
        if current == "owner" && role != "owner" && Self::owner_count(&mut tx, organization_id).await? <= 1 {
            return Err(StoreError::Conflict {
                constraint: "last_owner".to_owned(),
            });
        }
        sqlx::query("UPDATE organization_members SET role = $1, updated_at = $2 WHERE id = $3")
            .bind(role)
            .bind(crate::domain::now())
            .bind(member_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a member and their grants; removing the last owner is a `last_owner` conflict.
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
        if role == "owner" && Self::owner_count(&mut tx, organization_id).await? <= 1 {
            return Err(StoreError::Conflict {
                constraint: "last_owner".to_owned(),
            });
        }
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

    async fn check_boards_in_org(tx: &mut Tx, organization_id: Uuid, grants: &[BoardGrant]) -> StoreResult<()> {
        if grants.is_empty() {
            return Ok(());
        }
        let ids: Vec<Uuid> = grants.iter().map(|g| g.board_id).collect();
        let mut q = QueryBuilder::<Db>::new("SELECT count(*) FROM boards WHERE organization_id = ");
        q.push_bind(organization_id).push(" AND id IN (");
        push_id_list(&mut q, &ids);
        q.push(")");
        let found: i64 = q.build_query_scalar().fetch_one(&mut **tx).await?;
        let distinct = ids.iter().collect::<HashSet<_>>().len();
        if usize::try_from(found).unwrap_or(0) != distinct {
            return Err(StoreError::Conflict {
                constraint: "board_not_in_organization".to_owned(),
            });
        }
        Ok(())
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

    pub async fn list_invites(&self, organization_id: Uuid, page: Page) -> StoreResult<Paged<InviteRow>> {
        let mut rows = QueryBuilder::<Db>::new(format!(
            "SELECT {INVITE_COLUMNS}, count(*) OVER () AS total_count FROM organization_invites \
             WHERE accepted_at IS NULL AND organization_id = "
        ));
        rows.push_bind(organization_id).push(" ORDER BY created_at DESC, id");
        let mut count =
            QueryBuilder::<Db>::new("SELECT count(*) FROM organization_invites WHERE accepted_at IS NULL AND organization_id = ");
        count.push_bind(organization_id);
        self.paged(rows, count, page).await
    }

    pub async fn create_invite(&self, invite: &InviteRow, grants: &[BoardGrant]) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        Self::check_boards_in_org(&mut tx, invite.organization_id, grants).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO organization_invites ({INVITE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        )))
        .bind(invite.id)
        .bind(invite.organization_id)
        .bind(&invite.invited_email)
        .bind(&invite.token)
        .bind(&invite.role)
        .bind(invite.all_boards_read)
        .bind(invite.all_boards_write)
        .bind(invite.created_by_user_id)
        .bind(invite.accepted_by_user_id)
        .bind(invite.accepted_at)
        .bind(invite.created_at)
        .bind(invite.updated_at)
        .execute(&mut *tx)
        .await?;
        Self::insert_grants(&mut tx, "organization_invite_board_access", "organization_invite_id", invite.id, grants, invite.created_at)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_invite(&self, organization_id: Uuid, invite_id: Uuid) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let found: Option<Uuid> = sqlx::query_scalar(
            "SELECT id FROM organization_invites WHERE id = $1 AND organization_id = $2 AND accepted_at IS NULL",
        )
        .bind(invite_id)
        .bind(organization_id)
        .fetch_optional(&mut *tx)
        .await?;
        if found.is_none() {
            return Ok(false);
        }
        for sql in [
            "DELETE FROM organization_invite_board_access WHERE organization_invite_id = $1",
            "DELETE FROM organization_invites WHERE id = $1",
        ] {
            sqlx::query(sql).bind(invite_id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    pub async fn find_invite_by_token(&self, token: &str) -> StoreResult<Option<InviteRow>> {
        Ok(sqlx::query_as::<Db, InviteRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {INVITE_COLUMNS} FROM organization_invites WHERE token = $1"
        )))
        .bind(token)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Accepts an invite for `user_id`: creates the membership, or merges into an existing
    /// one (higher role, OR-ed blanket flags and grants); makes the organization active.
    pub async fn accept_invite(&self, invite_id: Uuid, user_id: Uuid, now: NaiveDateTime) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let invite = sqlx::query_as::<Db, InviteRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {INVITE_COLUMNS} FROM organization_invites WHERE id = $1{LOCK_FOR_UPDATE}"
        )))
        .bind(invite_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        if invite.accepted_at.is_some() {
            return Err(StoreError::Conflict {
                constraint: "invite_already_accepted".to_owned(),
            });
        }
        let grants: Vec<BoardGrant> = sqlx::query_as::<Db, (Uuid, bool, bool)>(
            "SELECT board_id, can_read, can_write FROM organization_invite_board_access WHERE organization_invite_id = $1",
        )
        .bind(invite.id)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|(board_id, can_read, can_write)| BoardGrant {
            board_id,
            can_read,
            can_write,
        })
        .collect();
        let existing = sqlx::query_as::<Db, MemberRow>(
            "SELECT id, organization_id, user_id, role, all_boards_read, all_boards_write FROM organization_members \
             WHERE organization_id = $1 AND user_id = $2",
        )
        .bind(invite.organization_id)
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
        match existing {
            Some(m) => {
                let role = if role_rank(&invite.role) > role_rank(&m.role) { invite.role.clone() } else { m.role.clone() };
                sqlx::query(
                    "UPDATE organization_members SET role = $1, all_boards_read = $2, all_boards_write = $3, updated_at = $4 \
                     WHERE id = $5",
                )
                .bind(role)
                .bind(m.all_boards_read || invite.all_boards_read)
                .bind(m.all_boards_write || invite.all_boards_write)
                .bind(now)
                .bind(m.id)
                .execute(&mut *tx)
                .await?;
                let current: Vec<(Uuid, bool, bool)> = sqlx::query_as(
                    "SELECT board_id, can_read, can_write FROM organization_board_access WHERE organization_member_id = $1",
                )
                .bind(m.id)
                .fetch_all(&mut *tx)
                .await?;
                let mut merged: BTreeMap<Uuid, (bool, bool)> = current.into_iter().map(|(b, r, w)| (b, (r, w))).collect();
                for g in &grants {
                    let e = merged.entry(g.board_id).or_insert((false, false));
                    *e = (e.0 || g.can_read, e.1 || g.can_write);
                }
                let merged: Vec<BoardGrant> = merged
                    .into_iter()
                    .map(|(board_id, (can_read, can_write))| BoardGrant {
                        board_id,
                        can_read,
                        can_write,
                    })
                    .collect();
                sqlx::query("DELETE FROM organization_board_access WHERE organization_member_id = $1")
                    .bind(m.id)
                    .execute(&mut *tx)
                    .await?;
                Self::insert_grants(&mut tx, "organization_board_access", "organization_member_id", m.id, &merged, now).await?;
            }
            None => {
                let member_id = Uuid::new_v4();
                sqlx::query(
                    "INSERT INTO organization_members (id, organization_id, user_id, role, all_boards_read, all_boards_write, \
                     created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                )
                .bind(member_id)
                .bind(invite.organization_id)
                .bind(user_id)
                .bind(&invite.role)
                .bind(invite.all_boards_read)
                .bind(invite.all_boards_write)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                Self::insert_grants(&mut tx, "organization_board_access", "organization_member_id", member_id, &grants, now)
                    .await?;
            }
        }
        sqlx::query("UPDATE organization_invites SET accepted_by_user_id = $1, accepted_at = $2, updated_at = $2 WHERE id = $3")
            .bind(user_id)
            .bind(now)
            .bind(invite.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE users SET active_organization_id = $1, updated_at = $2 WHERE id = $3")
            .bind(invite.organization_id)
            .bind(now)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes an organization and everything in it, in one transaction.
    pub async fn delete_organization(&self, organization_id: Uuid) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        Self::delete_organization_in(&mut tx, organization_id).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_organization_in(tx: &mut Tx, organization_id: Uuid) -> StoreResult<()> {
        Self::lock_organization(tx, organization_id).await?;
        let boards: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM boards WHERE organization_id = $1")
            .bind(organization_id)
            .fetch_all(&mut **tx)
            .await?;
        for board in boards {
            Self::delete_board_in(tx, board).await?;
        }
        for sql in [
            "DELETE FROM activity_events WHERE agent_id IN (SELECT id FROM agents WHERE organization_id = $1)",
            "DELETE FROM agents WHERE organization_id = $1",
            "DELETE FROM gateways WHERE organization_id = $1",
            "DELETE FROM tag_assignments WHERE tag_id IN (SELECT id FROM tags WHERE organization_id = $1)",
            "DELETE FROM tags WHERE organization_id = $1",
            "DELETE FROM task_custom_field_values WHERE task_custom_field_definition_id IN \
             (SELECT id FROM task_custom_field_definitions WHERE organization_id = $1)",
            "DELETE FROM board_task_custom_fields WHERE task_custom_field_definition_id IN \
             (SELECT id FROM task_custom_field_definitions WHERE organization_id = $1)",
            "DELETE FROM task_custom_field_definitions WHERE organization_id = $1",
            "DELETE FROM board_groups WHERE organization_id = $1",
            "DELETE FROM organization_invite_board_access WHERE organization_invite_id IN \
             (SELECT id FROM organization_invites WHERE organization_id = $1)",
            "DELETE FROM organization_invites WHERE organization_id = $1",
            "DELETE FROM organization_board_access WHERE organization_member_id IN \
             (SELECT id FROM organization_members WHERE organization_id = $1)",
            "DELETE FROM organization_members WHERE organization_id = $1",
            "UPDATE users SET active_organization_id = NULL WHERE active_organization_id = $1",
            "DELETE FROM organizations WHERE id = $1",
        ] {
            sqlx::query(sql).bind(organization_id).execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// Deletes a user: organizations where they are the only member go entirely; references
    /// to them elsewhere are cleared; their memberships and the user row go.
    pub async fn delete_user(&self, user_id: Uuid) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let sole: Vec<Uuid> = sqlx::query_scalar(
            "SELECT organization_id FROM organization_members WHERE user_id = $1 AND organization_id IN \
             (SELECT organization_id FROM organization_members GROUP BY organization_id HAVING count(*) = 1)",
        )
        .bind(user_id)
        .fetch_all(&mut *tx)
        .await?;
        for org in sole {
            Self::delete_organization_in(&mut tx, org).await?;
        }
        for sql in [
            "UPDATE organization_invites SET created_by_user_id = NULL WHERE created_by_user_id = $1",
            "UPDATE organization_invites SET accepted_by_user_id = NULL WHERE accepted_by_user_id = $1",
            "UPDATE tasks SET created_by_user_id = NULL WHERE created_by_user_id = $1",
            "DELETE FROM organization_board_access WHERE organization_member_id IN \
             (SELECT id FROM organization_members WHERE user_id = $1)",
            "DELETE FROM organization_members WHERE user_id = $1",
            "DELETE FROM users WHERE id = $1",
        ] {
            sqlx::query(sql).bind(user_id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
