//! Shared coordination between replicas: the rate limiter and the event fan-out, each
//! in-process or through Redis (fred).
//! The only code that speaks to Redis.

pub mod events;
pub mod outbox;
pub mod ratelimit;

pub use events::{BusEvent, EventBus, Topic};
pub use outbox::Outbox;
pub use ratelimit::{Decision, RateLimiter};
