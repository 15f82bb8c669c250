//! Tasks and the tag references they carry.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde::de::{Deserializer, Error as _};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{MissingField, double_option, opt_timestamp};
use crate::domain::tasks::TaskStatus;
use crate::store::{TagRef, TaskRecord};

#[derive(Debug, Serialize, ToSchema)]
pub struct TagRefRead {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub color: String,
}

impl From<TagRef> for TagRefRead {
    fn from(t: TagRef) -> Self {
        Self {
            id: t.id,
            name: t.name,
            slug: t.slug,
            color: t.color,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskRead {
    pub id: Uuid,
    pub board_id: Option<Uuid>,
    pub title: String,
    pub description: Option<String>,
    #[schema(value_type = String)]
    pub status: String,
    pub priority: String,
    #[serde(serialize_with = "super::time::utc_opt")]
    pub due_at: Option<NaiveDateTime>,
    #[serde(serialize_with = "super::time::utc_opt")]
    pub in_progress_at: Option<NaiveDateTime>,
    pub created_by_user_id: Option<Uuid>,
    pub assigned_agent_id: Option<Uuid>,
    pub depends_on_task_ids: Vec<Uuid>,
    pub blocked_by_task_ids: Vec<Uuid>,
    pub is_blocked: bool,
    pub tag_ids: Vec<Uuid>,
    pub tags: Vec<TagRefRead>,
    #[schema(value_type = Option<Object>)]
    pub custom_field_values: Option<BTreeMap<String, Value>>,
    #[serde(serialize_with = "super::time::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::time::utc")]
    pub updated_at: NaiveDateTime,
}

impl From<TaskRecord> for TaskRead {
    fn from(v: TaskRecord) -> Self {
        let t = v.task;
        Self {
            id: t.id,
            board_id: Some(t.board_id),
            title: t.title,
            description: t.description,
            status: t.status,
            priority: t.priority,
            due_at: t.due_at,
            in_progress_at: t.in_progress_at,
            created_by_user_id: t.created_by_user_id,
            assigned_agent_id: t.assigned_agent_id,
            is_blocked: !v.blocked_by_task_ids.is_empty(),
            depends_on_task_ids: v.depends_on_task_ids,
            blocked_by_task_ids: v.blocked_by_task_ids,
            tag_ids: v.tags.iter().map(|t| t.id).collect(),
            tags: v.tags.into_iter().map(TagRefRead::from).collect(),
            custom_field_values: Some(v.custom_field_values),
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// A new task: `title` is required, the rest as in [`TaskWrite`].
#[derive(Debug, Deserialize, ToSchema)]
#[serde(try_from = "TaskChanges")]
pub struct TaskCreate {
    #[schema(pattern = r"\S")]
    pub title: String,
    #[serde(flatten)]
    pub fields: TaskChanges,
}

impl TryFrom<TaskChanges> for TaskCreate {
    type Error = MissingField;

    fn try_from(mut fields: TaskChanges) -> Result<Self, MissingField> {
        Ok(Self {
            title: fields.title.take().ok_or(MissingField("title"))?,
            fields,
        })
    }
}

fn status_of<'de, D: Deserializer<'de>>(d: D) -> Result<Option<TaskStatus>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) => TaskStatus::parse(&s)
            .map(Some)
            .ok_or_else(|| D::Error::custom("Input should be 'inbox', 'in_progress', 'review' or 'done'")),
    }
}

// `TaskWrite` in the contract; `TaskChanges` here, as `store::TaskChange` is what a write returns.
/// Task fields for create (`title` required) and update (all optional).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = TaskWrite)]
pub struct TaskChanges {
    #[schema(pattern = r"\S")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "status_of")]
    #[schema(schema_with = super::schema::task_status)]
    pub status: Option<TaskStatus>,
    #[schema(pattern = r"\S")]
    pub priority: Option<String>,
    #[serde(default, deserialize_with = "opt_timestamp")]
    #[schema(value_type = Option<NaiveDateTime>)]
    pub due_at: Option<Option<NaiveDateTime>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub assigned_agent_id: Option<Option<Uuid>>,
    /// Ignored: the creator is the caller.
    pub created_by_user_id: Option<Uuid>,
    pub depends_on_task_ids: Option<Vec<Uuid>>,
    pub tag_ids: Option<Vec<Uuid>>,
    #[schema(value_type = Option<Object>)]
    pub custom_field_values: Option<BTreeMap<String, Value>>,
    #[schema(min_length = 1, pattern = r"\S")]
    pub comment: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_bodies_tell_null_from_absent() {
        let w: TaskChanges = serde_json::from_str(r#"{"assigned_agent_id": null}"#).unwrap();
        assert_eq!(w.assigned_agent_id, Some(None));
        let w: TaskChanges = serde_json::from_str("{}").unwrap();
        assert_eq!(w.assigned_agent_id, None);
    }
}
