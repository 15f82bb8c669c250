//! The catalog: tags, custom fields, board groups and their snapshots.

mod board_groups;
mod custom_fields;
mod group_memory;
mod group_snapshots;
mod tags;
