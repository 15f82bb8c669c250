//! Sliding-window rate limits keyed by limiter name and client IP.
//!
//! The window keeps the most recent `requests` attempts, refused ones included, so a client
//! that keeps hammering stays refused. `Memory` counts per process; `Redis` keeps the window
//! in one sorted set per key and decides in a single atomic round trip (a Lua script), so
//! every replica shares one budget. When Redis fails the request is allowed (fail-open): one
//! warning per outage, a counter per degraded decision, and recovery on the next success.
//!
//! A client refused by Redis is refused locally, without a round trip, until the time Redis
//! gave for its oldest attempt to leave the window: a flood from one address costs the
//! replica a map lookup, not a Redis call. The attempts refused locally are not forgotten:
//! every 200 ms (and on the next call to Redis for that key) they are written to the shared
//! window, at most `requests` of them, stamped with the time of the latest. A client that
//! keeps hammering therefore stays refused on every replica, as if each attempt had gone to
//! Redis, with the other replicas at most one flush behind.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fred::prelude::*;
use fred::types::scripts::Script;

use crate::config::RateLimit;
use crate::telemetry::metrics::Metrics;

/// The outcome of one rate-limit check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// When the oldest attempt in the window leaves it.
    pub reset_after: Duration,
}

#[derive(Clone)]
pub enum RateLimiter {
    Memory(Arc<MemoryLimiter>),
    Redis(Arc<RedisLimiter>),
}

impl RateLimiter {
    pub fn memory() -> Self {
        Self::Memory(Arc::new(MemoryLimiter::default()))
    }

    /// Connects to Redis and loads the script; fails when Redis cannot be reached now.
    /// Also starts the task that writes locally refused attempts to Redis; it ends with
    /// the limiter.
    pub async fn redis(url: &str, prefix: &str, metrics: Metrics) -> Result<Self, fred::error::Error> {
        let limiter = Arc::new(RedisLimiter::connect(url, prefix, metrics).await?);
        tokio::spawn(flush_refusals(Arc::downgrade(&limiter)));
        Ok(Self::Redis(limiter))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Memory(_) => "memory",
            Self::Redis(_) => "redis",
        }
    }

    /// Records an attempt by `ip` against the `name` budget and says whether it is allowed.
    pub async fn check(&self, name: &'static str, ip: IpAddr, limit: RateLimit) -> Decision {
        match self {
            Self::Memory(m) => m.check(name, ip, limit, Instant::now()),
            Self::Redis(r) => r.check(name, ip, limit).await,
        }
    }

    /// Readiness detail: `None` when there is no Redis, else whether it answers a PING.
    pub async fn redis_reachable(&self) -> Option<bool> {
        match self {
            Self::Memory(_) => None,
            Self::Redis(r) => Some(r.ping().await),
        }
    }
}

/// Per-process windows.
#[derive(Default)]
pub struct MemoryLimiter {
    windows: Mutex<HashMap<(&'static str, IpAddr), VecDeque<Instant>>>,
}

/// How many keys may accumulate before idle ones are swept.
const SWEEP_THRESHOLD: usize = 10_000;

impl MemoryLimiter {
    pub fn check(&self, name: &'static str, ip: IpAddr, limit: RateLimit, now: Instant) -> Decision {
        let mut windows = self.windows.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() >= SWEEP_THRESHOLD {
            windows.retain(|_, w| w.back().is_some_and(|last| now.duration_since(*last) < limit.window));
        }
        let window = windows.entry((name, ip)).or_default();
        while window.front().is_some_and(|t| now.duration_since(*t) >= limit.window) {
            window.pop_front();
        }
        let max = limit.requests as usize;
        let allowed = window.len() < max;
        window.push_back(now);
        while window.len() > max {
            window.pop_front();
        }
        let oldest = window.front().copied().unwrap_or(now);
        Decision {
            allowed,
            limit: limit.requests,
            remaining: u32::try_from(max.saturating_sub(window.len())).unwrap_or(0),
            reset_after: limit.window.saturating_sub(now.duration_since(oldest)),
        }
    }
}

/// KEYS[1] window key; ARGV: window ms, limit, unique member suffix, attempts refused locally
/// since the last call (already capped at the limit), and how many ms ago the latest was.
/// Returns {allowed 0/1, attempts in window after this one, ms until the oldest leaves}.
const SLIDING_WINDOW_LUA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local refused = tonumber(ARGV[4])
local refused_at = now - tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if refused > 0 and refused_at > now - window then
  for i = 1, refused do
    redis.call('ZADD', KEYS[1], refused_at, refused_at .. '-' .. ARGV[3] .. '-' .. i)
  end
end
local count = redis.call('ZCARD', KEYS[1])
redis.call('ZADD', KEYS[1], now, now .. '-' .. ARGV[3])
if count + 1 > limit then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, count - limit)
end
redis.call('PEXPIRE', KEYS[1], window)
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local reset = window
if oldest[2] then reset = tonumber(oldest[2]) + window - now end
local allowed = 0
if count < limit then allowed = 1 end
return {allowed, math.min(count + 1, limit), reset}
";

