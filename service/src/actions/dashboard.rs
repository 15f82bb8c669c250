//! The dashboard: KPIs and time series over the boards the caller may read.
//!
//! One store call loads the raw rows (tasks, activity since the comparison window began,
//! active agents, pending approvals); everything else is computed here, purely:
//! - throughput: tasks moved to `done` per bucket;
//! - cycle time: median hours from entering `in_progress` to `done`, per bucket;
//! - error rate: the share of activity events that record a failure (`*_failed`), in percent;
//! - WIP: tasks that existed at the end of each bucket, by their current status.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};
use uuid::Uuid;

use super::Result;
use super::identity::{Access, UserCaller, board_for_user, board_scope};
use crate::domain::now;
use crate::store::{ActivityRow, DashboardRows, DashboardTaskRow, Store};
use crate::wire::dashboard::{
    DashboardKpis, DashboardMetrics, DashboardPendingApproval, DashboardPendingApprovals, DashboardRangeSeries,
    DashboardSeriesPoint, DashboardSeriesSet, DashboardWipPoint, DashboardWipRangeSeries, DashboardWipSeriesSet,
};

/// The ranges the contract offers.
pub const RANGE_KEYS: [&str; 8] = ["24h", "3d", "7d", "14d", "1m", "3m", "6m", "1y"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bucket {
    Hour,
    Day,
    Week,
    Month,
}

impl Bucket {
    fn name(self) -> &'static str {
        match self {
            Bucket::Hour => "hour",
            Bucket::Day => "day",
            Bucket::Week => "week",
            Bucket::Month => "month",
        }
    }

    fn floor(self, t: NaiveDateTime) -> NaiveDateTime {
        let day = t.date();
        let start = match self {
            Bucket::Hour => return t.date().and_hms_opt(t.hour(), 0, 0).unwrap_or(t),
            Bucket::Day => day,
            Bucket::Week => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
            Bucket::Month => NaiveDate::from_ymd_opt(day.year(), day.month(), 1).unwrap_or(day),
        };
        start.and_hms_opt(0, 0, 0).unwrap_or(t)
    }

    fn next(self, t: NaiveDateTime) -> NaiveDateTime {
        match self {
            Bucket::Hour => t + Duration::hours(1),
            Bucket::Day => t + Duration::days(1),
            Bucket::Week => t + Duration::weeks(1),
            Bucket::Month => {
                let (y, m) = if t.month() == 12 {
                    (t.year() + 1, 1)
                } else {
                    (t.year(), t.month() + 1)
                };
                NaiveDate::from_ymd_opt(y, m, 1)
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .unwrap_or(t + Duration::days(31))
            }
        }
    }
}

fn range_spec(key: &str) -> Option<(Duration, Bucket)> {
    Some(match key {
        "24h" => (Duration::hours(24), Bucket::Hour),
        "3d" => (Duration::days(3), Bucket::Hour),
        "7d" => (Duration::days(7), Bucket::Day),
        "14d" => (Duration::days(14), Bucket::Day),
        "1m" => (Duration::days(30), Bucket::Day),
        "3m" => (Duration::days(90), Bucket::Week),
        "6m" => (Duration::days(180), Bucket::Week),
        "1y" => (Duration::days(365), Bucket::Month),
        _ => return None,
    })
}

/// Bucket starts covering `[from, to)`.
fn periods(bucket: Bucket, from: NaiveDateTime, to: NaiveDateTime) -> Vec<NaiveDateTime> {
    let mut out = Vec::new();
    let mut t = bucket.floor(from);
    while t < to {
        out.push(t);
        t = bucket.next(t);
    }
    out
}

fn is_done_event(a: &ActivityRow) -> bool {
    a.event_type == "task.status_changed"
        && a.message
            .as_deref()
            .is_some_and(|m| m.starts_with("Task moved to done"))
}

fn is_failure(a: &ActivityRow) -> bool {
    a.event_type.ends_with("_failed") || a.event_type.ends_with(".failed")
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    })
}

/// Hours from the task's start to a `done` event.
fn cycle_hours(done: &ActivityRow, tasks: &std::collections::HashMap<Uuid, &DashboardTaskRow>) -> Option<f64> {
    let task = tasks.get(&done.task_id?)?;
    let started = task.in_progress_at.or(task.previous_in_progress_at)?;
    let hours = (done.created_at - started).num_seconds() as f64 / 3600.0;
    (hours >= 0.0).then_some(hours)
}

