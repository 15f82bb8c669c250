//! What an organization admin sees and does on a gateway directly: its status with sessions,
//! one session and its history, a message into a session, and the template sync that
//! rewrites every agent's workspace.

use serde_json::{Value, json};
use uuid::Uuid;

use super::identity::{Access, UserCaller, board_for_user};
use super::provisioning::{self, Run, agent_session, gateway_error, target_of};
use super::{Error, FieldError, Result};
use crate::app::AppState;
use crate::gateway::{GatewayTarget, main_agent_key, session_key};
use crate::store::GatewayRow;

/// The gateway a request is about: the board's, or the organization's only one.
pub async fn gateway_for(app: &AppState, caller: &UserCaller, board_id: Option<Uuid>) -> Result<GatewayRow> {
    caller.require_admin()?;
    let gateway_id = match board_id {
        Some(b) => board_for_user(&app.store, caller, b, Access::Read)
            .await?
            .gateway_id
            .ok_or_else(|| Error::Conflict("The board has no gateway.".into()))?,
        None => {
            let all = app
                .store
                .list_gateways(caller.organization_id(), crate::domain::Page { limit: 2, offset: 0 })
                .await?;
            match all.items.as_slice() {
                [only] => only.id,
                [] => return Err(Error::NotFound("Gateway not found")),
                _ => {
                    return Err(Error::Invalid(vec![FieldError {
                        loc: vec!["query".into(), "board_id".into()],
                        msg: "board_id is required when the organization has several gateways".into(),
                        kind: "missing".into(),
                    }]));
                }
            }
        }
    };
    app.store
        .get_gateway(caller.organization_id(), gateway_id)
        .await?
        .ok_or(Error::NotFound("Gateway not found"))
}

/// A gateway's status: whether it answers, and its sessions.
pub struct Status {
    pub connected: bool,
    pub gateway_url: String,
    pub sessions: Option<Vec<Value>>,
    pub main_session: Option<Value>,
    pub main_session_error: Option<String>,
    pub error: Option<String>,
}

/// Where a status check connects: an explicit URL (with its token and options), or the
/// board's gateway.
pub struct StatusQuery {
    pub board_id: Option<Uuid>,
    pub gateway_url: Option<String>,
    pub gateway_token: Option<String>,
    pub disable_device_pairing: Option<bool>,
    pub allow_insecure_tls: Option<bool>,
}

