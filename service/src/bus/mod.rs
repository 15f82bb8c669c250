//! Shared coordination between replicas: the rate limiter (in-process or Redis through fred).
//! The only code that speaks to Redis.

pub mod ratelimit;

pub use ratelimit::{Decision, RateLimiter};