struct Window<'a> {
    key: &'a str,
    bucket: Bucket,
    from: NaiveDateTime,
    to: NaiveDateTime,
}

fn series(w: &Window, rows: &DashboardRows, value: impl Fn(&[&ActivityRow]) -> f64) -> DashboardRangeSeries {
    let starts = periods(w.bucket, w.from, w.to);
    let points = starts
        .iter()
        .map(|&start| {
            let end = w.bucket.next(start);
            let inside: Vec<&ActivityRow> = rows
                .activity
                .iter()
                .filter(|a| a.created_at >= start.max(w.from) && a.created_at < end.min(w.to))
                .collect();
            DashboardSeriesPoint {
                period: start,
                value: value(&inside),
            }
        })
        .collect();
    DashboardRangeSeries {
        range: w.key.to_owned(),
        bucket: w.bucket.name().to_owned(),
        points,
    }
}

fn wip(w: &Window, rows: &DashboardRows) -> DashboardWipRangeSeries {
    let points = periods(w.bucket, w.from, w.to)
        .into_iter()
        .map(|start| {
            let end = w.bucket.next(start).min(w.to);
            let mut p = DashboardWipPoint {
                period: start,
                inbox: 0,
                in_progress: 0,
                review: 0,
                done: 0,
            };
            for t in rows.tasks.iter().filter(|t| t.created_at < end) {
                match t.status.as_str() {
                    "inbox" => p.inbox += 1,
                    "in_progress" => p.in_progress += 1,
                    "review" => p.review += 1,
                    "done" => p.done += 1,
                    _ => {}
                }
            }
            p
        })
        .collect();
    DashboardWipRangeSeries {
        range: w.key.to_owned(),
        bucket: w.bucket.name().to_owned(),
        points,
    }
}

fn error_pct(events: &[&ActivityRow]) -> f64 {
    if events.is_empty() {
        return 0.0;
    }
    let failed = events.iter().filter(|a| is_failure(a)).count();
    100.0 * failed as f64 / events.len() as f64
}

/// Computes the dashboard from the loaded rows.
pub fn compute(range_key: &str, generated_at: NaiveDateTime, rows: &DashboardRows) -> Option<DashboardMetrics> {
    let (length, bucket) = range_spec(range_key)?;
    let primary = Window {
        key: range_key,
        bucket,
        from: generated_at - length,
        to: generated_at,
    };
    let comparison = Window {
        key: range_key,
        bucket,
        from: generated_at - length - length,
        to: generated_at - length,
    };
    let tasks: std::collections::HashMap<Uuid, &DashboardTaskRow> = rows.tasks.iter().map(|t| (t.id, t)).collect();
    let throughput = |events: &[&ActivityRow]| events.iter().filter(|a| is_done_event(a)).count() as f64;
    let cycle = |events: &[&ActivityRow]| {
        median(
            events
                .iter()
                .filter(|a| is_done_event(a))
                .filter_map(|a| cycle_hours(a, &tasks))
                .collect(),
        )
        .unwrap_or(0.0)
    };
    let count = |status: &str| rows.tasks.iter().filter(|t| t.status == status).count() as i64;
    let week_ago = generated_at - Duration::days(7);
    let in_primary: Vec<&ActivityRow> = rows
        .activity
        .iter()
        .filter(|a| a.created_at >= primary.from && a.created_at < primary.to)
        .collect();
    let median_7d = median(
        rows.activity
            .iter()
            .filter(|a| a.created_at >= week_ago && is_done_event(a))
            .filter_map(|a| cycle_hours(a, &tasks))
            .collect(),
    );
    Some(DashboardMetrics {
        range: range_key.to_owned(),
        generated_at,
        kpis: DashboardKpis {
            active_agents: rows.active_agents,
            tasks_in_progress: count("in_progress"),
            inbox_tasks: count("inbox"),
            in_progress_tasks: count("in_progress"),
            review_tasks: count("review"),
            done_tasks: count("done"),
            error_rate_pct: error_pct(&in_primary),
            median_cycle_time_hours_7d: median_7d,
        },
        throughput: DashboardSeriesSet {
            primary: series(&primary, rows, throughput),
            comparison: series(&comparison, rows, throughput),
        },
        cycle_time: DashboardSeriesSet {
            primary: series(&primary, rows, cycle),
            comparison: series(&comparison, rows, cycle),
        },
        error_rate: DashboardSeriesSet {
            primary: series(&primary, rows, error_pct),
            comparison: series(&comparison, rows, error_pct),
        },
        wip: DashboardWipSeriesSet {
            primary: wip(&primary, rows),
            comparison: wip(&comparison, rows),
        },
        pending_approvals: DashboardPendingApprovals {
            total: rows.pending.len() as i64,
            items: rows
                .pending
                .iter()
                .map(|p| DashboardPendingApproval {
                    approval_id: p.id,
                    board_id: p.board_id,
                    board_name: p.board_name.clone(),
                    action_type: p.action_type.clone(),
                    confidence: p.confidence,
                    created_at: p.created_at,
                    task_title: p.task_title.clone(),
                })
                .collect(),
        },
    })
}