fn sessions_of(payload: &Value) -> Vec<Value> {
    match payload {
        Value::Array(items) => items.clone(),
        other => other
            .get("sessions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
    }
}

pub async fn status(app: &AppState, caller: &UserCaller, q: StatusQuery) -> Result<Status> {
    caller.require_admin()?;
    let (target, main) = match q.gateway_url {
        Some(url) => {
            let url = super::gateways::check_url(&url)?;
            let target = GatewayTarget {
                url,
                token: q.gateway_token.filter(|t| !t.is_empty()),
                disable_device_pairing: q.disable_device_pairing.unwrap_or(false),
                allow_insecure_tls: q.allow_insecure_tls.unwrap_or(false),
            };
            (target, None)
        }
        None => {
            if q.board_id.is_none() {
                return Err(Error::Invalid(vec![FieldError {
                    loc: vec!["query".into(), "board_id".into()],
                    msg: "board_id or gateway_url is required".into(),
                    kind: "missing".into(),
                }]));
            }
            let board = board_for_user(&app.store, caller, q.board_id.unwrap_or_default(), Access::Read).await?;
            let Some(gateway_id) = board.gateway_id else {
                return Ok(Status {
                    connected: false,
                    gateway_url: String::new(),
                    sessions: None,
                    main_session: None,
                    main_session_error: None,
                    error: Some("The board has no gateway.".into()),
                });
            };
            let gateway = app
                .store
                .get_gateway(caller.organization_id(), gateway_id)
                .await?
                .ok_or(Error::NotFound("Gateway not found"))?;
            (target_of(&gateway), Some(session_key(&main_agent_key(gateway.id))))
        }
    };
    let url = target.url.clone();
    let listed = match app.gateways.check(&target).await {
        Ok(_) => app.gateways.call(&target, "sessions.list", json!({})).await,
        Err(e) => Err(e),
    };
    Ok(match listed {
        Err(e) => Status {
            connected: false,
            gateway_url: url,
            sessions: None,
            main_session: None,
            main_session_error: None,
            error: Some(e.to_string()),
        },
        Ok(payload) => {
            let sessions = sessions_of(&payload);
            let main_session = main.as_deref().and_then(|key| {
                sessions
                    .iter()
                    .find(|s| s.get("key").and_then(Value::as_str) == Some(key))
                    .cloned()
            });
            let main_session_error = match (&main, &main_session) {
                (Some(_), None) => Some("The gateway main agent has no session yet.".into()),
                _ => None,
            };
            Status {
                connected: true,
                gateway_url: url,
                sessions: Some(sessions),
                main_session,
                main_session_error,
                error: None,
            }
        }
    })
}

pub async fn sessions(
    app: &AppState,
    caller: &UserCaller,
    board_id: Option<Uuid>,
) -> Result<(Vec<Value>, Option<Value>)> {
    let gateway = gateway_for(app, caller, board_id).await?;
    let payload = app
        .gateways
        .call(&target_of(&gateway), "sessions.list", json!({}))
        .await
        .map_err(gateway_error)?;
    let sessions = sessions_of(&payload);
    let main_key = session_key(&main_agent_key(gateway.id));
    let main = sessions
        .iter()
        .find(|s| s.get("key").and_then(Value::as_str) == Some(main_key.as_str()))
        .cloned();
    Ok((sessions, main))
}

/// One session, by its key (or its session id).
pub async fn session(app: &AppState, caller: &UserCaller, id: &str, board_id: Option<Uuid>) -> Result<Value> {
    let (sessions, _) = sessions(app, caller, board_id).await?;
    sessions
        .into_iter()
        .find(|s| {
            s.get("key").and_then(Value::as_str) == Some(id) || s.get("sessionId").and_then(Value::as_str) == Some(id)
        })
        .ok_or(Error::NotFound("Session not found"))
}

pub async fn history(app: &AppState, caller: &UserCaller, id: &str, board_id: Option<Uuid>) -> Result<Vec<Value>> {
    let gateway = gateway_for(app, caller, board_id).await?;
    let payload = app
        .gateways
        .call(
            &target_of(&gateway),
            "chat.history",
            json!({"sessionKey": id, "limit": 200}),
        )
        .await
        .map_err(gateway_error)?;
    Ok(match payload {
        Value::Array(items) => items,
        other => other
            .get("messages")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
    })
}

pub async fn send_message(
    app: &AppState,
    caller: &UserCaller,
    id: &str,
    content: &str,
    board_id: Option<Uuid>,
) -> Result<()> {
    let content = super::non_blank("content", content)?;
    let gateway = gateway_for(app, caller, board_id).await?;
    app.gateways
        .call(
            &target_of(&gateway),
            "chat.send",
            json!({"sessionKey": id, "message": content, "deliver": false,
                   "idempotencyKey": Uuid::new_v4().to_string()}),
        )
        .await
        .map_err(gateway_error)?;
    Ok(())
}

/// The methods and events this service uses, and the newest protocol it speaks.
pub fn commands() -> (i64, Vec<String>, Vec<String>) {
    let methods = [
        "connect",
        "health",
        "config.get",
        "config.patch",
        "agents.create",
        "agents.update",
        "agents.delete",
        "agents.files.list",
        "agents.files.get",
        "agents.files.set",
        "sessions.list",
        "sessions.patch",
        "sessions.reset",
        "chat.send",
        "chat.history",
    ];
    let events = ["connect.challenge", "shutdown", "chat", "tick", "health", "presence"];
    (
        i64::try_from(crate::gateway::frames::MAX_PROTOCOL).unwrap_or(4),
        methods.iter().map(|m| (*m).to_owned()).collect(),
        events.iter().map(|e| (*e).to_owned()).collect(),
    )
}

/// Options of a template sync (all off but `include_main` by default).
#[derive(Debug, Clone, Default)]
pub struct SyncOptions {
    pub include_main: bool,
    pub lead_only: bool,
    pub reset_sessions: bool,
    pub rotate_tokens: bool,
    pub force_bootstrap: bool,
    pub overwrite: bool,
    pub board_id: Option<Uuid>,
}

pub struct SyncError {
    pub agent_id: Option<Uuid>,
    pub agent_name: Option<String>,
    pub board_id: Option<Uuid>,
    pub message: String,
}

pub struct SyncReport {
    pub agents_updated: i64,
    pub agents_skipped: i64,
    pub main_updated: bool,
    pub errors: Vec<SyncError>,
}

/// Rewrites the workspace files of the gateway's agents (and wakes them), agent by agent;
/// one agent's failure is reported and the others go on. Every rewrite issues the agent a
/// fresh token, since only its hash is kept (so `rotate_tokens` is always in effect), and
/// BOOTSTRAP.md is always rewritten (`force_bootstrap`); `overwrite` also replaces MEMORY.md
/// and USER.md, which are otherwise kept.
pub async fn sync_templates(
    app: &AppState,
    caller: &UserCaller,
    gateway_id: Uuid,
    o: &SyncOptions,
) -> Result<SyncReport> {
    let gateway = super::gateways::get(&app.store, caller, gateway_id).await?;
    if let Some(b) = o.board_id {
        let board = board_for_user(&app.store, caller, b, Access::Read).await?;
        if board.gateway_id != Some(gateway.id) {
            return Err(Error::Invalid(vec![FieldError {
                loc: vec!["query".into(), "board_id".into()],
                msg: "The board does not use this gateway.".into(),
                kind: "value_error".into(),
            }]));
        }
    }
    app.gateways.check(&target_of(&gateway)).await.map_err(gateway_error)?;
    let mut report = SyncReport {
        agents_updated: 0,
        agents_skipped: 0,
        main_updated: false,
        errors: Vec::new(),
    };
    for agent in app.store.gateway_agents(gateway.id).await? {
        let is_main = agent.board_id.is_none();
        let wanted = if is_main {
            o.include_main && o.board_id.is_none()
        } else {
            o.board_id.is_none_or(|b| agent.board_id == Some(b)) && (!o.lead_only || agent.is_board_lead)
        };
        if !wanted {
            report.agents_skipped += 1;
            continue;
        }
        if o.reset_sessions
            && let Err(e) = app
                .gateways
                .call(
                    &target_of(&gateway),
                    "sessions.reset",
                    json!({"key": agent_session(&agent)}),
                )
                .await
        {
            report.errors.push(SyncError {
                agent_id: Some(agent.id),
                agent_name: Some(agent.name.clone()),
                board_id: agent.board_id,
                message: e.to_string(),
            });
            continue;
        }
        match provisioning::run_with(app, &agent, Run::Update, o.overwrite).await {
            Ok(()) if is_main => report.main_updated = true,
            Ok(()) => report.agents_updated += 1,
            Err(e) => report.errors.push(SyncError {
                agent_id: Some(agent.id),
                agent_name: Some(agent.name.clone()),
                board_id: agent.board_id,
                message: e.to_string(),
            }),
        }
    }
    Ok(report)
}
