//! The agent lifecycle on its gateway. A run (provision or update) mints a fresh token, moves
//! the agent to `provisioning`/`updating` under a new lifecycle generation with a check-in
//! deadline and a reconcile job due then (one transaction), and then, on the gateway: creates
//! or refreshes the agent, sets its heartbeat (protocol 3 only), writes its workspace files,
//! labels its session and wakes it. The reconcile job wakes an agent that has not checked in
//! again, up to three wakes, then marks it `offline` with the reason.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use uuid::Uuid;

use super::{Error, Result};
use crate::app::AppState;
use crate::auth::agent_token;
use crate::domain::jobs::RunError;
use crate::domain::now;
use crate::gateway::workspace::{self, AgentKind};
use crate::gateway::{GatewayError, GatewayTarget, agent_key, main_agent_key, session_key};
use crate::store::{AgentRow, AgentRun, BoardRow, GatewayRow, Store};

/// The reconcile job's kind.
pub const RECONCILE_JOB: &str = "agent_lifecycle_reconcile";
/// Wakes sent without a check-in before an agent is marked offline.
pub const MAX_WAKES: i32 = 3;
/// How long calls right after creating an agent ride out "no such agent" answers while the
/// gateway applies it.
const SETTLE: std::time::Duration = std::time::Duration::from_secs(10);

/// Why a run happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    Provision,
    Update,
}

/// A gateway failure as the API answers it: 504 on a deadline, 502 otherwise (with the
/// gateway's own message when it refused), 422 naming `url` for an unsupported release.
pub fn gateway_error(e: GatewayError) -> Error {
    match e {
        GatewayError::Timeout(_) => Error::Upstream {
            timed_out: true,
            detail: format!("Gateway error: {e}"),
        },
        GatewayError::Incompatible(why) => Error::Invalid(vec![super::FieldError::body("url", why)]),
        other => Error::Upstream {
            timed_out: false,
            detail: format!("Gateway error: {other}"),
        },
    }
}

pub fn target_of(g: &GatewayRow) -> GatewayTarget {
    GatewayTarget {
        url: g.url.clone(),
        token: g.token.clone(),
        disable_device_pairing: g.disable_device_pairing,
        allow_insecure_tls: g.allow_insecure_tls,
    }
}

/// The agent's kind and key on its gateway.
pub fn identity_on_gateway(agent: &AgentRow) -> (AgentKind, String) {
    match (agent.board_id, agent.gateway_id) {
        (None, Some(gateway)) => (AgentKind::Main, main_agent_key(gateway)),
        _ if agent.is_board_lead => (AgentKind::Lead, agent_key(agent.id)),
        _ => (AgentKind::Worker, agent_key(agent.id)),
    }
}

/// The session key messages to this agent go to.
pub fn agent_session(agent: &AgentRow) -> String {
    agent
        .openclaw_session_id
        .clone()
        .unwrap_or_else(|| session_key(&identity_on_gateway(agent).1))
}

pub async fn gateway_of(store: &Store, agent: &AgentRow) -> Result<Option<GatewayRow>> {
    match agent.gateway_id {
        None => Ok(None),
        Some(id) => Ok(store.get_gateway(agent.organization_id, id).await?),
    }
}

fn base_url(app: &AppState) -> String {
    match &app.config.base_url {
        Some(u) => u.as_str().trim_end_matches('/').to_owned(),
        None => format!("http://{}:{}", app.config.host, app.config.port),
    }
}

