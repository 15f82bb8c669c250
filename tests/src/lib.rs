//! Support for black-box tests of the built `mission-control` binary, one module per thing a
//! test starts or owns:
//!
//! - `service`: the service process, its environment and its output;
//! - `api`: HTTP requests to it, the `ok` assertion, fixtures made through the API;
//! - `sse`: its live streams;
//! - `dependencies`: a PostgreSQL schema and Redis prefix per test, private servers;
//! - `backend`: the two deployments rule tests run on, and `on_both_backends!`;
//! - `gateway_double`: a protocol-faithful stand-in for an OpenClaw gateway;
//! - `idp`: a stand-in identity provider for Clerk mode;
//! - `environment`: the one reader of the process environment.

pub mod api;
pub mod backend;
pub mod dependencies;
pub mod environment;
pub mod gateway_double;
pub mod idp;
pub mod service;
pub mod souls;
pub mod sse;

pub use api::{client, eventually, id, init, items, json_of};
pub use backend::{Backend, Database, Deployment};
pub use dependencies::{PrivateServer, TestDb, free_port, postgres_admin_url, redis_prefix, redis_url};
pub use service::{Launch, Service, binary, script, target_dir, workspace_root};
pub use sse::{SseEvent, SseReader, open_stream};

/// A local token that passes the service's checks.
pub const TOKEN: &str = "test-token-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ";
