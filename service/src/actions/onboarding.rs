//! Board onboarding: a conversation with the board's gateway main agent that drafts the
//! board's goal. Start prompts the main agent (a second start while one is active re-sends
//! the last answer), answers are forwarded, the main agent posts questions or the completed
//! draft, and the user's confirm applies the draft to the board and provisions its lead.

use serde_json::{Value, json};
use uuid::Uuid;

use super::agent_gateway::main_agent_of;
use super::identity::{Access, AgentCaller, UserCaller, board_for_agent, board_for_user};
use super::notify::{self, SendError};
use super::provisioning::{self, Run, gateway_error};
use super::{Error, Result, non_blank};
use crate::app::AppState;
use crate::domain::now;
use crate::store::{AgentRow, BoardRow, OnboardingRow};

pub const ACTIVE: &str = "active";
pub const COMPLETED: &str = "completed";
pub const CONFIRMED: &str = "confirmed";

const NEEDS_GATEWAY: &str = "Onboarding needs a gateway: this board has none, so there is no gateway main agent to \
     talk to. Set the board's gateway (PATCH /api/v1/boards/{id} with gateway_id), or set the board's goal directly.";

fn send_error(e: SendError) -> Error {
    match e {
        SendError::NoGateway => Error::Conflict(NEEDS_GATEWAY.into()),
        SendError::Gateway(g) => gateway_error(g),
        SendError::Store(why) => Error::Store(crate::store::StoreError::Corrupt(why)),
    }
}

fn message(role: &str, content: &str) -> Value {
    json!({"role": role, "content": content, "timestamp": now().and_utc().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)})
}

fn push_message(row: &mut OnboardingRow, m: Value) {
    match row.messages.as_mut().and_then(Value::as_array_mut) {
        Some(list) => list.push(m),
        None => row.messages = Some(Value::Array(vec![m])),
    }
}

pub async fn get(app: &AppState, caller: &UserCaller, board_id: Uuid) -> Result<OnboardingRow> {
    board_for_user(&app.store, caller, board_id, Access::Read).await?;
    app.store
        .latest_onboarding(board_id)
        .await?
        .ok_or(Error::NotFound("Onboarding session not found"))
}

/// The main agent of the board's gateway (422 with the reason when there is none).
async fn main_agent(app: &AppState, board: &BoardRow) -> Result<AgentRow> {
    let gateway = board.gateway_id.ok_or_else(|| Error::Conflict(NEEDS_GATEWAY.into()))?;
    main_agent_of(app, gateway).await?.ok_or_else(|| {
        Error::Conflict(
            "Onboarding needs the gateway's main agent, which does not exist yet: save the gateway again to create it."
                .into(),
        )
    })
}

fn start_prompt(app: &AppState, board: &BoardRow) -> String {
    let base = match &app.config.base_url {
        Some(u) => u.as_str().trim_end_matches('/').to_owned(),
        None => format!("http://{}:{}", app.config.host, app.config.port),
    };
    format!(
        "Board onboarding for board {:?} (id {}). Interview the human to draft this board's goal: its type (goal or \
         general), objective, success metrics and target date, and how its lead agent should work. Ask one question at \
         a time by posting {{\"question\": ..., \"options\": [{{\"id\": ..., \"label\": ...}}]}} to \
         {base}/api/v1/agent/boards/{}/onboarding; when you have enough, post the draft with \"status\": \"complete\". \
         The human's answers will arrive here.\nDescription: {}",
        board.name, board.id, board.id, board.description
    )
}

