//! A board's inbound webhooks: their settings, the payloads they received, ingest (domain §8)
//! and the `webhook_delivery` job that tells an agent of a payload.

use std::net::IpAddr;
use std::time::Duration;

use serde_json::{Value, json};
use uuid::Uuid;

use super::identity::{Access, AgentCaller, Caller, UserCaller, board_for_agent, board_for_caller, board_for_user};
use super::{Error, FieldError, Result, deleted, non_blank};
use crate::app::AppState;
use crate::domain::jobs::RunError;
use crate::domain::webhooks as rules;
use crate::domain::{Page, Paged, now};
use crate::store::{IngestOutcome, MemoryRow, NewJob, Store, WebhookPayloadRow, WebhookRecord, WebhookRow};

/// The job kind that tells an agent of a received payload.
pub const DELIVERY_JOB: &str = "webhook_delivery";

/// The board's webhooks, for anyone who may read the board.
pub async fn list(store: &Store, caller: &Caller, board_id: Uuid, page: Page) -> Result<Paged<WebhookRow>> {
    board_for_caller(store, caller, board_id, Access::Read).await?;
    Ok(store.list_webhooks(board_id, page).await?)
}

async fn webhook_of(store: &Store, board_id: Uuid, webhook_id: Uuid) -> Result<WebhookRecord> {
    store
        .get_webhook(board_id, webhook_id)
        .await?
        .ok_or(Error::NotFound("Webhook not found"))
}

pub async fn get(store: &Store, caller: &UserCaller, board_id: Uuid, webhook_id: Uuid) -> Result<WebhookRow> {
    board_for_user(store, caller, board_id, Access::Read).await?;
    Ok(webhook_of(store, board_id, webhook_id).await?.to_row())
}

/// The settings a create or an update asks for, `None` meaning "leave as is" (updates).
#[derive(Debug, Default)]
pub struct WebhookInput {
    pub description: Option<String>,
    pub enabled: Option<bool>,
    pub agent_id: Option<Option<Uuid>>,
    pub secret: Option<Option<String>>,
    pub signature_header: Option<Option<String>>,
}

