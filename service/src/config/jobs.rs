//! The background job runner's settings: the reference's `RQ_DISPATCH_*` retry settings with
//! its defaults, and the runner's own.

use super::ConfigError;
use super::values::{parse_num, parse_seconds};
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct JobsConfig {
    /// First retry delay; doubled for each further retry (`RQ_DISPATCH_RETRY_BASE_SECONDS`).
    pub retry_base: Duration,
    /// Ceiling of the retry delay (`RQ_DISPATCH_RETRY_MAX_SECONDS`).
    pub retry_max: Duration,
    /// Retries after the first run; a job failing once more is kept as failed
    /// (`RQ_DISPATCH_MAX_RETRIES`).
    pub max_retries: u32,
    /// Accepted for compatibility (`RQ_DISPATCH_THROTTLE_SECONDS`) and not applied: it paced
    /// the reference's one worker loop; here `concurrency` bounds each replica instead.
    pub throttle: Duration,
    /// Jobs one replica runs at once (`JOBS_CONCURRENCY`).
    pub concurrency: u32,
    /// How often an idle runner looks for due jobs (`JOBS_POLL_SECONDS`); a job enqueued on
    /// the same replica wakes it at once.
    pub poll: Duration,
    /// How long a claim holds a job before another runner may take it over
    /// (`JOBS_LEASE_SECONDS`); renewed while the job runs.
    pub lease: Duration,
    /// How long finished jobs are kept before they are purged (`JOBS_RETENTION_HOURS`);
    /// failed jobs are kept.
    pub retention: Duration,
    /// How often stale claims are looked for (`STALE_CLAIMS_SWEEP_SECONDS`): every replica
    /// schedules the sweep, and one of them runs it per period.
    pub stale_claims_every: Duration,
}

impl JobsConfig {
    pub(super) fn from_lookup(val: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let retry_base = parse_seconds(
            &val("RQ_DISPATCH_RETRY_BASE_SECONDS"),
            "RQ_DISPATCH_RETRY_BASE_SECONDS",
            10.0,
        )?;
        let retry_max = parse_seconds(
            &val("RQ_DISPATCH_RETRY_MAX_SECONDS"),
            "RQ_DISPATCH_RETRY_MAX_SECONDS",
            120.0,
        )?;
        if retry_max < retry_base {
            return Err(ConfigError::new(
                "RQ_DISPATCH_RETRY_MAX_SECONDS",
                "a number of seconds not below RQ_DISPATCH_RETRY_BASE_SECONDS",
            ));
        }
        let max_retries: u32 = parse_num(
            &val("RQ_DISPATCH_MAX_RETRIES"),
            "RQ_DISPATCH_MAX_RETRIES",
            3,
            "an integer 0-100",
        )?;
        if max_retries > 100 {
            return Err(ConfigError::new("RQ_DISPATCH_MAX_RETRIES", "an integer 0-100"));
        }
        let throttle = parse_seconds(
            &val("RQ_DISPATCH_THROTTLE_SECONDS"),
            "RQ_DISPATCH_THROTTLE_SECONDS",
            15.0,
        )?;
        let concurrency: u32 = parse_num(&val("JOBS_CONCURRENCY"), "JOBS_CONCURRENCY", 4, "an integer 1-256")?;
        if !(1..=256).contains(&concurrency) {
            return Err(ConfigError::new("JOBS_CONCURRENCY", "an integer 1-256"));
        }
        let poll = parse_seconds(&val("JOBS_POLL_SECONDS"), "JOBS_POLL_SECONDS", 1.0)?;
        if poll < Duration::from_millis(10) {
            return Err(ConfigError::new(
                "JOBS_POLL_SECONDS",
                "a number of seconds of at least 0.01",
            ));
        }
        let lease = parse_seconds(&val("JOBS_LEASE_SECONDS"), "JOBS_LEASE_SECONDS", 60.0)?;
        if lease < Duration::from_secs(1) {
            return Err(ConfigError::new(
                "JOBS_LEASE_SECONDS",
                "a number of seconds of at least 1",
            ));
        }
        let retention_hours: u32 = parse_num(
            &val("JOBS_RETENTION_HOURS"),
            "JOBS_RETENTION_HOURS",
            168,
            "an integer 1-8760",
        )?;
        if !(1..=8760).contains(&retention_hours) {
            return Err(ConfigError::new("JOBS_RETENTION_HOURS", "an integer 1-8760"));
        }
        let stale_claims_every = parse_seconds(&val("STALE_CLAIMS_SWEEP_SECONDS"), "STALE_CLAIMS_SWEEP_SECONDS", 30.0)?;
        if !(Duration::from_secs(1)..=Duration::from_secs(3600)).contains(&stale_claims_every) {
            return Err(ConfigError::new(
                "STALE_CLAIMS_SWEEP_SECONDS",
                "a number of seconds from 1 to 3600",
            ));
        }
        Ok(Self {
            stale_claims_every,
            retry_base,
            retry_max,
            max_retries,
            throttle,
            concurrency,
            poll,
            lease,
            retention: Duration::from_secs(u64::from(retention_hours) * 3600),
        })
    }
}
