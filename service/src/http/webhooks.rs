//! Board webhooks: their settings (users), the payloads they received (users, and agents of
//! the board for one payload), and ingest — the unauthenticated endpoint senders post to.

use std::time::Duration;

use axum::Json;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use http_body_util::BodyExt;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::error::{ApiError, ApiResult};
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthAgent, AuthUser, PageQuery, client_ip, empty_as_none};
use crate::actions::FieldError;
use crate::actions::identity::Caller;
use crate::actions::webhooks::{self, AdmitError, Delivery, WebhookInput};
use crate::app::AppState;
use crate::wire::webhooks::{
    BoardWebhookCreate, BoardWebhookIngestResponse, BoardWebhookPayloadRead, BoardWebhookRead, BoardWebhookUpdate,
};
use crate::wire::{OkResponse, PageOf};

/// The ingest route's template: the global body limit leaves this route to its handler,
/// which applies `WEBHOOK_MAX_PAYLOAD_BYTES` itself.
pub const INGEST_PATH: &str = "/api/v1/boards/{board_id}/webhooks/{webhook_id}";

#[utoipa::path(get, path = "/api/v1/boards/{board_id}/webhooks", tag = "board-webhooks", security(("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), PageQuery), responses((status = 200, body = PageOf<BoardWebhookRead>)))]
pub async fn list_webhooks(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<PageOf<BoardWebhookRead>> {
    let page = q.page()?;
    let found = webhooks::list(&app.store, &Caller::User(caller), board_id, page).await?;
    let base = app.config.base_url.clone();
    Ok(PageOf::new(found, page, |w| BoardWebhookRead::new(w, base.as_ref())))
}

#[utoipa::path(post, path = "/api/v1/boards/{board_id}/webhooks", tag = "board-webhooks", security(("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path)), request_body = BoardWebhookCreate,
    responses((status = 200, body = BoardWebhookRead)))]
pub async fn create_webhook(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<BoardWebhookCreate>,
) -> ApiResult<Json<BoardWebhookRead>> {
    let input = WebhookInput {
        description: Some(body.description),
        enabled: Some(body.enabled),
        agent_id: Some(body.agent_id),
        secret: Some(body.secret),
        signature_header: Some(body.signature_header),
    };
    let row = webhooks::create(&app.store, &caller, board_id, input).await?;
    Ok(Json(BoardWebhookRead::new(row, app.config.base_url.as_ref())))
}

#[utoipa::path(get, path = "/api/v1/boards/{board_id}/webhooks/{webhook_id}", tag = "board-webhooks", security(("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), ("webhook_id" = Uuid, Path)), responses((status = 200, body = BoardWebhookRead)))]
pub async fn get_webhook(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath((board_id, webhook_id)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<Json<BoardWebhookRead>> {
    let row = webhooks::get(&app.store, &caller, board_id, webhook_id).await?;
    Ok(Json(BoardWebhookRead::new(row, app.config.base_url.as_ref())))
}

#[utoipa::path(patch, path = "/api/v1/boards/{board_id}/webhooks/{webhook_id}", tag = "board-webhooks", security(("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), ("webhook_id" = Uuid, Path)), request_body = BoardWebhookUpdate,
    responses((status = 200, body = BoardWebhookRead)))]