pub async fn start(app: &AppState, caller: &UserCaller, board_id: Uuid) -> Result<OnboardingRow> {
    let board = board_for_user(&app.store, caller, board_id, Access::Write).await?;
    let main = main_agent(app, &board).await?;
    let t = now();
    if let Some(mut active) = app
        .store
        .latest_onboarding(board_id)
        .await?
        .filter(|s| s.status == ACTIVE)
    {
        // Resume: re-send the last answer (or the opening prompt when none was given).
        let last_answer = active
            .messages
            .as_ref()
            .and_then(Value::as_array)
            .and_then(|m| {
                m.iter()
                    .rev()
                    .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))
            })
            .and_then(|m| m.get("content").and_then(Value::as_str))
            .map(str::to_owned);
        let text = last_answer.unwrap_or_else(|| start_prompt(app, &board));
        notify::send(app, &main, &text, &Uuid::new_v4().to_string(), false)
            .await
            .map_err(send_error)?;
        active.updated_at = t;
        app.store.save_onboarding(&active).await?;
        return Ok(active);
    }
    let row = OnboardingRow {
        id: Uuid::new_v4(),
        board_id,
        session_key: provisioning::agent_session(&main),
        status: ACTIVE.to_owned(),
        messages: Some(json!([])),
        draft_goal: None,
        created_at: t,
        updated_at: t,
    };
    notify::send(
        app,
        &main,
        &start_prompt(app, &board),
        &format!("onboarding-{}", row.id),
        false,
    )
    .await
    .map_err(send_error)?;
    app.store.save_onboarding(&row).await?;
    Ok(row)
}

pub async fn answer(
    app: &AppState,
    caller: &UserCaller,
    board_id: Uuid,
    answer: &str,
    other: Option<&str>,
) -> Result<OnboardingRow> {
    let answer = non_blank("answer", answer)?;
    let board = board_for_user(&app.store, caller, board_id, Access::Write).await?;
    let mut row = app
        .store
        .latest_onboarding(board_id)
        .await?
        .ok_or(Error::NotFound("Onboarding session not found"))?;
    if row.status != ACTIVE {
        return Err(Error::Conflict(format!(
            "The onboarding session is {}, not active.",
            row.status
        )));
    }
    let content = match other.map(str::trim).filter(|o| !o.is_empty()) {
        Some(o) => format!("{answer}: {o}"),
        None => answer,
    };
    let main = main_agent(app, &board).await?;
    notify::send(
        app,
        &main,
        &format!("Onboarding answer for board {board_id}: {content}"),
        &Uuid::new_v4().to_string(),
        false,
    )
    .await
    .map_err(send_error)?;
    push_message(&mut row, message("user", &content));
    row.updated_at = now();
    app.store.save_onboarding(&row).await?;
    Ok(row)
}

/// What the main agent posts: a question (or any other message), or the completed draft.
pub enum AgentPost {
    Question(Value),
    Complete(Value),
}

/// The gateway main agent of the board's gateway posts a question or the completed draft.
pub async fn agent_post(
    app: &AppState,
    caller: &AgentCaller,
    board_id: Uuid,
    post: AgentPost,
) -> Result<OnboardingRow> {
    let board = board_for_agent(&app.store, caller, board_id).await?;
    let is_main = caller.agent.board_id.is_none() && caller.agent.gateway_id.is_some();
    if !is_main || board.gateway_id != caller.agent.gateway_id {
        return Err(Error::Forbidden(
            "Only the gateway main agent of the board's gateway may post onboarding messages",
        ));
    }
    let mut row = app
        .store
        .latest_onboarding(board_id)
        .await?
        .ok_or(Error::NotFound("Onboarding session not found"))?;
    if row.status == CONFIRMED {
        return Err(Error::Conflict("The onboarding session is already confirmed.".into()));
    }
    match post {
        AgentPost::Question(q) => push_message(&mut row, message("assistant", &q.to_string())),
        AgentPost::Complete(draft) => {
            push_message(&mut row, message("assistant", &draft.to_string()));
            row.status = COMPLETED.to_owned();
            row.draft_goal = Some(draft);
        }
    }
    row.updated_at = now();
    app.store.save_onboarding(&row).await?;
    Ok(row)
}

/// What the user confirms.
pub struct Confirm {
    pub board_type: String,
    pub objective: Option<String>,
    pub success_metrics: Option<Value>,
    pub target_date: Option<chrono::NaiveDateTime>,
}