/// Loads and computes the dashboard for the caller's readable boards (optionally one board).
pub async fn dashboard(
    store: &Store,
    caller: &UserCaller,
    range_key: &str,
    board_id: Option<Uuid>,
) -> Result<Option<DashboardMetrics>> {
    let Some((length, _)) = range_spec(range_key) else {
        return Ok(None);
    };
    if let Some(b) = board_id {
        board_for_user(store, caller, b, Access::Read).await?;
    }
    let at = now();
    let rows = store
        .dashboard_rows(
            &board_scope(caller, board_id),
            at - length - length,
            at - Duration::minutes(10),
        )
        .await?;
    Ok(compute(range_key, at, &rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        crate::wire::parse_timestamp(s).unwrap()
    }

    fn done(task: Uuid, at: &str) -> ActivityRow {
        ActivityRow {
            id: Uuid::new_v4(),
            event_type: "task.status_changed".into(),
            message: Some("Task moved to done: x.".into()),
            agent_id: None,
            task_id: Some(task),
            board_id: None,
            created_at: t(at),
        }
    }

    #[test]
    fn throughput_cycle_time_and_wip_are_bucketed_by_day() {
        let a = Uuid::new_v4();
        let b = Uuid::new_v4();
        let task = |id, status: &str, started: &str| DashboardTaskRow {
            id,
            status: status.into(),
            in_progress_at: Some(t(started)),
            previous_in_progress_at: None,
            created_at: t("2026-11-20T00:00:00"),
            updated_at: t("2026-11-20T00:00:00"),
        };
        let rows = DashboardRows {
            tasks: vec![
                task(a, "done", "2026-11-27T08:00:00"),
                task(b, "done", "2026-11-28T06:00:00"),
            ],
            activity: vec![done(a, "2026-11-27T10:00:00"), done(b, "2026-11-28T10:00:00")],
            active_agents: 3,
            pending: vec![],
        };
        let m = compute("7d", t("2026-11-29T12:00:00"), &rows).unwrap();
        assert_eq!(m.throughput.primary.bucket, "day");
        let total: f64 = m.throughput.primary.points.iter().map(|p| p.value).sum();
        assert_eq!(total, 2.0);
        let on_27th = m
            .throughput
            .primary
            .points
            .iter()
            .find(|p| p.period == t("2026-11-27T00:00:00"))
            .unwrap();
        assert_eq!(on_27th.value, 1.0);
        assert_eq!(m.kpis.median_cycle_time_hours_7d, Some(3.0), "median of 2h and 4h");
        assert_eq!(m.kpis.done_tasks, 2);
        assert_eq!(m.kpis.active_agents, 3);
        assert_eq!(m.wip.primary.points.last().unwrap().done, 2);
        assert!(m.comparison_is_empty());
        assert!(compute("2w", t("2026-11-29T12:00:00"), &rows).is_none());
    }

    impl DashboardMetrics {
        fn comparison_is_empty(&self) -> bool {
            self.throughput.comparison.points.iter().all(|p| p.value == 0.0)
        }
    }

    #[test]
    fn buckets_floor_to_their_start() {
        let x = t("2026-11-26T13:45:00");
        assert_eq!(Bucket::Hour.floor(x), t("2026-11-26T13:00:00"));
        assert_eq!(Bucket::Week.floor(x), t("2026-11-23T00:00:00"));
        assert_eq!(Bucket::Month.floor(x), t("2026-11-01T00:00:00"));
        assert_eq!(Bucket::Month.next(t("2026-12-01T00:00:00")), t("2027-01-01T00:00:00"));
    }
}
