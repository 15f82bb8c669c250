// Users: sign-in context, provisioning, profile, deletion; the active organization and board grants.
// Included in both backend modules (see `shared_sql!` in `store/mod.rs`).

const USER_COLUMNS: &str = "u.id, u.clerk_user_id, u.email, u.name, u.preferred_name, u.pronouns, u.timezone, \
     u.notes, u.context, u.is_super_admin, u.active_organization_id";

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

impl Backend {
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
