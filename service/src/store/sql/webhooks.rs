// Board webhooks.
// Included in both backend modules (see `shared_sql!` in `store/mod.rs`).

impl Backend {
    pub async fn list_webhooks(&self, board_id: Uuid, page: Page) -> StoreResult<Paged<WebhookRow>> {
        let mut rows = QueryBuilder::<Db>::new(
            "SELECT id, board_id, agent_id, description, enabled, (secret IS NOT NULL) AS has_secret, signature_header, \
             created_at, updated_at, count(*) OVER () AS total_count FROM board_webhooks WHERE board_id = ",
        );
        rows.push_bind(board_id).push(" ORDER BY created_at DESC, id");
        let mut count = QueryBuilder::<Db>::new("SELECT count(*) FROM board_webhooks WHERE board_id = ");
        count.push_bind(board_id);
        self.paged(rows, count, page).await
    }
}