fn text_of(profile: Option<&Value>, key: &str) -> String {
    profile
        .and_then(|p| p.get(key))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// The values the workspace templates are filled with.
fn template_values(
    app: &AppState,
    agent: &AgentRow,
    board: Option<&BoardRow>,
    kind: AgentKind,
    token: &str,
) -> BTreeMap<&'static str, String> {
    let profile = agent.identity_profile.as_ref();
    let every = agent
        .heartbeat_config
        .as_ref()
        .and_then(|h| h.get("every"))
        .and_then(Value::as_str)
        .unwrap_or("10m")
        .to_owned();
    let role = text_of(profile, "role");
    BTreeMap::from([
        ("agent_name", agent.name.clone()),
        ("agent_id", agent.id.to_string()),
        ("agent_role", kind.role().to_owned()),
        ("board_name", board.map(|b| b.name.clone()).unwrap_or_default()),
        ("board_id", board.map(|b| b.id.to_string()).unwrap_or_default()),
        (
            "board_objective",
            board
                .and_then(|b| b.objective.clone())
                .unwrap_or_else(|| "(not set yet)".to_owned()),
        ),
        ("base_url", base_url(app)),
        ("auth_token", token.to_owned()),
        ("heartbeat_every", every),
        (
            "identity_role",
            if role.is_empty() { kind.role().to_owned() } else { role },
        ),
        ("identity_style", text_of(profile, "communication_style")),
        ("identity_emoji", text_of(profile, "emoji")),
        ("user_name", "the team".to_owned()),
        ("soul", agent.soul_template.clone().unwrap_or_default()),
    ])
}

/// The message that wakes an agent after a run.
fn wake_message(agent: &AgentRow, run: Run) -> String {
    let what = match run {
        Run::Provision => "You have been provisioned",
        Run::Update => "Your workspace was updated",
    };
    format!(
        "{what} by Mission Control as {:?}. Read AGENTS.md and BOOTSTRAP.md in your workspace, then check in \
         with a heartbeat (POST /api/v1/agent/heartbeat) using the token in TOOLS.md.",
        agent.name
    )
}

/// Provisions (or updates) an agent on its gateway; nothing for an agent without one.
pub async fn run(app: &AppState, agent: &AgentRow, run: Run) -> Result<()> {
    run_with(app, agent, run, false).await
}

/// As [`run`]; `overwrite` also replaces the notes files an agent keeps (MEMORY, USER).
pub async fn run_with(app: &AppState, agent: &AgentRow, run: Run, overwrite: bool) -> Result<()> {
    let Some(gateway) = gateway_of(&app.store, agent).await? else {
        return Ok(());
    };
    let board = match agent.board_id {
        Some(id) => app.store.get_board(id).await?,
        None => None,
    };
    let (kind, key) = identity_on_gateway(agent);
    let session = session_key(&key);
    let token = agent_token::generate();
    let started = now();
    let deadline = started + chrono::Duration::from_std(app.config.gateway.checkin_deadline).unwrap_or_default();
    let status = match run {
        Run::Provision => "provisioning",
        Run::Update => "updating",
    };
    let generation = app
        .store
        .begin_agent_run(
            &AgentRun {
                agent_id: agent.id,
                token_hash: &agent_token::hash(&app.agent_token_key, &token),
                status,
                session_key: &session,
                deadline,
                reconcile_kind: RECONCILE_JOB,
            },
            started,
        )
        .await?
        .ok_or(Error::NotFound("Agent not found"))?;
    app.jobs.job_enqueued();
    let values = template_values(app, agent, board.as_ref(), kind, &token);
    let target = target_of(&gateway);
    let outcome = on_gateway(
        app,
        &target,
        &gateway,
        agent,
        &key,
        &session,
        kind,
        &values,
        (run, overwrite),
        generation,
    )
    .await;
    let (status, error) = match &outcome {
        Ok(()) => ("online", None),
        Err(e) => ("offline", Some(e.to_string())),
    };
    app.store
        .finish_agent_run(agent.id, generation, status, error.as_deref(), now())
        .await?;
    outcome.map_err(gateway_error)
}

