//! Stale claims come back (ours, beyond the reference): on a board that sets
//! `stale_claim_timeout_seconds`, an in-progress task whose assignee has made no request for
//! that long returns to the inbox, unassigned, so work held by a dead agent is picked up again.

use std::ops::RangeInclusive;

use chrono::{Duration, NaiveDateTime};

/// Accepted timeouts, in seconds. The floor stays well above the 30 s between presence writes
/// (an agent's `last_seen_at` may lag its last request by that much), so a live agent is
/// never taken for a silent one.
pub const TIMEOUT_RANGE: RangeInclusive<i32> = 60..=604_800;

/// The activity row of a release.
pub const RELEASED_EVENT: &str = "task.claim_released";

/// Whether a claim is stale at `now`: the assignee has been silent for `timeout` seconds
/// since the later of its last request and the task's start (an agent that never made a
/// request counts from the start, so a task just handed to it gets the whole window).
pub fn is_stale(
    last_seen_at: Option<NaiveDateTime>,
    in_progress_at: Option<NaiveDateTime>,
    timeout_seconds: i32,
    now: NaiveDateTime,
) -> bool {
    let Some(since) = last_seen_at.max(in_progress_at) else {
        // Neither a request nor a start time: nothing says since when it is silent.
        return false;
    };
    since + Duration::seconds(i64::from(timeout_seconds)) <= now
}

/// The moment before which the assignee must have been silent for a claim to be stale.
pub fn silent_before(timeout_seconds: i32, now: NaiveDateTime) -> NaiveDateTime {
    now - Duration::seconds(i64::from(timeout_seconds))
}

/// The activity message of a release.
pub fn released_message(title: &str, agent_name: &str, timeout_seconds: i32) -> String {
    format!(
        "Task returned to inbox: {title} ({agent_name} made no request for {timeout_seconds} s, so its claim was released)."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(seconds: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + seconds, 0)
            .unwrap()
            .naive_utc()
    }

    #[test]
    fn a_claim_is_stale_once_the_assignee_is_silent_for_the_whole_window() {
        // Seen at 0, started at 0, window 60.
        assert!(!is_stale(Some(t(0)), Some(t(0)), 60, t(59)));
        assert!(is_stale(Some(t(0)), Some(t(0)), 60, t(60)));
        // A later request restarts the window.
        assert!(!is_stale(Some(t(50)), Some(t(0)), 60, t(100)));
    }

    #[test]
    fn the_window_counts_from_the_start_when_that_is_later_or_the_only_time() {
        // Handed to an agent last seen long ago: the task's start counts.
        assert!(!is_stale(Some(t(0)), Some(t(1000)), 60, t(1030)));
        assert!(is_stale(Some(t(0)), Some(t(1000)), 60, t(1060)));
        // Never seen: from the start.
        assert!(!is_stale(None, Some(t(0)), 60, t(30)));
        assert!(is_stale(None, Some(t(0)), 60, t(61)));
        // Nothing to count from.
        assert!(!is_stale(None, None, 60, t(10_000)));
    }

    #[test]
    fn the_accepted_timeouts_stay_above_the_presence_interval() {
        assert!(!TIMEOUT_RANGE.contains(&30));
        assert!(TIMEOUT_RANGE.contains(&60));
        assert!(!TIMEOUT_RANGE.contains(&604_801));
        assert_eq!(silent_before(60, t(60)), t(0));
        assert!(released_message("Ship", "Worker", 60).contains("Worker made no request for 60 s"));
    }
}