/// Applies the confirmed goal to the board, the draft's user profile to the user, and
/// provisions the board's lead as the draft describes it.
pub async fn confirm(app: &AppState, caller: &UserCaller, board_id: Uuid, c: Confirm) -> Result<BoardRow> {
    if !["goal", "general"].contains(&c.board_type.as_str()) {
        return Err(Error::Invalid(vec![super::FieldError::body(
            "board_type",
            "board_type must be goal or general",
        )]));
    }
    let mut board = board_for_user(&app.store, caller, board_id, Access::Write).await?;
    let mut row = app
        .store
        .latest_onboarding(board_id)
        .await?
        .ok_or(Error::NotFound("Onboarding session not found"))?;
    let draft = row.draft_goal.clone().unwrap_or(Value::Null);
    board.board_type = c.board_type;
    board.objective = c.objective;
    board.success_metrics = c.success_metrics;
    board.target_date = c.target_date;
    board.goal_confirmed = true;
    board.goal_source = Some("lead_agent_onboarding".to_owned());
    let autonomy = draft
        .pointer("/lead_agent/autonomy_level")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_lowercase()
        .replace(['_', '-'], " ");
    if autonomy == "fully autonomous" {
        board.require_approval_for_done = false;
    }
    board.updated_at = now();
    app.store.update_board(&board).await?;
    if let Some(profile) = draft.get("user_profile").filter(|p| p.is_object()) {
        let field = |k: &str| profile.get(k).and_then(Value::as_str).map(|s| Some(s.to_owned()));
        let patch = crate::domain::filters::UserPatch {
            name: None,
            preferred_name: field("preferred_name"),
            pronouns: field("pronouns"),
            timezone: field("timezone"),
            notes: field("notes"),
            context: field("context"),
        };
        app.store.update_user(caller.user.id, &patch).await?;
    }
    row.status = CONFIRMED.to_owned();
    row.updated_at = now();
    app.store.save_onboarding(&row).await?;
    provision_lead(app, &board, &draft).await?;
    Ok(board)
}

/// Creates (or updates) the board's lead from the draft's `lead_agent` and provisions it.
async fn provision_lead(app: &AppState, board: &BoardRow, draft: &Value) -> Result<()> {
    let lead_draft = draft.get("lead_agent").cloned().unwrap_or(Value::Null);
    let mut profile = lead_draft
        .get("identity_profile")
        .filter(|p| p.is_object())
        .cloned()
        .unwrap_or_else(|| json!({}));
    for key in [
        "autonomy_level",
        "verbosity",
        "output_format",
        "update_cadence",
        "custom_instructions",
    ] {
        if let (Some(v), Some(map)) = (lead_draft.get(key).filter(|v| v.is_string()), profile.as_object_mut()) {
            map.insert(key.to_owned(), v.clone());
        }
    }
    let name = lead_draft
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or("Lead Agent")
        .to_owned();
    let existing = match app.store.board_lead_id(board.id, None).await? {
        Some(id) => app.store.get_agent(id).await?,
        None => None,
    };
    let t = now();
    let (agent, run) = match existing {
        Some(mut lead) => {
            lead.identity_profile = Some(profile);
            lead.updated_at = t;
            app.store.update_agent(&lead).await?;
            (lead, Run::Update)
        }
        None => {
            let lead = AgentRow {
                id: Uuid::new_v4(),
                organization_id: board.organization_id,
                board_id: Some(board.id),
                gateway_id: board.gateway_id,
                name,
                status: "provisioning".to_owned(),
                openclaw_session_id: None,
                heartbeat_config: Some(json!({"every": "10m", "target": "last", "includeReasoning": false})),
                identity_profile: Some(profile),
                identity_template: None,
                soul_template: None,
                last_seen_at: None,
                is_board_lead: true,
                created_at: t,
                updated_at: t,
            };
            app.store.insert_agent(&lead).await?;
            (lead, Run::Provision)
        }
    };
    provisioning::run(app, &agent, run).await
}
