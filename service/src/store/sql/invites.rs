// Organization invites and their acceptance.
// Included in both backend modules (see `shared_sql!` in `store/mod.rs`).

const INVITE_COLUMNS: &str = "id, organization_id, invited_email, token, role, all_boards_read, all_boards_write, \
     created_by_user_id, accepted_by_user_id, accepted_at, created_at, updated_at";

impl Backend {
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
                constraint: Constraint::InviteAlreadyAccepted,
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
                use crate::domain::members::{MergedMembership, merge_invite};
                let current: Vec<(Uuid, bool, bool)> = sqlx::query_as(
                    "SELECT board_id, can_read, can_write FROM organization_board_access WHERE organization_member_id = $1",
                )
                .bind(m.id)
                .fetch_all(&mut *tx)
                .await?;
                let existing = MergedMembership {
                    role: stored_role(&m.role)?,
                    all_boards_read: m.all_boards_read,
                    all_boards_write: m.all_boards_write,
                    grants: current.into_iter().map(|(b, r, w)| (b, (r, w))).collect(),
                };
                let invited = MergedMembership {
                    role: stored_role(&invite.role)?,
                    all_boards_read: invite.all_boards_read,
                    all_boards_write: invite.all_boards_write,
                    grants: grants.iter().map(|g| (g.board_id, (g.can_read, g.can_write))).collect(),
                };
                let merged = merge_invite(&existing, &invited);
                sqlx::query(
                    "UPDATE organization_members SET role = $1, all_boards_read = $2, all_boards_write = $3, updated_at = $4 \
                     WHERE id = $5",
                )
                .bind(merged.role.as_str())
                .bind(merged.all_boards_read)
                .bind(merged.all_boards_write)
                .bind(now)
                .bind(m.id)
                .execute(&mut *tx)
                .await?;
                let merged: Vec<BoardGrant> = merged
                    .grants
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
}
