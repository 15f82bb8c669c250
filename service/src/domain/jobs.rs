//! What happens to a background job after a run: the retry schedule (the reference's
//! exponential backoff with a little jitter) and when to give up.

use std::time::Duration;

/// The retry settings (`RQ_DISPATCH_RETRY_BASE_SECONDS`, `RQ_DISPATCH_RETRY_MAX_SECONDS`,
/// `RQ_DISPATCH_MAX_RETRIES`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    pub base: Duration,
    pub max: Duration,
    pub max_retries: u32,
}

/// How a run ended, as the job's code reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
    /// Worth another try later (a peer was unreachable, a timeout).
    Transient(String),
    /// Retrying cannot help (the payload names something malformed); kept as failed at once.
    Permanent(String),
}

/// What to do with a job whose run failed.
#[derive(Debug, Clone, PartialEq)]
pub enum AfterFailure {
    RetryIn(Duration),
    GiveUp,
}

/// The decision after the `attempts`-th run (1 for the first) failed. A transient failure is
/// retried `max_retries` times, the n-th retry after `min(base · 2^(n-1), max)` plus jitter of
/// up to a tenth of that delay (`jitter` in `[0, 1)` picks where in that range); then, or at
/// once for a permanent failure, the job is kept as failed.
pub fn after_failure(policy: &RetryPolicy, attempts: u32, error: &RunError, jitter: f64) -> AfterFailure {
    if matches!(error, RunError::Permanent(_)) || attempts > policy.max_retries {
        return AfterFailure::GiveUp;
    }
    let doublings = attempts.saturating_sub(1).min(30);
    let delay = policy.base.saturating_mul(1u32 << doublings).min(policy.max);
    let spread = delay.mul_f64(0.1).min(policy.max.mul_f64(0.1));
    AfterFailure::RetryIn(delay + spread.mul_f64(jitter.clamp(0.0, 1.0)))
}

/// Whether a claimed job has already used up its runs (its earlier runners died holding it):
/// it is kept as failed without running again.
pub fn runs_exhausted(policy: &RetryPolicy, attempts: u32) -> bool {
    attempts > policy.max_retries.saturating_add(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: RetryPolicy = RetryPolicy {
        base: Duration::from_secs(10),
        max: Duration::from_secs(120),
        max_retries: 3,
    };

    fn transient() -> RunError {
        RunError::Transient("gateway unreachable".into())
    }

    #[test]
    fn retries_double_from_the_base_without_jitter() {
        assert_eq!(
            after_failure(&POLICY, 1, &transient(), 0.0),
            AfterFailure::RetryIn(Duration::from_secs(10))
        );
        assert_eq!(
            after_failure(&POLICY, 2, &transient(), 0.0),
            AfterFailure::RetryIn(Duration::from_secs(20))
        );
        assert_eq!(
            after_failure(&POLICY, 3, &transient(), 0.0),
            AfterFailure::RetryIn(Duration::from_secs(40))
        );
    }

    #[test]
    fn the_run_after_the_last_retry_gives_up() {
        assert_eq!(after_failure(&POLICY, 4, &transient(), 0.0), AfterFailure::GiveUp);
        let none = RetryPolicy {
            max_retries: 0,
            ..POLICY
        };
        assert_eq!(after_failure(&none, 1, &transient(), 0.5), AfterFailure::GiveUp);
    }

    #[test]
    fn delays_stop_at_the_ceiling_and_jitter_adds_at_most_a_tenth() {
        let many = RetryPolicy {
            max_retries: 50,
            ..POLICY
        };
        assert_eq!(
            after_failure(&many, 40, &transient(), 0.0),
            AfterFailure::RetryIn(Duration::from_secs(120))
        );
        let AfterFailure::RetryIn(top) = after_failure(&many, 40, &transient(), 0.999_999) else {
            panic!()
        };
        assert!(
            top > Duration::from_secs(131) && top < Duration::from_secs(132),
            "{top:?}"
        );
        let AfterFailure::RetryIn(d) = after_failure(&POLICY, 1, &transient(), 0.5) else {
            panic!()
        };
        assert_eq!(d, Duration::from_millis(10_500));
    }

    #[test]
    fn permanent_failures_are_not_retried() {
        assert_eq!(
            after_failure(&POLICY, 1, &RunError::Permanent("bad payload".into()), 0.0),
            AfterFailure::GiveUp
        );
    }

    #[test]
    fn a_job_whose_runners_kept_dying_is_not_run_forever() {
        assert!(!runs_exhausted(&POLICY, 4));
        assert!(runs_exhausted(&POLICY, 5));
    }
}
