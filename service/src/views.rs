//! Request bodies and read models, field for field as the reference contract names them;
//! used for HTTP bodies and for the data of live-stream events.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde::de::{Deserializer, Error as _};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::tasks::TaskStatus;
use crate::domain::{Paged, computed_agent_status, now};
use crate::store::{AgentRow, BoardRow, GatewayRow, OrganizationRow, TagRef, TaskView, UserRow};

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
pub fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Parses an ISO-8601 timestamp with or without offset into naive UTC.
pub fn parse_timestamp(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if let Ok(aware) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(aware.naive_utc());
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
            return Some(t);
        }
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

/// A nullable timestamp field of a PATCH body (absent / null / value).
pub fn opt_timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<NaiveDateTime>>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(Some(None)),
        Some(s) => parse_timestamp(&s)
            .map(|t| Some(Some(t)))
            .ok_or_else(|| D::Error::custom("Input should be a valid datetime")),
    }
}

/// A page of results, as every list endpoint returns it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

impl<T: ToSchema> Page<T> {
    pub fn from<R>(paged: Paged<R>, page: crate::domain::Page, f: impl FnMut(R) -> T) -> Self {
        let paged = paged.map(f);
        Self {
            items: paged.items,
            total: paged.total,
            limit: page.limit,
            offset: page.offset,
        }
    }
}