#[allow(clippy::too_many_arguments)]
async fn on_gateway(
    app: &AppState,
    target: &GatewayTarget,
    gateway: &GatewayRow,
    agent: &AgentRow,
    key: &str,
    session: &str,
    kind: AgentKind,
    values: &BTreeMap<&'static str, String>,
    (run, overwrite): (Run, bool),
    generation: i32,
) -> std::result::Result<(), GatewayError> {
    let client = &app.gateways;
    let facts = client.check(target).await?;
    let workspace_dir = format!("{}/{key}", gateway.workspace_root.trim_end_matches('/'));
    match client
        .call(
            target,
            "agents.create",
            json!({"name": key, "workspace": workspace_dir}),
        )
        .await
    {
        Ok(_) => {}
        Err(e) if e.is_already_exists() => {
            client
                .call(
                    target,
                    "agents.update",
                    json!({"agentId": key, "name": key, "workspace": workspace_dir}),
                )
                .await?;
        }
        Err(e) => return Err(e),
    }
    if facts.protocol == 3 {
        // Best effort: the agent works without it (the gateway's default heartbeat applies),
        // and gateways rate-limit configuration changes; the next update sets it again.
        if let Err(e) = set_heartbeat(app, target, key, agent.heartbeat_config.as_ref()).await {
            tracing::warn!(agent = %agent.id, error = %e, "heartbeat not set in the gateway configuration");
        }
    }
    write_files(
        app,
        target,
        key,
        kind,
        values,
        if overwrite { Run::Provision } else { run },
    )
    .await?;
    client
        .call_settling(
            target,
            "sessions.patch",
            json!({"key": session, "label": agent.name}),
            SETTLE,
        )
        .await?;
    client
        .call_settling(
            target,
            "chat.send",
            json!({"sessionKey": session, "message": wake_message(agent, run), "deliver": false,
                   "idempotencyKey": format!("wake-{}-{generation}-1", agent.id)}),
            SETTLE,
        )
        .await?;
    Ok(())
}

