//! The reference's own examples, one rule at a time, on both storage backends: the caller,
//! gateways and boards, agents and their tokens, tasks, and the agent side.

mod agents;
mod boards;
mod identity;
mod migrate;
mod tasks;