/// A page is answered as JSON with `X-Total-Count`, `X-Limit` and `X-Offset` headers too.
impl<T: ToSchema + Serialize> axum::response::IntoResponse for Page<T> {
    fn into_response(self) -> axum::response::Response {
        let headers = [
            ("x-total-count", self.total.to_string()),
            ("x-limit", self.limit.to_string()),
            ("x-offset", self.offset.to_string()),
        ];
        (headers, axum::Json(self)).into_response()
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OkResponse {
    pub ok: bool,
}

impl OkResponse {
    pub const fn ok() -> Self {
        Self { ok: true }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthStatus {
    pub ok: bool,
}

// ------------------------------------------------------------------ users / organizations

#[derive(Debug, Serialize, ToSchema)]
pub struct UserRead {
    pub id: Uuid,
    pub clerk_user_id: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub preferred_name: Option<String>,
    pub pronouns: Option<String>,
    pub timezone: Option<String>,
    pub notes: Option<String>,
    pub context: Option<String>,
    pub is_super_admin: bool,
}

impl From<UserRow> for UserRead {
    fn from(u: UserRow) -> Self {
        Self {
            id: u.id,
            clerk_user_id: u.clerk_user_id,
            email: u.email,
            name: u.name,
            preferred_name: u.preferred_name,
            pronouns: u.pronouns,
            timezone: u.timezone,
            notes: u.notes,
            context: u.context,
            is_super_admin: u.is_super_admin,
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct UserUpdate {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub preferred_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub pronouns: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub timezone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub context: Option<Option<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationRead {
    pub id: Uuid,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<OrganizationRow> for OrganizationRead {
    fn from(o: OrganizationRow) -> Self {
        Self {
            id: o.id,
            name: o.name,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

// ------------------------------------------------------------------ gateways

#[derive(Debug, Serialize, ToSchema)]
pub struct GatewayRead {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub url: String,
    pub token: Option<String>,
    pub workspace_root: String,
    pub disable_device_pairing: bool,
    pub allow_insecure_tls: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<GatewayRow> for GatewayRead {
    fn from(g: GatewayRow) -> Self {
        Self {
            id: g.id,
            organization_id: g.organization_id,
            name: g.name,
            url: g.url,
            token: g.token,
            workspace_root: g.workspace_root,
            disable_device_pairing: g.disable_device_pairing,
            allow_insecure_tls: g.allow_insecure_tls,
            created_at: g.created_at,
            updated_at: g.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GatewayCreate {
    pub name: String,
    pub url: String,
    pub workspace_root: String,
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub disable_device_pairing: bool,
    #[serde(default)]
    pub allow_insecure_tls: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GatewayUpdate {
    pub name: Option<String>,
    pub url: Option<String>,
    pub workspace_root: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub token: Option<Option<String>>,
    pub disable_device_pairing: Option<bool>,
    pub allow_insecure_tls: Option<bool>,
}

// ------------------------------------------------------------------ boards

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardRead {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub gateway_id: Option<Uuid>,
    pub board_group_id: Option<Uuid>,
    pub board_type: String,
    pub objective: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub success_metrics: Option<Value>,
    pub target_date: Option<NaiveDateTime>,
    pub goal_confirmed: bool,
    pub goal_source: Option<String>,
    pub require_approval_for_done: bool,
    pub require_review_before_done: bool,
    pub comment_required_for_review: bool,
    pub block_status_changes_with_pending_approval: bool,
    pub only_lead_can_change_status: bool,
    pub max_agents: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<BoardRow> for BoardRead {
    fn from(b: BoardRow) -> Self {
        Self {
            id: b.id,
            organization_id: b.organization_id,
            name: b.name,
            slug: b.slug,
            description: b.description,
            gateway_id: b.gateway_id,
            board_group_id: b.board_group_id,
            board_type: b.board_type,
            objective: b.objective,
            success_metrics: b.success_metrics,
            target_date: b.target_date,
            goal_confirmed: b.goal_confirmed,
            goal_source: b.goal_source,
            require_approval_for_done: b.require_approval_for_done,
            require_review_before_done: b.require_review_before_done,
            comment_required_for_review: b.comment_required_for_review,
            block_status_changes_with_pending_approval: b.block_status_changes_with_pending_approval,
            only_lead_can_change_status: b.only_lead_can_change_status,
            max_agents: b.max_agents,
            created_at: b.created_at,
            updated_at: b.updated_at,
        }
    }
}

/// Board fields for create (`name`, `slug`, `description` required) and update (all optional).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct BoardWrite {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub gateway_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub board_group_id: Option<Option<Uuid>>,
    pub board_type: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub objective: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Object>)]
    pub success_metrics: Option<Option<serde_json::Map<String, Value>>>,
    #[serde(default, deserialize_with = "opt_timestamp")]
    #[schema(value_type = Option<NaiveDateTime>)]
    pub target_date: Option<Option<NaiveDateTime>>,
    pub goal_confirmed: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub goal_source: Option<Option<String>>,
    pub require_approval_for_done: Option<bool>,
    pub require_review_before_done: Option<bool>,
    pub comment_required_for_review: Option<bool>,
    pub block_status_changes_with_pending_approval: Option<bool>,
    pub only_lead_can_change_status: Option<bool>,
    #[schema(minimum = 0)]
    pub max_agents: Option<i32>,
}

impl From<BoardWrite> for crate::actions::boards::BoardInput {
    fn from(b: BoardWrite) -> Self {
        Self {
            name: b.name,
            slug: b.slug,
            description: b.description,
            gateway_id: b.gateway_id,
            board_group_id: b.board_group_id,
            board_type: b.board_type,
            objective: b.objective,
            success_metrics: b.success_metrics.map(|m| m.map(Value::Object)),
            target_date: b.target_date,
            goal_confirmed: b.goal_confirmed,
            goal_source: b.goal_source,
            require_approval_for_done: b.require_approval_for_done,
            require_review_before_done: b.require_review_before_done,
            comment_required_for_review: b.comment_required_for_review,
            block_status_changes_with_pending_approval: b.block_status_changes_with_pending_approval,
            only_lead_can_change_status: b.only_lead_can_change_status,
            max_agents: b.max_agents,
        }
    }
}

/// A new board: `name`, `slug` and `description` are required, the rest as in [`BoardWrite`].
#[derive(Debug, Deserialize, ToSchema)]
pub struct BoardCreate {
    pub name: String,
    pub slug: String,
    pub description: String,
    #[serde(flatten)]
    pub settings: BoardWrite,
}

impl From<BoardCreate> for crate::actions::boards::BoardInput {
    fn from(b: BoardCreate) -> Self {
        let mut input = Self::from(b.settings);
        input.name = Some(b.name);
        input.slug = Some(b.slug);
        input.description = Some(b.description);
        input
    }
}

// ------------------------------------------------------------------ agents

#[derive(Debug, Serialize, ToSchema)]
pub struct AgentRead {
    pub id: Uuid,
    pub board_id: Option<Uuid>,
    /// `null` for an agent whose board has no gateway (agents no gateway manages).
    pub gateway_id: Option<Uuid>,
    pub name: String,
    pub status: String,
    pub openclaw_session_id: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub heartbeat_config: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub identity_profile: Option<Value>,
    pub identity_template: Option<String>,
    pub soul_template: Option<String>,
    pub last_seen_at: Option<NaiveDateTime>,
    pub is_board_lead: bool,
    pub is_gateway_main: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<AgentRow> for AgentRead {
    fn from(a: AgentRow) -> Self {
        Self {
            status: computed_agent_status(&a.status, a.last_seen_at, now()),
            is_gateway_main: a.board_id.is_none() && a.gateway_id.is_some(),
            id: a.id,
            board_id: a.board_id,
            gateway_id: a.gateway_id,
            name: a.name,
            openclaw_session_id: a.openclaw_session_id,
            heartbeat_config: a.heartbeat_config,
            identity_profile: a.identity_profile,
            identity_template: a.identity_template,
            soul_template: a.soul_template,
            last_seen_at: a.last_seen_at,
            is_board_lead: a.is_board_lead,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AgentCreate {
    #[schema(min_length = 1)]
    pub name: String,
    pub board_id: Option<Uuid>,
    /// Accepted for compatibility; a new agent is always `provisioning`.
    pub status: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub heartbeat_config: Option<serde_json::Map<String, Value>>,
    #[schema(value_type = Option<Object>)]
    pub identity_profile: Option<serde_json::Map<String, Value>>,
    pub identity_template: Option<String>,
    pub soul_template: Option<String>,
}

/// The agent token, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgentTokenRead {
    pub agent_id: Uuid,
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgentHealthStatusResponse {
    pub ok: bool,
    pub agent_id: Uuid,
    pub board_id: Option<Uuid>,
    pub gateway_id: Option<Uuid>,
    pub status: String,
    pub is_board_lead: bool,
}

// ------------------------------------------------------------------ tasks

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
    pub due_at: Option<NaiveDateTime>,
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
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<TaskView> for TaskRead {
    fn from(v: TaskView) -> Self {
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
pub struct TaskCreate {
    pub title: String,
    #[serde(flatten)]
    pub fields: TaskWrite,
}

impl From<TaskCreate> for crate::actions::tasks::TaskInput {
    fn from(t: TaskCreate) -> Self {
        let mut input = Self::from(t.fields);
        input.title = Some(t.title);
        input
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

/// Task fields for create (`title` required) and update (all optional).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TaskWrite {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "status_of")]
    #[schema(value_type = Option<String>)]
    pub status: Option<TaskStatus>,
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
    #[schema(min_length = 1)]
    pub comment: Option<String>,
}

impl From<TaskWrite> for crate::actions::tasks::TaskInput {
    fn from(t: TaskWrite) -> Self {
        Self {
            title: t.title,
            description: t.description,
            status: t.status,
            priority: t.priority,
            due_at: t.due_at,
            assigned_agent_id: t.assigned_agent_id,
            depends_on_task_ids: t.depends_on_task_ids,
            tag_ids: t.tag_ids,
            custom_field_values: t.custom_field_values,
            comment: t.comment,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_with_and_without_offset_become_naive_utc() {
        let a = parse_timestamp("2026-11-29T13:54:27+02:00").unwrap();
        assert_eq!(a.to_string(), "2026-11-29 11:54:27");
        assert_eq!(
            parse_timestamp("2026-11-29T13:54:27.5").unwrap().to_string(),
            "2026-11-29 13:54:27.500"
        );
        assert!(parse_timestamp("yesterday").is_none());
    }

    #[test]
    fn patch_bodies_tell_null_from_absent() {
        let w: TaskWrite = serde_json::from_str(r#"{"assigned_agent_id": null}"#).unwrap();
        assert_eq!(w.assigned_agent_id, Some(None));
        let w: TaskWrite = serde_json::from_str("{}").unwrap();
        assert_eq!(w.assigned_agent_id, None);
    }
}

// ------------------------------------------------------------------ activity and comments

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActivityEventRead {
    pub id: Uuid,
    pub event_type: String,
    pub message: Option<String>,
    pub agent_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub board_id: Option<Uuid>,
    pub route_name: Option<String>,
    pub route_params: Option<BTreeMap<String, String>>,
    pub created_at: NaiveDateTime,
}

impl From<crate::store::ActivityRow> for ActivityEventRead {
    fn from(a: crate::store::ActivityRow) -> Self {
        // Points a client at the page the event is about.
        let (route_name, route_params) = match (a.board_id, a.task_id) {
            (Some(board), Some(task)) => (
                Some("board".to_owned()),
                Some(BTreeMap::from([
                    ("boardId".to_owned(), board.to_string()),
                    ("taskId".to_owned(), task.to_string()),
                ])),
            ),
            (Some(board), None) => (
                Some("board".to_owned()),
                Some(BTreeMap::from([("boardId".to_owned(), board.to_string())])),
            ),
            _ => (None, None),
        };
        Self {
            id: a.id,
            event_type: a.event_type,
            message: a.message,
            agent_id: a.agent_id,
            task_id: a.task_id,
            board_id: a.board_id,
            route_name,
            route_params,
            created_at: a.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskCommentRead {
    pub id: Uuid,
    pub message: Option<String>,
    pub agent_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub created_at: NaiveDateTime,
}

impl From<crate::store::ActivityRow> for TaskCommentRead {
    fn from(a: crate::store::ActivityRow) -> Self {
        Self {
            id: a.id,
            message: a.message,
            agent_id: a.agent_id,
            task_id: a.task_id,
            created_at: a.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TaskCommentCreate {
    #[schema(min_length = 1)]
    pub message: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActivityTaskCommentFeedItemRead {
    pub id: Uuid,
    pub created_at: NaiveDateTime,
    pub message: Option<String>,
    pub agent_id: Option<Uuid>,
    pub agent_name: Option<String>,
    pub agent_role: Option<String>,
    pub task_id: Uuid,
    pub task_title: String,
    pub board_id: Uuid,
    pub board_name: String,
}

impl From<crate::store::CommentFeedRow> for ActivityTaskCommentFeedItemRead {
    fn from(c: crate::store::CommentFeedRow) -> Self {
        Self {
            id: c.id,
            created_at: c.created_at,
            message: c.message,
            agent_role: c
                .agent_is_lead
                .map(|lead| if lead { "Board Lead" } else { "Agent" }.to_owned()),
            agent_id: c.agent_id,
            agent_name: c.agent_name,
            task_id: c.task_id,
            task_title: c.task_title,
            board_id: c.board_id,
            board_name: c.board_name,
        }
    }
}

// ------------------------------------------------------------------ organizations

#[derive(Debug, Deserialize, ToSchema)]
pub struct OrganizationCreate {
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationListItem {
    pub id: Uuid,
    pub name: String,
    pub role: String,
    pub is_active: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OrganizationActiveUpdate {
    pub organization_id: Uuid,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationUserRead {
    pub id: Uuid,
    pub email: Option<String>,
    pub name: Option<String>,
    pub preferred_name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationBoardAccessRead {
    pub id: Uuid,
    pub board_id: Uuid,
    pub can_read: bool,
    pub can_write: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<crate::store::BoardAccessRow> for OrganizationBoardAccessRead {
    fn from(a: crate::store::BoardAccessRow) -> Self {
        Self {
            id: a.id,
            board_id: a.board_id,
            can_read: a.can_read,
            can_write: a.can_write,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationMemberRead {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub user_id: Uuid,
    pub role: String,
    pub all_boards_read: bool,
    pub all_boards_write: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub user: Option<OrganizationUserRead>,
    pub board_access: Vec<OrganizationBoardAccessRead>,
}

impl OrganizationMemberRead {
    pub fn new(m: crate::store::MemberWithUser, access: Vec<crate::store::BoardAccessRow>) -> Self {
        Self {
            user: Some(OrganizationUserRead {
                id: m.user_id,
                email: m.email,
                name: m.name,
                preferred_name: m.preferred_name,
            }),
            id: m.id,
            organization_id: m.organization_id,
            user_id: m.user_id,
            role: m.role,
            all_boards_read: m.all_boards_read,
            all_boards_write: m.all_boards_write,
            created_at: m.created_at,
            updated_at: m.updated_at,
            board_access: access.into_iter().map(OrganizationBoardAccessRead::from).collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OrganizationMemberUpdate {
    pub role: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
pub struct OrganizationBoardAccessSpec {
    pub board_id: Uuid,
    #[serde(default = "yes")]
    pub can_read: bool,
    #[serde(default)]
    pub can_write: bool,
}

fn yes() -> bool {
    true
}

impl From<OrganizationBoardAccessSpec> for crate::store::BoardGrant {
    fn from(s: OrganizationBoardAccessSpec) -> Self {
        Self {
            board_id: s.board_id,
            can_read: s.can_read,
            can_write: s.can_write,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OrganizationMemberAccessUpdate {
    #[serde(default)]
    pub all_boards_read: bool,
    #[serde(default)]
    pub all_boards_write: bool,
    #[serde(default)]
    pub board_access: Vec<OrganizationBoardAccessSpec>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OrganizationInviteCreate {
    pub invited_email: String,
    #[serde(default = "member_role")]
    pub role: String,
    #[serde(default)]
    pub all_boards_read: bool,
    #[serde(default)]
    pub all_boards_write: bool,
    #[serde(default)]
    pub board_access: Vec<OrganizationBoardAccessSpec>,
}

fn member_role() -> String {
    "member".to_owned()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationInviteRead {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub invited_email: String,
    pub role: String,
    pub all_boards_read: bool,
    pub all_boards_write: bool,
    pub token: String,
    pub created_by_user_id: Option<Uuid>,
    pub accepted_by_user_id: Option<Uuid>,
    pub accepted_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<crate::store::InviteRow> for OrganizationInviteRead {
    fn from(i: crate::store::InviteRow) -> Self {
        Self {
            id: i.id,
            organization_id: i.organization_id,
            invited_email: i.invited_email,
            role: i.role,
            all_boards_read: i.all_boards_read,
            all_boards_write: i.all_boards_write,
            token: i.token,
            created_by_user_id: i.created_by_user_id,
            accepted_by_user_id: i.accepted_by_user_id,
            accepted_at: i.accepted_at,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OrganizationInviteAccept {
    pub token: String,
}

// ------------------------------------------------------------------ snapshot

/// A task as the board page shows it: the read model plus assignee name and approval counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskCardRead {
    #[serde(flatten)]
    pub task: TaskRead,
    pub assignee: Option<String>,
    pub approvals_count: i64,
    pub approvals_pending_count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardSnapshot {
    pub board: BoardRead,
    pub tasks: Vec<TaskCardRead>,
    pub agents: Vec<AgentRead>,
    /// The board's newest approvals.
    pub approvals: Vec<ApprovalRead>,
    /// The board's latest chat messages, oldest first.
    pub chat_messages: Vec<BoardMemoryRead>,
    pub pending_approvals_count: i64,
}

// ------------------------------------------------------------------ dashboard

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardKpis {
    pub active_agents: i64,
    pub tasks_in_progress: i64,
    pub inbox_tasks: i64,
    pub in_progress_tasks: i64,
    pub review_tasks: i64,
    pub done_tasks: i64,
    pub error_rate_pct: f64,
    pub median_cycle_time_hours_7d: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardSeriesPoint {
    pub period: NaiveDateTime,
    pub value: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardRangeSeries {
    pub range: String,
    pub bucket: String,
    pub points: Vec<DashboardSeriesPoint>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardSeriesSet {
    pub primary: DashboardRangeSeries,
    pub comparison: DashboardRangeSeries,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardWipPoint {
    pub period: NaiveDateTime,
    pub inbox: i64,
    pub in_progress: i64,
    pub review: i64,
    pub done: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardWipRangeSeries {
    pub range: String,
    pub bucket: String,
    pub points: Vec<DashboardWipPoint>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardWipSeriesSet {
    pub primary: DashboardWipRangeSeries,
    pub comparison: DashboardWipRangeSeries,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardPendingApproval {
    pub approval_id: Uuid,
    pub board_id: Uuid,
    pub board_name: String,
    pub action_type: String,
    pub confidence: f64,
    pub created_at: NaiveDateTime,
    pub task_title: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardPendingApprovals {
    pub total: i64,
    pub items: Vec<DashboardPendingApproval>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardMetrics {
    pub range: String,
    pub generated_at: NaiveDateTime,
    pub kpis: DashboardKpis,
    pub throughput: DashboardSeriesSet,
    pub cycle_time: DashboardSeriesSet,
    pub error_rate: DashboardSeriesSet,
    pub wip: DashboardWipSeriesSet,
    pub pending_approvals: DashboardPendingApprovals,
}

// ------------------------------------------------------------------ approvals, memory, webhooks

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApprovalRead {
    pub id: Uuid,
    pub board_id: Uuid,
    pub task_id: Option<Uuid>,
    pub task_ids: Vec<Uuid>,
    pub task_titles: Vec<String>,
    pub agent_id: Option<Uuid>,
    pub action_type: String,
    #[schema(value_type = Option<Object>)]
    pub payload: Option<Value>,
    #[schema(minimum = 0, maximum = 100)]
    pub confidence: f64,
    #[schema(value_type = Option<Object>)]
    pub rubric_scores: Option<Value>,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub resolved_at: Option<NaiveDateTime>,
}

impl From<crate::store::ApprovalView> for ApprovalRead {
    fn from(v: crate::store::ApprovalView) -> Self {
        let a = v.approval;
        Self {
            id: a.id,
            board_id: a.board_id,
            task_id: a.task_id,
            task_ids: v.task_ids,
            task_titles: v.task_titles,
            agent_id: a.agent_id,
            action_type: a.action_type,
            payload: a.payload,
            confidence: a.confidence,
            rubric_scores: a.rubric_scores,
            status: a.status,
            created_at: a.created_at,
            resolved_at: a.resolved_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ApprovalCreate {
    pub action_type: String,
    #[schema(minimum = 0, maximum = 100)]
    pub confidence: f64,
    #[schema(value_type = Option<Object>)]
    pub payload: Option<serde_json::Map<String, Value>>,
    #[schema(value_type = Option<Object>)]
    pub rubric_scores: Option<BTreeMap<String, i64>>,
    pub status: Option<String>,
    pub task_id: Option<Uuid>,
    #[serde(default)]
    pub task_ids: Vec<Uuid>,
    pub agent_id: Option<Uuid>,
    pub lead_reasoning: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ApprovalUpdate {
    pub status: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BoardMemoryRead {
    pub id: Uuid,
    pub board_id: Uuid,
    pub content: String,
    pub tags: Option<Vec<String>>,
    pub is_chat: bool,
    pub source: Option<String>,
    pub created_at: NaiveDateTime,
}

impl From<crate::store::MemoryRow> for BoardMemoryRead {
    fn from(m: crate::store::MemoryRow) -> Self {
        Self {
            id: m.id,
            board_id: m.board_id,
            content: m.content,
            tags: m.tags,
            is_chat: m.is_chat,
            source: m.source,
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BoardMemoryCreate {
    #[schema(min_length = 1)]
    pub content: String,
    pub tags: Option<Vec<String>>,
    pub source: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardWebhookRead {
    pub id: Uuid,
    pub board_id: Uuid,
    pub agent_id: Option<Uuid>,
    pub description: String,
    pub enabled: bool,
    pub has_secret: bool,
    pub signature_header: Option<String>,
    pub endpoint_path: String,
    pub endpoint_url: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl BoardWebhookRead {
    pub fn new(w: crate::store::WebhookRow, base_url: Option<&url::Url>) -> Self {
        let endpoint_path = format!("/api/v1/boards/{}/webhooks/{}", w.board_id, w.id);
        Self {
            endpoint_url: base_url.map(|b| format!("{}{endpoint_path}", b.as_str().trim_end_matches('/'))),
            endpoint_path,
            id: w.id,
            board_id: w.board_id,
            agent_id: w.agent_id,
            description: w.description,
            enabled: w.enabled,
            has_secret: w.has_secret,
            signature_header: w.signature_header,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

// ------------------------------------------------------------------ gateway status, skills

#[derive(Debug, Serialize, ToSchema)]
pub struct GatewaysStatusResponse {
    pub connected: bool,
    pub gateway_url: String,
    pub sessions_count: Option<i64>,
    #[schema(value_type = Option<Vec<Object>>)]
    pub sessions: Option<Vec<Value>>,
    #[schema(value_type = Option<Object>)]
    pub main_session: Option<Value>,
    pub main_session_error: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SkillPackRead {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub source_url: String,
    pub branch: String,
    #[schema(value_type = Object)]
    pub metadata: Value,
    pub skill_count: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<crate::store::SkillPackRow> for SkillPackRead {
    fn from(p: crate::store::SkillPackRow) -> Self {
        Self {
            id: p.id,
            organization_id: p.organization_id,
            name: p.name,
            description: p.description,
            source_url: p.source_url,
            branch: p.branch,
            metadata: p.metadata,
            skill_count: p.skill_count,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarketplaceSkillCardRead {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub category: Option<String>,
    pub risk: Option<String>,
    pub source: Option<String>,
    pub source_url: String,
    #[schema(value_type = Object)]
    pub metadata: Value,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub installed: bool,
    pub installed_at: Option<NaiveDateTime>,
}

impl From<crate::store::MarketplaceSkillRow> for MarketplaceSkillCardRead {
    fn from(m: crate::store::MarketplaceSkillRow) -> Self {
        Self {
            installed: m.installed_at.is_some(),
            installed_at: m.installed_at,
            id: m.id,
            organization_id: m.organization_id,
            name: m.name,
            description: m.description,
            category: m.category,
            risk: m.risk,
            source: m.source,
            source_url: m.source_url,
            metadata: m.metadata,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}