pub async fn update_webhook(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath((board_id, webhook_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<BoardWebhookUpdate>,
) -> ApiResult<Json<BoardWebhookRead>> {
    let input = WebhookInput {
        description: body.description,
        enabled: body.enabled,
        agent_id: body.agent_id,
        secret: body.secret,
        signature_header: body.signature_header,
    };
    let row = webhooks::update(&app.store, &caller, board_id, webhook_id, input).await?;
    Ok(Json(BoardWebhookRead::new(row, app.config.base_url.as_ref())))
}

#[utoipa::path(delete, path = "/api/v1/boards/{board_id}/webhooks/{webhook_id}", tag = "board-webhooks", security(("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), ("webhook_id" = Uuid, Path)), responses((status = 200, body = OkResponse)))]
pub async fn delete_webhook(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath((board_id, webhook_id)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<Json<OkResponse>> {
    webhooks::delete(&app.store, &caller, board_id, webhook_id).await?;
    Ok(Json(OkResponse::ok()))
}

impl From<AdmitError> for ApiError {
    fn from(e: AdmitError) -> Self {
        match e {
            AdmitError::RateLimited {
                limit,
                window,
                reset_after,
            } => ApiError::RateLimited {
                limit,
                window,
                reset_after,
            },
            AdmitError::Action(e) => ApiError::Action(e),
        }
    }
}

/// How long a refused body is read on (and thrown away) so its sender, still writing, gets
/// the 413 rather than a broken connection.
const DRAIN_TIME: Duration = Duration::from_secs(5);

/// Reads what is left of a refused body without keeping it, up to `budget` bytes and
/// [`DRAIN_TIME`]; a sender that goes on longer has its connection closed instead.
async fn discard_rest(mut body: Body, budget: u64) {
    let drain = async {
        let mut seen: u64 = 0;
        while let Some(Ok(frame)) = body.frame().await {
            if let Ok(data) = frame.into_data() {
                seen = seen.saturating_add(data.len() as u64);
                if seen > budget {
                    return;
                }
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIME, drain).await;
}

/// Reads a body of at most `cap` bytes, refusing (413) once it grows past the cap: what was
/// read is dropped then, so no more than the cap is ever held.
async fn body_within(mut body: Body, cap: usize) -> ApiResult<Vec<u8>> {
    let mut out: Vec<u8> = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            ApiError::Validation(vec![FieldError::new(
                vec!["body".into()],
                format!("could not read the request body: {e}"),
                "value_error",
            )])
        })?;
        if let Ok(data) = frame.into_data() {
            if out.len().saturating_add(data.len()) > cap {
                drop(out);
                discard_rest(body, 2 * cap as u64).await;
                return Err(ApiError::PayloadTooLarge);
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(out)
}

#[utoipa::path(post, path = "/api/v1/boards/{board_id}/webhooks/{webhook_id}", tag = "board-webhooks",
    description = "Receives a delivery (no authentication). Checked in order: the per-address budget \
        (`RATE_LIMIT_WEBHOOK_REQUESTS` per `RATE_LIMIT_WEBHOOK_WINDOW_SECONDS`, 429), the webhook (404 unknown, \
        410 disabled), the body size (`WEBHOOK_MAX_PAYLOAD_BYTES`, by `Content-Length` and while streaming, 413), \
        and, when the webhook has a secret, the HMAC-SHA256 signature (403). A repeated `Idempotency-Key` or \
        `X-GitHub-Delivery` within 24 hours answers the first delivery's `payload_id` and stores nothing.",
    params(("board_id" = Uuid, Path), ("webhook_id" = Uuid, Path)),
    responses(
        (status = 202, body = BoardWebhookIngestResponse),
        (status = 403, description = "The webhook has a secret and the signature is missing or wrong"),
        (status = 410, description = "The webhook is disabled"),
        (status = 413, description = "The body is larger than WEBHOOK_MAX_PAYLOAD_BYTES"),
        (status = 429, description = "Too many deliveries from this address"),
    ))]
pub async fn ingest_webhook(
    State(app): State<AppState>,
    ApiPath((board_id, webhook_id)): ApiPath<(Uuid, Uuid)>,
    req: Request,
) -> ApiResult<(StatusCode, Json<BoardWebhookIngestResponse>)> {
    let (parts, body) = req.into_parts();
    let client = client_ip(&parts, &app.config.trusted_proxies);
    let admitted = webhooks::admit(&app, client, board_id, webhook_id).await?;
    let cap = app.config.webhook_max_payload_bytes;
    let declared = parts
        .headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(n) = declared.filter(|n| *n > cap as u64) {
        // Nothing is read into memory; a body of up to twice the cap is drained so that its
        // sender gets the answer.
        if n <= 2 * cap as u64 {
            discard_rest(body, n).await;
        }
        return Err(ApiError::PayloadTooLarge);
    }
    let body = body_within(body, cap).await?;
    let headers = parts
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let delivery = Delivery {
        body,
        headers,
        source_ip: client,
    };
    let payload_id = webhooks::ingest(&app, &admitted, &delivery).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(BoardWebhookIngestResponse {
            ok: true,
            board_id,
            webhook_id,
            payload_id,
        }),
    ))
}

#[utoipa::path(get, path = "/api/v1/boards/{board_id}/webhooks/{webhook_id}/payloads", tag = "board-webhooks", security(("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), ("webhook_id" = Uuid, Path), PageQuery),
    responses((status = 200, body = PageOf<BoardWebhookPayloadRead>)))]
pub async fn list_webhook_payloads(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath((board_id, webhook_id)): ApiPath<(Uuid, Uuid)>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<PageOf<BoardWebhookPayloadRead>> {
    let page = q.page()?;
    let found = webhooks::list_payloads(&app.store, &caller, board_id, webhook_id, page).await?;
    Ok(PageOf::new(found, page, BoardWebhookPayloadRead::from))
}

#[utoipa::path(get, path = "/api/v1/boards/{board_id}/webhooks/{webhook_id}/payloads/{payload_id}", tag = "board-webhooks", security(("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), ("webhook_id" = Uuid, Path), ("payload_id" = Uuid, Path)),
    responses((status = 200, body = BoardWebhookPayloadRead)))]
pub async fn get_webhook_payload(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath((board_id, webhook_id, payload_id)): ApiPath<(Uuid, Uuid, Uuid)>,
) -> ApiResult<Json<BoardWebhookPayloadRead>> {
    let row = webhooks::get_payload(&app.store, &caller, board_id, webhook_id, payload_id).await?;
    Ok(Json(row.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PayloadQuery {
    /// Cut the payload to this many characters (its text, or its compact JSON as a string).
    #[serde(default, deserialize_with = "empty_as_none")]
    #[param(minimum = 1, maximum = 1_000_000)]
    pub max_chars: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/agent/boards/{board_id}/webhooks/{webhook_id}/payloads/{payload_id}", tag = "agent",
    security(("AgentToken" = []), ("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), ("webhook_id" = Uuid, Path), ("payload_id" = Uuid, Path), PayloadQuery),
    responses((status = 200, body = BoardWebhookPayloadRead)))]
pub async fn agent_get_webhook_payload(
    State(app): State<AppState>,
    AuthAgent(caller): AuthAgent,
    ApiPath((board_id, webhook_id, payload_id)): ApiPath<(Uuid, Uuid, Uuid)>,
    ApiQuery(q): ApiQuery<PayloadQuery>,
) -> ApiResult<Json<BoardWebhookPayloadRead>> {
    let max_chars = match q.max_chars {
        None => None,
        Some(n @ 1..=1_000_000) => Some(n as usize),
        Some(_) => {
            return Err(ApiError::Validation(vec![FieldError::new(
                vec!["query".into(), "max_chars".into()],
                "Input should be between 1 and 1000000",
                "value_error",
            )]));
        }
    };
    let row = webhooks::get_payload_for_agent(&app.store, &caller, board_id, webhook_id, payload_id, max_chars).await?;
    Ok(Json(row.into()))
}