/// Blank means none.
fn optional_text(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// A header name a request can carry (RFC 9110 token characters).
fn valid_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Applies `input` to `row`, checking the target agent is on the board.
async fn apply(store: &Store, row: &mut WebhookRecord, input: WebhookInput) -> Result<()> {
    if let Some(d) = input.description {
        row.description = non_blank("description", &d)?;
    }
    if let Some(e) = input.enabled {
        row.enabled = e;
    }
    if let Some(agent_id) = input.agent_id {
        if let Some(a) = agent_id {
            let on_board = store
                .get_agent(a)
                .await?
                .is_some_and(|agent| agent.board_id == Some(row.board_id));
            if !on_board {
                return Err(Error::Invalid(vec![FieldError::body(
                    "agent_id",
                    "agent_id must name an agent of this board",
                )]));
            }
        }
        row.agent_id = agent_id;
    }
    if let Some(s) = input.secret {
        row.secret = optional_text(s);
    }
    if let Some(h) = input.signature_header {
        // Blanks as JSON Schema's `\s` knows them (which counts U+FEFF).
        let h = h
            .map(|v| {
                v.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
                    .to_owned()
            })
            .filter(|v| !v.is_empty());
        if let Some(name) = &h
            && !valid_header_name(name)
        {
            return Err(Error::Invalid(vec![FieldError::body(
                "signature_header",
                "signature_header must be an HTTP header name",
            )]));
        }
        row.signature_header = h;
    }
    Ok(())
}

pub async fn create(store: &Store, caller: &UserCaller, board_id: Uuid, input: WebhookInput) -> Result<WebhookRow> {
    board_for_user(store, caller, board_id, Access::Write).await?;
    let t = now();
    let mut row = WebhookRecord {
        id: Uuid::new_v4(),
        board_id,
        agent_id: None,
        description: String::new(),
        enabled: true,
        secret: None,
        signature_header: None,
        created_at: t,
        updated_at: t,
    };
    apply(store, &mut row, input).await?;
    store.insert_webhook(&row).await?;
    Ok(row.to_row())
}

pub async fn update(
    store: &Store,
    caller: &UserCaller,
    board_id: Uuid,
    webhook_id: Uuid,
    input: WebhookInput,
) -> Result<WebhookRow> {
    board_for_user(store, caller, board_id, Access::Write).await?;
    let mut row = webhook_of(store, board_id, webhook_id).await?;
    apply(store, &mut row, input).await?;
    row.updated_at = now();
    if !store.update_webhook(&row).await? {
        return Err(Error::NotFound("Webhook not found"));
    }
    Ok(row.to_row())
}

/// Deletes the webhook and its payloads (their memory notes stay on the board).
pub async fn delete(store: &Store, caller: &UserCaller, board_id: Uuid, webhook_id: Uuid) -> Result<()> {
    board_for_user(store, caller, board_id, Access::Write).await?;
    deleted(store.delete_webhook(board_id, webhook_id).await?, "Webhook not found")
}

pub async fn list_payloads(
    store: &Store,
    caller: &UserCaller,
    board_id: Uuid,
    webhook_id: Uuid,
    page: Page,
) -> Result<Paged<WebhookPayloadRow>> {
    board_for_user(store, caller, board_id, Access::Read).await?;
    webhook_of(store, board_id, webhook_id).await?;
    Ok(store.list_webhook_payloads(board_id, webhook_id, page).await?)
}

async fn payload_of(store: &Store, board_id: Uuid, webhook_id: Uuid, payload_id: Uuid) -> Result<WebhookPayloadRow> {
    store
        .get_webhook_payload(board_id, webhook_id, payload_id)
        .await?
        .ok_or(Error::NotFound("Webhook payload not found"))
}

pub async fn get_payload(
    store: &Store,
    caller: &UserCaller,
    board_id: Uuid,
    webhook_id: Uuid,
    payload_id: Uuid,
) -> Result<WebhookPayloadRow> {
    board_for_user(store, caller, board_id, Access::Read).await?;
    payload_of(store, board_id, webhook_id, payload_id).await
}

/// A payload for an agent of the board (another board's agent is refused), cut to
/// `max_chars` characters when asked.
pub async fn get_payload_for_agent(
    store: &Store,
    caller: &AgentCaller,
    board_id: Uuid,
    webhook_id: Uuid,
    payload_id: Uuid,
    max_chars: Option<usize>,
) -> Result<WebhookPayloadRow> {
    board_for_agent(store, caller, board_id).await?;
    let mut row = payload_of(store, board_id, webhook_id, payload_id).await?;
    row.payload = rules::limit_payload(row.payload.take(), max_chars);
    Ok(row)
}

/// Why a delivery was not let in before its body was read.
#[derive(Debug, thiserror::Error)]
pub enum AdmitError {
    /// Too many deliveries from this client address.
    #[error("rate limited")]
    RateLimited {
        limit: u32,
        window: Duration,
        reset_after: Duration,
    },
    #[error(transparent)]
    Action(#[from] Error),
}

/// A webhook that may receive a delivery, with its board's organization.
#[derive(Debug)]
pub struct Admitted {
    pub webhook: WebhookRecord,
    pub organization_id: Uuid,
}

/// The checks before a delivery's body is read: the per-address budget (429), then the
/// webhook (404 unknown for this board, 410 disabled).
pub async fn admit(
    app: &AppState,
    client: IpAddr,
    board_id: Uuid,
    webhook_id: Uuid,
) -> std::result::Result<Admitted, AdmitError> {
    let limit = app.config.webhook_limit;
    let decision = app.limiter.check("webhook", client, limit).await;
    app.metrics.rate_limit_decision("webhook", decision.allowed);
    if !decision.allowed {
        return Err(AdmitError::RateLimited {
            limit: decision.limit,
            window: limit.window,
            reset_after: decision.reset_after,
        });
    }
    let webhook = webhook_of(&app.store, board_id, webhook_id).await?;
    if !webhook.enabled {
        return Err(Error::Gone("Webhook is disabled").into());
    }
    let organization_id = app
        .store
        .get_board(board_id)
        .await
        .map_err(Error::from)?
        .ok_or(Error::NotFound("Webhook not found"))?
        .organization_id;
    Ok(Admitted {
        webhook,
        organization_id,
    })
}

/// A delivery's request, once its body is read (within the cap).
#[derive(Debug)]
pub struct Delivery {
    pub body: Vec<u8>,
    /// Every header, lower-case names, values as text.
    pub headers: Vec<(String, String)>,
    pub source_ip: IpAddr,
}

impl Delivery {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Takes a delivery to an admitted webhook: checks the signature when the webhook has a
/// secret (403), stores the payload, its memory note and its delivery job in one
/// transaction, and returns the payload's id. A sender's repeated delivery key within the
/// replay window returns the first payload's id and stores nothing.
pub async fn ingest(app: &AppState, admitted: &Admitted, delivery: &Delivery) -> Result<Uuid> {
    let hook = &admitted.webhook;
    if let Some(secret) = &hook.secret {
        let offered = rules::offered_signature(hook.signature_header.as_deref(), |n| delivery.header(n))
            .ok_or(Error::Forbidden("Missing webhook signature"))?;
        if !rules::signature_matches(secret, &delivery.body, offered) {
            return Err(Error::Forbidden("Invalid webhook signature"));
        }
    }
    let content_type = delivery.header("content-type").map(str::to_owned);
    let payload = rules::decode_payload(&delivery.body, content_type.as_deref());
    let headers = rules::captured_headers(
        delivery.headers.iter().map(|(n, v)| (n.as_str(), v.clone())),
        hook.signature_header.as_deref(),
    );
    let t = now();
    let payload_id = Uuid::new_v4();
    let memory = MemoryRow {
        id: Uuid::new_v4(),
        board_id: hook.board_id,
        content: rules::memory_content(&hook.description, hook.id, payload_id, &payload),
        tags: Some(rules::memory_tags(hook.id, payload_id)),
        is_chat: false,
        source: Some("webhook".to_owned()),
        created_at: t,
    };
    let row = WebhookPayloadRow {
        id: payload_id,
        board_id: hook.board_id,
        webhook_id: hook.id,
        payload: Some(payload),
        headers: Some(headers),
        source_ip: Some(delivery.source_ip.to_string()),
        content_type: content_type.map(|c| without_nul(&c)),
        received_at: t,
    };
    let job = NewJob {
        id: Uuid::new_v4(),
        kind: DELIVERY_JOB.to_owned(),
        payload: json!({
            "board_id": hook.board_id,
            "webhook_id": hook.id,
            "payload_id": payload_id,
            "received_at": t.and_utc().to_rfc3339(),
        }),
        run_at: t,
        traceparent: crate::telemetry::current_traceparent(),
        dedupe_key: None,
    };
    let key = rules::delivery_key(|n| delivery.header(n));
    let replay_since = t - chrono::Duration::hours(rules::REPLAY_WINDOW_HOURS);
    match app
        .store
        .ingest_webhook_payload(&row, key.as_deref(), &memory, &job, replay_since)
        .await?
    {
        IngestOutcome::Replayed(first) => Ok(first),
        IngestOutcome::Stored => {
            app.jobs.job_enqueued();
            app.events
                .publish(super::events::memory_event(admitted.organization_id, memory))
                .await;
            Ok(payload_id)
        }
    }
}

/// Header text without NUL characters (which PostgreSQL cannot store).
fn without_nul(s: &str) -> String {
    s.replace('\0', "\u{FFFD}")
}

/// The `webhook_delivery` job: reloads the webhook and the payload (a job that outlived
/// either ends quietly), picks the webhook's agent when it is still on the board, else the
/// board lead, and records the message it would get. No gateway is connected yet, so the
/// delivery is the memory note (already on the board and its stream) plus this record, made
/// once per job: the job's id is the record's id.
pub async fn deliver(app: &crate::app::AppState, job_id: Uuid, payload: &Value) -> std::result::Result<(), RunError> {
    let store = &app.store;
    let id = |field: &str| {
        payload
            .get(field)
            .and_then(Value::as_str)
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(|| RunError::Permanent(format!("webhook_delivery payload without a valid {field}")))
    };
    let (board_id, webhook_id, payload_id) = (id("board_id")?, id("webhook_id")?, id("payload_id")?);
    let transient = |e: crate::store::StoreError| RunError::Transient(e.to_string());
    let Some(hook) = store.get_webhook(board_id, webhook_id).await.map_err(transient)? else {
        return Ok(());
    };
    let Some(received) = store
        .get_webhook_payload(board_id, webhook_id, payload_id)
        .await
        .map_err(transient)?
    else {
        return Ok(());
    };
    let target = match hook.agent_id {
        Some(a) => store
            .get_agent(a)
            .await
            .map_err(transient)?
            .filter(|agent| agent.board_id == Some(board_id))
            .map(|agent| agent.id),
        None => None,
    };
    let target = match target {
        Some(a) => Some(a),
        None => store.board_lead_id(board_id, None).await.map_err(transient)?,
    };
    let Some(agent_id) = target else {
        return Ok(());
    };
    let body = received.payload.unwrap_or(Value::Null);
    let message = rules::delivery_message(&hook.description, webhook_id, payload_id, &body);
    // Sent through the agent's gateway when it has one; recorded as not delivered otherwise.
    let event = match store.get_agent(agent_id).await.map_err(transient)? {
        Some(agent) if agent.gateway_id.is_some() => {
            match super::notify::send(app, &agent, &message, &job_id.to_string(), false).await {
                Ok(()) => crate::domain::notifications::delivered_event(rules::DELIVERY_EVENT),
                Err(super::notify::SendError::Store(e)) => return Err(RunError::Transient(e)),
                Err(_) => rules::DELIVERY_EVENT.to_owned(),
            }
        }
        _ => rules::DELIVERY_EVENT.to_owned(),
    };
    store
        .record_webhook_delivery(job_id, &event, &message, agent_id, board_id, now())
        .await
        .map_err(transient)?;
    Ok(())
}