/// KEYS[1] window key; ARGV: window ms, limit, unique member suffix, attempts refused
/// locally, how many ms ago the latest was. Records them without deciding anything.
const RECORD_REFUSALS_LUA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local at = now - tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if at > now - window then
  for i = 1, tonumber(ARGV[4]) do
    redis.call('ZADD', KEYS[1], at, at .. '-' .. ARGV[3] .. '-' .. i)
  end
end
local count = redis.call('ZCARD', KEYS[1])
if count > limit then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, count - limit - 1)
end
redis.call('PEXPIRE', KEYS[1], window)
return count
";

/// How often attempts refused locally are written to the shared window.
const REFUSAL_FLUSH_INTERVAL: Duration = Duration::from_millis(200);

/// A key Redis refused: refused here until `until`, counting the attempts meanwhile.
struct LocalDenial {
    until: Instant,
    limit: RateLimit,
    refused: u32,
    latest: Instant,
}

type DenialMap = HashMap<(&'static str, IpAddr), LocalDenial>;

pub struct RedisLimiter {
    client: Client,
    script: Script,
    record: Script,
    prefix: String,
    degraded: AtomicBool,
    denied: Mutex<DenialMap>,
    metrics: Metrics,
}

impl RedisLimiter {
    async fn connect(url: &str, prefix: &str, metrics: Metrics) -> Result<Self, fred::error::Error> {
        let config = Config::from_url(url)?;
        let client = Builder::from_config(config)
            .with_connection_config(|c| {
                c.connection_timeout = Duration::from_secs(2);
                c.internal_command_timeout = Duration::from_secs(2);
                c.max_command_attempts = 1;
            })
            .with_performance_config(|p| {
                // A decision must never hold a request for long: fail open instead.
                p.default_command_timeout = Duration::from_millis(500);
            })
            .set_policy(ReconnectPolicy::new_exponential(0, 100, 2_000, 2))
            .build()?;
        client.init().await?;
        let script = Script::from_lua(SLIDING_WINDOW_LUA);
        script.load(&client).await?;
        let record = Script::from_lua(RECORD_REFUSALS_LUA);
        record.load(&client).await?;
        Ok(Self {
            client,
            script,
            record,
            prefix: prefix.to_owned(),
            degraded: AtomicBool::new(false),
            denied: Mutex::new(HashMap::new()),
            metrics,
        })
    }

    fn key(&self, name: &str, ip: IpAddr) -> String {
        format!("{}:{name}:{ip}", self.prefix)
    }

    /// Best effort: a failure loses these refusals, never a decision.
    async fn record_refusals(&self, name: &'static str, ip: IpAddr, limit: RateLimit, refused: u32, ago: Duration) {
        let result: Result<i64, _> = self
            .record
            .evalsha_with_reload(&self.client, self.key(name, ip), window_args(limit, refused, ago))
            .await;
        if let Err(e) = result {
            tracing::debug!(limiter = name, error = %e, "could not record locally refused attempts");
        }
    }

    fn denials(&self) -> std::sync::MutexGuard<'_, DenialMap> {
        self.denied.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn check(&self, name: &'static str, ip: IpAddr, limit: RateLimit) -> Decision {
        let now = Instant::now();
        let (refused, refused_ago) = match local_denial(&mut self.denials(), (name, ip), limit, now) {
            Ok(decision) => return decision,
            Err(carried) => carried,
        };
        let result: Result<Vec<i64>, _> = self
            .script
            .evalsha_with_reload(
                &self.client,
                self.key(name, ip),
                window_args(limit, refused, refused_ago),
            )
            .await;
        match result {
            Ok(v) if v.len() == 3 => {
                if self.degraded.swap(false, Ordering::Relaxed) {
                    tracing::info!(limiter = name, "redis rate limiter recovered");
                }
                let decision = Decision {
                    allowed: v[0] == 1,
                    limit: limit.requests,
                    remaining: limit.requests.saturating_sub(u32::try_from(v[1]).unwrap_or(u32::MAX)),
                    reset_after: Duration::from_millis(u64::try_from(v[2].max(0)).unwrap_or(0)),
                };
                if !decision.allowed {
                    remember_denial(
                        &mut self.denials(),
                        (name, ip),
                        limit,
                        decision.reset_after,
                        Instant::now(),
                    );
                }
                decision
            }
            other => {
                if !self.degraded.swap(true, Ordering::Relaxed) {
                    let reason = match other {
                        Err(e) => e.to_string(),
                        Ok(v) => format!("unexpected script reply of {} values", v.len()),
                    };
                    tracing::warn!(limiter = name, error = %reason, "redis rate limiter unavailable; allowing requests (fail-open) until it recovers");
                }
                self.metrics.rate_limit_degraded(name);
                Decision {
                    allowed: true,
                    limit: limit.requests,
                    remaining: limit.requests,
                    reset_after: limit.window,
                }
            }
        }
    }

    async fn ping(&self) -> bool {
        tokio::time::timeout(Duration::from_secs(1), self.client.ping::<String>(None))
            .await
            .is_ok_and(|r| r.is_ok())
    }
}

/// ARGV of both scripts: window ms, limit, a unique member suffix, refusals carried, and
/// how many ms ago the latest was.
fn window_args(limit: RateLimit, refused: u32, ago: Duration) -> Vec<String> {
    vec![
        limit.window.as_millis().to_string(),
        limit.requests.to_string(),
        uuid::Uuid::new_v4().simple().to_string(),
        refused.to_string(),
        ago.as_millis().to_string(),
    ]
}

/// `Ok(refusal)` while `key` is refused locally (the attempt is counted); otherwise
/// `Err((attempts refused locally since the last Redis call, how long ago the latest was))`
/// for that call to record, capped at the budget (older ones would be trimmed anyway) and
/// dropped once the latest has left the window.
fn local_denial(
    denied: &mut DenialMap,
    key: (&'static str, IpAddr),
    limit: RateLimit,
    now: Instant,
) -> Result<Decision, (u32, Duration)> {
    if let Some(d) = denied.get_mut(&key)
        && now < d.until
    {
        d.refused = d.refused.saturating_add(1);
        d.latest = now;
        return Ok(Decision {
            allowed: false,
            limit: limit.requests,
            remaining: 0,
            reset_after: d.until - now,
        });
    }
    // Run out (or never there): back to Redis with whatever it counted.
    Err(denied
        .remove(&key)
        .map_or((0, Duration::ZERO), |mut d| take_refusals(&mut d, now)))
}

/// The refusals `d` has counted since they were last taken (capped at the budget, none once
/// the latest has left the window) and how long ago the latest was; resets the count.
fn take_refusals(d: &mut LocalDenial, now: Instant) -> (u32, Duration) {
    let refused = std::mem::take(&mut d.refused);
    let ago = now.duration_since(d.latest);
    if refused == 0 || ago >= d.limit.window {
        (0, Duration::ZERO)
    } else {
        (refused.min(d.limit.requests), ago)
    }
}

/// Every `REFUSAL_FLUSH_INTERVAL`, writes the attempts refused locally to the shared windows
/// and forgets denials that have run out; ends when the limiter is dropped.
async fn flush_refusals(limiter: std::sync::Weak<RedisLimiter>) {
    let mut tick = tokio::time::interval(REFUSAL_FLUSH_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(limiter) = limiter.upgrade() else { return };
        let now = Instant::now();
        let batch: Vec<_> = {
            let mut denied = limiter.denials();
            let batch = denied
                .iter_mut()
                .filter_map(|(&(name, ip), d)| {
                    let (refused, ago) = take_refusals(d, now);
                    (refused > 0).then_some((name, ip, d.limit, refused, ago))
                })
                .collect();
            // Every count was just taken: only the denial's own expiry keeps an entry.
            denied.retain(|_, d| now < d.until);
            batch
        };
        for (name, ip, limit, refused, ago) in batch {
            limiter.record_refusals(name, ip, limit, refused, ago).await;
        }
    }
}

/// Refuses `key` locally for `reset_after` from `now`.
fn remember_denial(
    denied: &mut DenialMap,
    key: (&'static str, IpAddr),
    limit: RateLimit,
    reset_after: Duration,
    now: Instant,
) {
    if reset_after.is_zero() {
        return;
    }
    if denied.len() >= SWEEP_THRESHOLD {
        denied.retain(|_, d| now < d.until);
    }
    // A concurrent refusal may have made the entry already: keep what it counted.
    let d = denied.entry(key).or_insert(LocalDenial {
        until: now,
        limit,
        refused: 0,
        latest: now,
    });
    d.until = d.until.max(now + reset_after);
    d.limit = limit;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_window_refuses_over_budget_and_counts_refusals() {
        let limiter = MemoryLimiter::default();
        let limit = RateLimit {
            requests: 3,
            window: Duration::from_secs(60),
        };
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let t0 = Instant::now();
        for i in 0..3 {
            let d = limiter.check("agent_auth", ip, limit, t0 + Duration::from_secs(i));
            assert!(d.allowed);
            assert_eq!(d.remaining, 2 - i as u32);
        }
        let refused = limiter.check("agent_auth", ip, limit, t0 + Duration::from_secs(10));
        assert!(!refused.allowed);
        // The refusal itself counts: the window slides to start at t0+1s.
        assert_eq!(refused.reset_after, Duration::from_secs(51));
        // Another IP has its own budget, another limiter too.
        assert!(
            limiter
                .check("agent_auth", "10.0.0.2".parse().unwrap(), limit, t0)
                .allowed
        );
        assert!(limiter.check("webhook", ip, limit, t0).allowed);
        // Once the window has passed, attempts are allowed again.
        assert!(
            limiter
                .check("agent_auth", ip, limit, t0 + Duration::from_secs(71))
                .allowed
        );
    }

    #[test]
    fn a_local_denial_refuses_until_reset_then_hands_its_count_to_redis() {
        let limit = RateLimit {
            requests: 5,
            window: Duration::from_secs(60),
        };
        let key = ("agent_auth", "10.0.0.9".parse().unwrap());
        let other = ("agent_auth", "10.0.0.10".parse().unwrap());
        let mut denied = DenialMap::new();
        let t0 = Instant::now();
        assert_eq!(local_denial(&mut denied, key, limit, t0), Err((0, Duration::ZERO)));

        remember_denial(&mut denied, key, limit, Duration::from_secs(10), t0);
        for i in 1..=7 {
            let d = local_denial(&mut denied, key, limit, t0 + Duration::from_secs(i)).unwrap();
            assert!(!d.allowed);
            assert_eq!(d.remaining, 0);
            assert_eq!(d.reset_after, Duration::from_secs(10 - i));
        }
        assert!(
            local_denial(&mut denied, other, limit, t0).is_err(),
            "other keys go to Redis"
        );
        // Past the reset: back to Redis, carrying the refusals (capped at the budget) and
        // how long ago the latest one was; the entry is gone.
        assert_eq!(
            local_denial(&mut denied, key, limit, t0 + Duration::from_secs(12)),
            Err((5, Duration::from_secs(5)))
        );
        assert!(denied.is_empty());

        // Refusals older than the window are not carried.
        remember_denial(&mut denied, key, limit, Duration::from_secs(1), t0);
        local_denial(&mut denied, key, limit, t0).unwrap();
        assert_eq!(
            local_denial(&mut denied, key, limit, t0 + Duration::from_secs(61)),
            Err((0, Duration::ZERO))
        );
    }
}
