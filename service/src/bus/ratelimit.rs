//! Sliding-window rate limits keyed by limiter name and client IP.
//!
//! The window keeps the most recent `requests` attempts, refused ones included, so a client
//! that keeps hammering stays refused. `Memory` counts per process; `Redis` keeps the window
//! in one sorted set per key and decides in a single atomic round trip (a Lua script), so
//! every replica shares one budget. When Redis fails the request is allowed (fail-open): one
//! warning per outage, a counter per degraded decision, and recovery on the next success.

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
    pub async fn redis(url: &str, prefix: &str, metrics: Metrics) -> Result<Self, fred::error::Error> {
        Ok(Self::Redis(Arc::new(
            RedisLimiter::connect(url, prefix, metrics).await?,
        )))
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

/// KEYS[1] window key; ARGV: window ms, limit, unique member suffix.
/// Returns {allowed 0/1, attempts in window after this one, ms until the oldest leaves}.
const SLIDING_WINDOW_LUA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
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

pub struct RedisLimiter {
    client: Client,
    script: Script,
    prefix: String,
    degraded: AtomicBool,
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
        Ok(Self {
            client,
            script,
            prefix: prefix.to_owned(),
            degraded: AtomicBool::new(false),
            metrics,
        })
    }

    async fn check(&self, name: &'static str, ip: IpAddr, limit: RateLimit) -> Decision {
        let key = format!("{}:{name}:{ip}", self.prefix);
        let window_ms = u64::try_from(limit.window.as_millis()).unwrap_or(u64::MAX);
        let member = uuid::Uuid::new_v4().simple().to_string();
        let result: Result<Vec<i64>, _> = self
            .script
            .evalsha_with_reload(
                &self.client,
                key,
                vec![window_ms.to_string(), limit.requests.to_string(), member],
            )
            .await;
        match result {
            Ok(v) if v.len() == 3 => {
                if self.degraded.swap(false, Ordering::Relaxed) {
                    tracing::info!(limiter = name, "redis rate limiter recovered");
                }
                Decision {
                    allowed: v[0] == 1,
                    limit: limit.requests,
                    remaining: limit.requests.saturating_sub(u32::try_from(v[1]).unwrap_or(u32::MAX)),
                    reset_after: Duration::from_millis(u64::try_from(v[2].max(0)).unwrap_or(0)),
                }
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
}
