//! Row types filled by `FromRow` on either backend, and the inputs and outcomes of writes,
//! one file per resource.

mod activity;
mod agents;
mod approvals;
mod board_groups;
mod boards;
mod custom_fields;
mod dashboard;
mod gateways;
mod group_memory;
mod jobs;
mod lifecycle;
mod memory;
mod organizations;
mod skills;
mod tags;
mod tasks;
mod users;
mod webhooks;

pub use activity::*;
pub use agents::*;
pub use approvals::*;
pub use board_groups::*;
pub use boards::*;
pub use custom_fields::*;
pub use dashboard::*;
pub use gateways::*;
pub use group_memory::*;
pub use jobs::*;
pub use lifecycle::*;
pub use memory::*;
pub use organizations::*;
pub use skills::*;
pub use tags::*;
pub use tasks::*;
pub use users::*;
pub use webhooks::*;
