//! Task workflow rules through the API: board gates on status changes, dependency blocking
//! and the reopen cascade, notifications recorded as activity, and concurrent writes.

mod concurrency;
mod dependencies;
mod gates;
mod notifications;
