//! Agent presence: what a heartbeat writes and what read models report.

use chrono::NaiveDateTime;

/// Stored statuses that presence never overrides: an agent being updated or deleted stays so.
pub const STATUSES_KEPT_BY_HEARTBEAT: [&str; 2] = ["updating", "deleting"];
/// What a heartbeat makes any other status.
pub const ONLINE: &str = "online";
/// The activity row a heartbeat records.
pub const HEARTBEAT_EVENT: &str = "agent.heartbeat";
/// The heartbeat message is `prefix + agent name + suffix` (see [`heartbeat_message`]); the
/// two parts are exposed so a one-statement write can build it next to the name it reads.
pub const HEARTBEAT_MESSAGE_PARTS: (&str, &str) = ("Heartbeat received from ", ".");

/// The status a heartbeat leaves on an agent whose stored status is `stored`.
pub fn status_after_heartbeat(stored: &str) -> &str {
    if STATUSES_KEPT_BY_HEARTBEAT.contains(&stored) {
        stored
    } else {
        ONLINE
    }
}

/// The message of the `agent.heartbeat` activity row.
pub fn heartbeat_message(agent_name: &str) -> String {
    let (prefix, suffix) = HEARTBEAT_MESSAGE_PARTS;
    format!("{prefix}{agent_name}{suffix}")
}

/// Agent presence as read models report it: never seen → `provisioning` (or `offline` when
/// its provisioning gave up on it); silent for more than ten minutes → `offline`; otherwise
/// the stored status (`updating`/`deleting` always win).
pub fn computed_agent_status(stored: &str, last_seen_at: Option<NaiveDateTime>, now: NaiveDateTime) -> String {
    if STATUSES_KEPT_BY_HEARTBEAT.contains(&stored) {
        return stored.to_owned();
    }
    match last_seen_at {
        None if stored == "offline" => "offline".to_owned(),
        None => "provisioning".to_owned(),
        Some(seen) if now - seen > chrono::Duration::minutes(10) => "offline".to_owned(),
        Some(_) => stored.to_owned(),
    }
}

/// How often an agent's own requests may move its `last_seen_at` (a presence touch).
pub const PRESENCE_TOUCH_INTERVAL: chrono::Duration = chrono::Duration::seconds(30);

/// Whether an authenticated agent request should write presence: never seen, or last seen
/// at least [`PRESENCE_TOUCH_INTERVAL`] ago.
pub fn presence_touch_due(last_seen_at: Option<NaiveDateTime>, now: NaiveDateTime) -> bool {
    last_seen_at.is_none_or(|seen| now - seen >= PRESENCE_TOUCH_INTERVAL)
}

/// Whether a lead may add one more worker: non-lead agents on the board stay below `max_agents`.
pub fn worker_slot_free(workers: i64, max_agents: i32) -> bool {
    workers < i64::from(max_agents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_is_touched_at_most_every_thirty_seconds() {
        let now = crate::domain::now();
        assert!(presence_touch_due(None, now));
        assert!(!presence_touch_due(Some(now - chrono::Duration::seconds(29)), now));
        assert!(presence_touch_due(Some(now - chrono::Duration::seconds(30)), now));
    }

    #[test]
    fn a_lead_adds_workers_only_below_max_agents() {
        assert!(worker_slot_free(0, 1));
        assert!(!worker_slot_free(1, 1));
        assert!(!worker_slot_free(0, 0));
        assert!(worker_slot_free(2, 3));
    }

    #[test]
    fn a_heartbeat_brings_agents_online_unless_updating_or_deleting() {
        for stored in ["provisioning", "online", "offline", "paused", ""] {
            assert_eq!(status_after_heartbeat(stored), "online", "{stored}");
        }
        assert_eq!(status_after_heartbeat("updating"), "updating");
        assert_eq!(status_after_heartbeat("deleting"), "deleting");
        assert_eq!(heartbeat_message("Scout"), "Heartbeat received from Scout.");
    }

    #[test]
    fn agent_status_is_computed_from_presence() {
        let now = crate::domain::now();
        assert_eq!(computed_agent_status("online", None, now), "provisioning");
        assert_eq!(
            computed_agent_status("online", Some(now - chrono::Duration::minutes(11)), now),
            "offline"
        );
        assert_eq!(computed_agent_status("online", Some(now), now), "online");
        assert_eq!(computed_agent_status("deleting", None, now), "deleting");
    }
}
