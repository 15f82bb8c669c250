//! Agents as resources and the board lead's part in them: the web UI's agent edit, one lead
//! per board, heartbeats for one agent or by name, leads managing their workers, and the
//! presence touch of authenticated agent requests.

mod heartbeats;
mod lead_workers;
mod leads;
mod patch_web_ui;
mod presence;

use system_tests::Deployment;

/// Makes the named agent its board's lead (directly in the database).
pub async fn make_lead(svc: &Deployment, name: &str) {
    svc.database
        .execute(&format!("UPDATE agents SET is_board_lead = true WHERE name = '{name}'"))
        .await;
}
