//! Durable jobs in the store: claimed by one runner at a time under a lease, taken over when
//! a lease expires, retried at their time, kept when they fail for good, handed back on
//! shutdown, never enqueued twice under one dedupe key.

use std::collections::HashSet;

use chrono::{Duration, NaiveDateTime};
use mission_control::domain::now;
use mission_control::store::{NewJob, Store};
use serde_json::json;
use uuid::Uuid;

use crate::{TestDb, on_both};

fn job(kind: &str, run_at: NaiveDateTime) -> NewJob {
    NewJob {
        id: Uuid::new_v4(),
        kind: kind.to_owned(),
        payload: json!({"n": 1}),
        run_at,
        traceparent: Some("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".to_owned()),
        dedupe_key: None,
    }
}

fn secs(n: i64) -> Duration {
    Duration::seconds(n)
}

async fn claim(store: &Store, runner: &str, limit: i64, at: NaiveDateTime) -> Vec<Uuid> {
    store
        .claim_jobs(runner, limit, at, at + secs(30))
        .await
        .expect("claim")
        .into_iter()
        .map(|j| j.id)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_claimed_job_is_held_until_done_and_not_claimed_again() {
    on_both(|db: TestDb| async move {
        let t = now();
        let j = job("example", t);
        db.store
            .enqueue_jobs(std::slice::from_ref(&j), t)
            .await
            .expect("enqueue");
        let claimed = db.store.claim_jobs("a", 10, t, t + secs(30)).await.expect("claim");
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].id, j.id);
        assert_eq!(claimed[0].status, "running");
        assert_eq!(claimed[0].attempts, 1);
        assert_eq!(claimed[0].payload, json!({"n": 1}));
        assert_eq!(claimed[0].traceparent, j.traceparent);
        assert!(
            claim(&db.store, "b", 10, t + secs(1)).await.is_empty(),
            "held under a lease"
        );
        assert!(db.store.complete_job(j.id, "a", t + secs(2)).await.expect("complete"));
        let done = db.store.get_job(j.id).await.expect("read").expect("job");
        assert_eq!(done.status, "done");
        assert!(done.finished_at.is_some());
        assert!(
            claim(&db.store, "b", 10, t + secs(60)).await.is_empty(),
            "done jobs never run again"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_expired_lease_passes_the_job_to_another_runner() {
    on_both(|db: TestDb| async move {
        let t = now();
        let j = job("example", t);
        db.store
            .enqueue_jobs(std::slice::from_ref(&j), t)
            .await
            .expect("enqueue");
        assert_eq!(claim(&db.store, "dead", 1, t).await, [j.id]);
        // The runner "dies": nobody renews; after the lease another runner takes over.
        assert!(claim(&db.store, "alive", 1, t + secs(29)).await.is_empty());
        assert_eq!(claim(&db.store, "alive", 1, t + secs(31)).await, [j.id]);
        let taken = db.store.get_job(j.id).await.expect("read").expect("job");
        assert_eq!(taken.attempts, 2);
        assert_eq!(taken.leased_by.as_deref(), Some("alive"));
        // The old runner's late outcome is ignored; the new one's counts.
        assert!(
            !db.store
                .complete_job(j.id, "dead", t + secs(32))
                .await
                .expect("complete")
        );
        assert!(
            !db.store
                .extend_job_lease(j.id, "dead", t + secs(90))
                .await
                .expect("extend")
        );
        assert!(
            db.store
                .complete_job(j.id, "alive", t + secs(33))
                .await
                .expect("complete")
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_runners_never_share_a_job() {
    on_both(|db: TestDb| async move {
        let t = now();
        let jobs: Vec<NewJob> = (0..200).map(|_| job("example", t)).collect();
        db.store.enqueue_jobs(&jobs, t).await.expect("enqueue");
        let runners = (0..8).map(|r| {
            let store = db.store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let got = claim(&store, &format!("r{r}"), 7, t).await;
                    if got.is_empty() {
                        break mine;
                    }
                    mine.extend(got);
                }
            })
        });
        let mut seen = HashSet::new();
        let mut total = 0;
        for r in futures::future::join_all(runners).await {
            for id in r.expect("join") {
                total += 1;
                seen.insert(id);
            }
        }
        assert_eq!(total, 200, "each job claimed once");
        assert_eq!(seen.len(), 200);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failures_are_retried_at_their_time_or_kept_with_the_error() {
    on_both(|db: TestDb| async move {
        let t = now();
        let later = job("example", t + secs(60));
        let retried = job("example", t);
        let doomed = job("example", t);
        db.store
            .enqueue_jobs(&[later.clone(), retried.clone(), doomed.clone()], t)
            .await
            .expect("enqueue");
        // A delayed job is not due before its time.
        let mut first = claim(&db.store, "a", 10, t).await;
        first.sort();
        let mut expected = vec![retried.id, doomed.id];
        expected.sort();
        assert_eq!(first, expected);
        assert!(
            db.store
                .fail_job(retried.id, "a", "peer unreachable", Some(t + secs(20)), t)
                .await
                .expect("fail")
        );
        assert!(
            db.store
                .fail_job(doomed.id, "a", "bad payload", None, t)
                .await
                .expect("fail")
        );
        let stats = db.store.job_stats(t + secs(1)).await.expect("stats");
        assert_eq!(
            (stats.ready, stats.scheduled, stats.running, stats.failed),
            (0, 2, 0, 1)
        );
        assert!(claim(&db.store, "a", 10, t + secs(19)).await.is_empty());
        assert_eq!(claim(&db.store, "a", 10, t + secs(21)).await, [retried.id]);
        let again = db.store.get_job(retried.id).await.expect("read").expect("job");
        assert_eq!(again.attempts, 2);
        assert_eq!(again.last_error.as_deref(), Some("peer unreachable"));
        let kept = db.store.get_job(doomed.id).await.expect("read").expect("job");
        assert_eq!(kept.status, "failed");
        assert_eq!(kept.last_error.as_deref(), Some("bad payload"));
        assert!(
            db.store
                .complete_job(retried.id, "a", t + secs(22))
                .await
                .expect("complete")
        );
        let stats = db.store.job_stats(t + secs(61)).await.expect("stats");
        assert_eq!(stats.ready, 1, "the delayed job is due now");
        assert_eq!(stats.oldest_ready_since, Some(later.run_at));
        // Finished jobs are purged after their retention; failed ones stay.
        assert_eq!(db.store.purge_done_jobs(t + secs(23)).await.expect("purge"), 1);
        assert!(db.store.get_job(doomed.id).await.expect("read").is_some());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn shutdown_hands_jobs_back_without_counting_the_attempt() {
    on_both(|db: TestDb| async move {
        let t = now();
        let j = job("example", t);
        db.store
            .enqueue_jobs(std::slice::from_ref(&j), t)
            .await
            .expect("enqueue");
        assert_eq!(claim(&db.store, "stopping", 1, t).await, [j.id]);
        assert_eq!(
            db.store.release_jobs("other", &[j.id], t).await.expect("release"),
            0,
            "only the holder releases"
        );
        assert_eq!(db.store.release_jobs("stopping", &[j.id], t).await.expect("release"), 1);
        let back = db.store.get_job(j.id).await.expect("read").expect("job");
        assert_eq!((back.status.as_str(), back.attempts), ("ready", 0));
        assert_eq!(
            claim(&db.store, "next", 1, t).await,
            [j.id],
            "ready at once for another runner"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dedupe_key_admits_one_job() {
    on_both(|db: TestDb| async move {
        let t = now();
        let mut a = job("sweep", t);
        a.dedupe_key = Some("sweep:2026-12-03T06:00".to_owned());
        let mut b = job("sweep", t);
        b.dedupe_key = a.dedupe_key.clone();
        db.store
            .enqueue_jobs(std::slice::from_ref(&a), t)
            .await
            .expect("enqueue");
        db.store
            .enqueue_jobs(std::slice::from_ref(&b), t)
            .await
            .expect("enqueue again");
        assert_eq!(claim(&db.store, "r", 10, t).await, [a.id]);
        assert!(db.store.get_job(b.id).await.expect("read").is_none());
    })
    .await;
}