/// Writes the workspace files. Files a release refuses and the agent can live without
/// (TOOLS, HEARTBEAT on protocol 4) are skipped; MEMORY and USER are kept when present.
async fn write_files(
    app: &AppState,
    target: &GatewayTarget,
    key: &str,
    kind: AgentKind,
    values: &BTreeMap<&'static str, String>,
    run: Run,
) -> std::result::Result<(), GatewayError> {
    let client = &app.gateways;
    let present: Vec<String> = match run {
        Run::Provision => Vec::new(),
        Run::Update => client
            .call_settling(target, "agents.files.list", json!({"agentId": key}), SETTLE)
            .await?
            .get("files")
            .and_then(Value::as_array)
            .map(|files| {
                files
                    .iter()
                    .filter(|f| f.get("missing").and_then(Value::as_bool) != Some(true))
                    .filter_map(|f| f.get("name").and_then(Value::as_str).map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
    };
    for (name, content) in workspace::render_all(kind, values) {
        if workspace::KEEP_IF_PRESENT.contains(&name) && present.iter().any(|p| p == name) {
            continue;
        }
        match client
            .call_settling(
                target,
                "agents.files.set",
                json!({"agentId": key, "name": name, "content": content}),
                SETTLE,
            )
            .await
        {
            Ok(_) => {}
            Err(e) if e.is_unsupported_file() && workspace::OPTIONAL.contains(&name) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Sets the agent's heartbeat in the gateway's configuration (`agents.list[].heartbeat`),
/// which protocol-3 releases read from there. A change makes the gateway restart; the calls
/// after it ride that out through the client's retries. Skipped when nothing changes.
async fn set_heartbeat(
    app: &AppState,
    target: &GatewayTarget,
    key: &str,
    heartbeat: Option<&Value>,
) -> std::result::Result<(), GatewayError> {
    let client = &app.gateways;
    let wanted = heartbeat
        .cloned()
        .unwrap_or_else(|| json!({"every": "10m", "target": "last", "includeReasoning": false}));
    for _ in 0..3 {
        let config = client.call(target, "config.get", json!({})).await?;
        let hash = config.get("hash").and_then(Value::as_str).map(str::to_owned);
        let current = config
            .pointer("/config/agents/list")
            .or_else(|| config.pointer("/parsed/agents/list"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let Some(list) = crate::domain::gateway_config::with_heartbeat(&current, key, &wanted) else {
            return Ok(());
        };
        let raw = json!({"agents": {"list": list}}).to_string();
        match client
            .call(target, "config.patch", json!({"raw": raw, "baseHash": hash}))
            .await
        {
            Ok(_) => return Ok(()),
            Err(e) if e.to_string().contains("config changed since last load") => continue,
            Err(e) => return Err(e),
        }
    }
    Err(GatewayError::Transient(
        "the gateway configuration kept changing".into(),
    ))
}

/// Removes an agent from its gateway (an agent the gateway no longer knows is fine).
pub async fn remove(app: &AppState, agent: &AgentRow) -> Result<()> {
    let Some(gateway) = gateway_of(&app.store, agent).await? else {
        return Ok(());
    };
    let (_, key) = identity_on_gateway(agent);
    match app
        .gateways
        .call(
            &target_of(&gateway),
            "agents.delete",
            json!({"agentId": key, "deleteFiles": true}),
        )
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(gateway_error(e)),
    }
}

/// The reconcile job: an agent that has not checked in since its last wake is woken again,
/// up to [`MAX_WAKES`], then marked offline. A newer run, a check-in, or a deleted agent ends it.
pub async fn reconcile(app: &AppState, payload: &Value) -> std::result::Result<(), RunError> {
    let transient = |e: &dyn std::fmt::Display| RunError::Transient(e.to_string());
    let agent_id = payload
        .get("agent_id")
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<Uuid>().ok())
        .ok_or_else(|| RunError::Permanent("payload has no agent_id".into()))?;
    let generation = payload
        .get("generation")
        .and_then(Value::as_i64)
        .and_then(|g| i32::try_from(g).ok())
        .ok_or_else(|| RunError::Permanent("payload has no generation".into()))?;
    let Some(state) = app.store.agent_lifecycle(agent_id).await.map_err(|e| transient(&e))? else {
        return Ok(());
    };
    if state.lifecycle_generation != generation {
        return Ok(());
    }
    let t = now();
    let checked_in = match (state.last_seen_at, state.last_wake_sent_at) {
        (Some(seen), Some(woke)) => seen >= woke,
        (Some(_), None) => true,
        _ => false,
    };
    if checked_in || state.checkin_deadline_at.is_some_and(|d| d > t) {
        return Ok(());
    }
    if state.wake_attempts >= MAX_WAKES {
        let why = format!("the agent did not check in after {MAX_WAKES} wake-ups");
        app.store
            .finish_agent_run(agent_id, generation, "offline", Some(&why), t)
            .await
            .map_err(|e| transient(&e))?;
        return Ok(());
    }
    let Some(agent) = app.store.get_agent(agent_id).await.map_err(|e| transient(&e))? else {
        return Ok(());
    };
    let Ok(Some(gateway)) = gateway_of(&app.store, &agent).await else {
        return Ok(());
    };
    let attempt = state.wake_attempts + 1;
    let sent = app
        .gateways
        .call(
            &target_of(&gateway),
            "chat.send",
            json!({"sessionKey": agent_session(&agent), "deliver": false,
                   "message": format!("Reminder from Mission Control: please check in now (POST /api/v1/agent/heartbeat). Wake-up {attempt} of {MAX_WAKES}."),
                   "idempotencyKey": format!("wake-{agent_id}-{generation}-{attempt}")}),
        )
        .await;
    if let Err(e) = sent {
        tracing::warn!(agent = %agent_id, error = %e, "wake-up not sent");
        let _ = app
            .store
            .finish_agent_run(agent_id, generation, &state.status, Some(&e.to_string()), t)
            .await;
    }
    let deadline = t + chrono::Duration::from_std(app.config.gateway.checkin_deadline).unwrap_or_default();
    app.store
        .record_agent_wake(agent_id, generation, deadline, RECONCILE_JOB, t)
        .await
        .map_err(|e| transient(&e))?;
    app.jobs.job_enqueued();
    Ok(())
}
