//! The HTTP surface: routes, the OpenAPI document, and the middleware every response goes
//! through. Handlers parse input, call one action and render the result; they hand
//! `app.store` to actions but never use the store's types or methods themselves
//! (`service/tests/layers.rs` checks it).
//!
//! One rule places a handler: it lives in the file named after the resource its path ends
//! in, ids, `me` and a trailing `stream` aside, and a path that ends in a view of a
//! resource rather than a resource (`/organizations/me/list`, `/boards/{id}/snapshot`,
//! `/gateways/status`) stays with the resource it views. Live-stream handlers follow the
//! same rule; `streams.rs` only holds what they share. So:
//!
//! | path (under `/api/v1`)                         | file                |
//! |------------------------------------------------|---------------------|
//! | `/auth/bootstrap`                              | `auth.rs`           |
//! | `/users/me`                                    | `users.rs`          |
//! | `/organizations`, `/organizations/me[/list, /active]` | `organizations.rs` |
//! | `/organizations/me/member[s/…]`                | `members.rs`        |
//! | `/organizations/me/invites…`, `/organizations/invites/accept` | `invites.rs` |
//! | `/organizations/me/custom-fields…`             | `custom_fields.rs`  |
//! | `/gateways…`                                   | `gateways.rs`       |
//! | `/boards`, `/boards/{id}`, `/boards/{id}/snapshot` | `boards.rs`     |
//! | `/boards/{id}/tasks…` (and `…/tasks/stream`)   | `tasks.rs`          |
//! | `/boards/{id}/tasks/{id}/comments`             | `comments.rs`       |
//! | `/boards/{id}/approvals…`                      | `approvals.rs`      |
//! | `/boards/{id}/memory…`                         | `memory.rs`         |
//! | `/boards/{id}/webhooks…`, `/agent/boards/{id}/webhooks/…` (one payload, for agents) | `webhooks.rs` |
//! | `/board-groups…`, `/boards/{id}/group-snapshot`| `board_groups.rs`   |
//! | `/board-groups/{id}/memory…`, `/boards/{id}/group-memory…` | `group_memory.rs` |
//! | `/agents…`                                     | `agents.rs`         |
//! | `/agent/…` (the agent's own API; webhook payloads aside) | `agent.rs` |
//! | `/agent/agents` (GET), `/agent/boards/{id}`, `/agent/boards/{id}/{approvals, memory, tags}` | `agent_board.rs` |
//! | `/agent/boards/{id}/tasks…` (agents' task writes) | `agent_tasks.rs` |
//! | `/agent/agents` (POST), `/agent/boards/{id}/agents/{id}` (leads manage workers) | `agent_agents.rs` |
//! | `/activity…`                                   | `activity.rs`       |
//! | `/metrics/dashboard`                           | `dashboard.rs`      |
//! | `/tags…`, `/skills/…`                          | `tags.rs`, `skills.rs` |
//! | `/souls-directory…`                            | `souls.rs`          |
//! | `/health`, `/healthz`, `/readyz`, `/metrics`   | `health.rs`         |
//!
//! `doc.rs` adds the statuses every operation shares (401, 403, 404, 413, 415, 422, 429) to
//! the document from the operation's security, parameters and body, and the error schemas.

pub mod activity;
pub mod after_response;
pub mod agent;
pub mod agent_agents;
pub mod agent_board;
pub mod agent_gateway;
pub mod agent_tasks;
pub mod agents;
pub mod approvals;
pub mod auth;
pub mod board_groups;
pub mod boards;
pub mod comments;
pub mod custom_fields;
pub mod dashboard;
pub mod doc;
pub mod doc_inputs;
pub mod error;
pub mod extract;
pub mod gateways;
pub mod group_memory;
pub mod health;
pub mod invites;
pub mod json;
pub mod members;
pub mod memory;
pub mod onboarding;
pub mod organizations;
pub mod pages;
pub mod request_id;
pub mod skills;
pub mod souls;
pub mod streams;
pub mod tags;
pub mod tasks;
pub mod users;
pub mod webhooks;

use std::time::Instant;

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use opentelemetry::propagation::Extractor;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tracing::Instrument;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

use crate::app::AppState;
use request_id::RequestId;

#[derive(OpenApi)]
#[openapi(
    info(title = "Mission Control API", description = "Control plane for fleets of AI agents and the humans who steer them."),
    modifiers(&SecuritySchemes),
    tags(
        (name = "health", description = "Probes and metrics"),
        (name = "auth"), (name = "users"), (name = "organizations"), (name = "gateways"),
        (name = "boards"), (name = "agents"), (name = "tasks"), (name = "activity"), (name = "metrics"),
        (name = "approvals"), (name = "board-memory"), (name = "board-webhooks"), (name = "skills"),
        (name = "tags"), (name = "custom-fields"), (name = "souls-directory"), (name = "board-groups"), (name = "board-group-memory"),
        (name = "agent", description = "Endpoints for agents, authenticated with X-Agent-Token"),
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "HTTPBearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "AgentToken",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Agent-Token"))),
        );
    }
}

/// The OpenAPI document and the routes it describes.
fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (routes, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::health))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::metrics))
        .routes(routes!(auth::bootstrap))
        .routes(routes!(users::get_me, users::update_me, users::delete_me))
        .routes(routes!(
            organizations::get_my_org,
            organizations::delete_my_organization
        ))
        .routes(routes!(organizations::create_organization))
        .routes(routes!(organizations::list_my_organizations))
        .routes(routes!(organizations::set_active_organization))
        .routes(routes!(members::get_my_membership))
        .routes(routes!(members::list_members))
        .routes(routes!(
            members::get_member,
            members::update_member,
            members::remove_member
        ))
        .routes(routes!(members::update_member_access))
        .routes(routes!(invites::list_invites, invites::create_invite))
        .routes(routes!(invites::revoke_invite))
        .routes(routes!(invites::accept_invite))
        .routes(routes!(activity::list_activity))
        .routes(routes!(activity::list_task_comment_feed))
        .routes(routes!(activity::stream_task_comments))
        .routes(routes!(dashboard::get_dashboard))
        .routes(routes!(boards::get_board_snapshot))
        .routes(routes!(gateways::list_gateways, gateways::create_gateway))
        .routes(routes!(gateways::gateway_status))
        .routes(routes!(gateways::list_sessions))
        .routes(routes!(gateways::get_session))
        .routes(routes!(gateways::session_history))
        .routes(routes!(gateways::send_session_message))
        .routes(routes!(gateways::gateway_commands))
        .routes(routes!(gateways::sync_templates))
        .routes(routes!(skills::list_packs))
        .routes(routes!(skills::list_marketplace))
        .routes(routes!(agents::stream_agents))
        .routes(routes!(approvals::list_approvals, approvals::create_approval))
        .routes(routes!(approvals::update_approval))
        .routes(routes!(approvals::stream_approvals))
        .routes(routes!(memory::list_memory, memory::create_memory))
        .routes(routes!(memory::stream_memory))
        // board webhooks
        .routes(routes!(webhooks::list_webhooks, webhooks::create_webhook))
        .routes(routes!(
            webhooks::get_webhook,
            webhooks::update_webhook,
            webhooks::delete_webhook,
            webhooks::ingest_webhook
        ))
        .routes(routes!(webhooks::list_webhook_payloads))
        .routes(routes!(webhooks::get_webhook_payload))
        .routes(routes!(webhooks::agent_get_webhook_payload))
        .routes(routes!(
            gateways::get_gateway,
            gateways::update_gateway,
            gateways::delete_gateway
        ))
        .routes(routes!(boards::list_boards, boards::create_board))
        .routes(routes!(boards::get_board, boards::update_board, boards::delete_board))
        .routes(routes!(agents::list_agents, agents::create_agent))
        .routes(routes!(agents::get_agent, agents::delete_agent))
        .routes(routes!(agents::issue_agent_token))
        .routes(routes!(tasks::list_tasks, tasks::create_task))
        .routes(routes!(tasks::update_task, tasks::delete_task))
        .routes(routes!(tasks::stream_tasks))
        .routes(routes!(comments::list_task_comments, comments::create_task_comment))
        .routes(routes!(agent::agent_healthz))
        .routes(routes!(agent::agent_heartbeat))
        .routes(routes!(agent::agent_list_boards))
        .routes(routes!(agent::agent_list_tasks))
        .routes(routes!(tags::list_tags, tags::create_tag))
        .routes(routes!(tags::get_tag, tags::update_tag, tags::delete_tag))
        .routes(routes!(
            custom_fields::list_custom_fields,
            custom_fields::create_custom_field
        ))
        .routes(routes!(
            custom_fields::update_custom_field,
            custom_fields::delete_custom_field
        ))
        .routes(routes!(
            board_groups::list_board_groups,
            board_groups::create_board_group
        ))
        .routes(routes!(
            board_groups::get_board_group,
            board_groups::update_board_group,
            board_groups::delete_board_group
        ))
        .routes(routes!(board_groups::get_board_group_snapshot))
        .routes(routes!(board_groups::apply_board_group_heartbeat))
        .routes(routes!(board_groups::get_board_group_snapshot_for_board))
        .routes(routes!(
            group_memory::list_board_group_memory,
            group_memory::create_board_group_memory
        ))
        .routes(routes!(group_memory::stream_board_group_memory))
        .routes(routes!(
            group_memory::list_board_group_memory_for_board,
            group_memory::create_board_group_memory_for_board
        ))
        .routes(routes!(group_memory::stream_board_group_memory_for_board))
        .routes(routes!(agent_tasks::agent_lead_create_task))
        .routes(routes!(
            agent_tasks::agent_update_task,
            agent_tasks::agent_lead_delete_task
        ))
        .routes(routes!(
            agent_tasks::agent_list_task_comments,
            agent_tasks::agent_create_task_comment
        ))
        // agents and leads (helper C)
        .routes(routes!(agents::update_agent))
        .routes(routes!(agents::heartbeat_agent))
        .routes(routes!(agents::heartbeat_or_create_agent))
        .routes(routes!(agent_agents::agent_lead_create_agent))
        .routes(routes!(agent_agents::agent_lead_delete_board_agent))
        .routes(routes!(agent_gateway::agent_nudge))
        .routes(routes!(agent_gateway::agent_get_soul, agent_gateway::agent_put_soul))
        .routes(routes!(agent_gateway::agent_ask_user))
        .routes(routes!(agent_gateway::agent_message_lead))
        .routes(routes!(agent_gateway::agent_broadcast_leads))
        .routes(routes!(onboarding::agent_post_onboarding))
        .routes(routes!(onboarding::get_onboarding))
        .routes(routes!(onboarding::start_onboarding))
        .routes(routes!(onboarding::answer_onboarding))
        .routes(routes!(onboarding::confirm_onboarding))
        .routes(routes!(onboarding::board_post_onboarding_agent))
        // agent board reads
        .routes(routes!(agent_board::agent_list_agents))
        .routes(routes!(agent_board::agent_get_board))
        .routes(routes!(
            agent_board::agent_list_approvals,
            agent_board::agent_create_approval
        ))
        .routes(routes!(
            agent_board::agent_list_memory,
            agent_board::agent_create_memory
        ))
        .routes(routes!(agent_board::agent_list_tags))
        // souls directory
        .routes(routes!(souls::search))
        .routes(routes!(souls::get_markdown))
        .split_for_parts();
    doc.merge(souls::MarkdownSuffixDoc::openapi());
    doc::CommonResponses.modify(&mut doc);
    doc_inputs::state_input_spellings(&mut doc);
    (routes, doc)
}

/// The generated OpenAPI document (also served at `/openapi.json`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    api().1
}

/// The complete application: routes, docs, and middleware (outermost first): security
/// headers, CORS, events held until the response is written (`after_response`), request id,
/// request span + metrics, error bodies, panic guard, timeout, body limit.
pub fn router(state: AppState) -> Router {
    let (routes, doc) = api();
    let config = state.config.clone();
    let routes = routes
        .merge(SwaggerUi::new("/docs").url("/openapi.json", doc))
        .fallback(|| async { StatusCode::NOT_FOUND })
        .method_not_allowed_fallback(|| async { StatusCode::METHOD_NOT_ALLOWED });

    let headers = &config.security_headers;
    let mut security = Vec::new();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, &headers.x_content_type_options),
        (header::X_FRAME_OPTIONS, &headers.x_frame_options),
        (header::REFERRER_POLICY, &headers.referrer_policy),
        (
            HeaderName::from_static("permissions-policy"),
            &headers.permissions_policy,
        ),
    ] {
        if let Some(v) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            security.push(SetResponseHeaderLayer::if_not_present(name, v));
        }
    }

    let cors = (!config.cors_origins.is_empty()).then(|| {
        let origins: Vec<HeaderValue> = config
            .cors_origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect();
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_credentials(true)
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
                Method::OPTIONS,
            ])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::ACCEPT,
                HeaderName::from_static("x-agent-token"),
                HeaderName::from_static(request_id::HEADER),
                HeaderName::from_static("last-event-id"),
            ])
            .expose_headers([
                HeaderName::from_static(request_id::HEADER),
                HeaderName::from_static("x-total-count"),
                HeaderName::from_static("x-limit"),
                HeaderName::from_static("x-offset"),
                header::RETRY_AFTER,
            ])
            .max_age(std::time::Duration::from_secs(600))
    });

    let inner = ServiceBuilder::new()
        .layer(middleware::from_fn_with_state(
            state.clone(),
            after_response::hold_events,
        ))
        .layer(middleware::from_fn(request_id::assign_request_id))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(middleware::from_fn(error::error_envelope))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            config.request_timeout,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), limit_body))
        .layer(DefaultBodyLimit::max(config.max_body_bytes));

    let mut app = routes.layer(inner).with_state(state);
    if let Some(cors) = cors {
        app = app.layer(cors);
    }
    for layer in security {
        app = app.layer(layer);
    }
    app
}

/// The request body cap (`REQUEST_MAX_BODY_BYTES`): a declared `Content-Length` above it is
/// refused at once (413), and a body that streams past it fails when read (413). Webhook
/// ingest is left alone: its handler applies `WEBHOOK_MAX_PAYLOAD_BYTES` itself, after its
/// rate limit and webhook checks.
async fn limit_body(axum::extract::State(app): axum::extract::State<AppState>, req: Request, next: Next) -> Response {
    let ingest = req.method() == Method::POST
        && req
            .extensions()
            .get::<MatchedPath>()
            .is_some_and(|m| m.as_str() == webhooks::INGEST_PATH);
    if ingest {
        return next.run(req).await;
    }
    let limit = app.config.max_body_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return error::ApiError::PayloadTooLarge.into_response();
    }
    next.run(req.map(|b| axum::body::Body::new(http_body_util::Limited::new(b, limit))))
        .await
}

struct HeaderExtractor<'a>(&'a axum::http::HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }
    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(HeaderName::as_str).collect()
    }
}

/// One span per request, named by route template, continuing an incoming `traceparent`;
/// request metrics; and one access log line.
async fn observe(axum::extract::State(app): axum::extract::State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.as_str().to_owned())
        .unwrap_or_default();
    let client = req
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default();
    let span = tracing::info_span!(
        "request",
        otel.name = %format!("{method} {route}"),
        otel.kind = "server",
        otel.status_code = tracing::field::Empty,
        http.request.method = %method,
        http.route = %route,
        http.response.status_code = tracing::field::Empty,
        request_id = %request_id,
        client.address = %client,
        trace_id = tracing::field::Empty,
    );
    if app.config.otel.is_some() {
        let parent = opentelemetry::global::get_text_map_propagator(|p| p.extract(&HeaderExtractor(req.headers())));
        let _ = span.set_parent(parent);
        let trace_id = {
            use opentelemetry::trace::TraceContextExt;
            span.context().span().span_context().trace_id()
        };
        if trace_id != opentelemetry::trace::TraceId::INVALID {
            span.record("trace_id", tracing::field::display(trace_id));
        }
    }

    let in_flight = app.metrics.request_started();
    let res = next.run(req).instrument(span.clone()).await;
    drop(in_flight);
    let status = res.status();
    let elapsed = started.elapsed();
    app.metrics
        .request_finished(method.as_str(), &route, status.as_u16(), elapsed);
    span.record("http.response.status_code", status.as_u16());
    let _entered = span.enter();
    let latency_ms = elapsed.as_secs_f64() * 1000.0;
    if status.is_server_error() {
        span.record("otel.status_code", "ERROR");
        tracing::warn!(status = status.as_u16(), latency_ms, "request finished");
    } else if status.is_client_error() {
        tracing::info!(status = status.as_u16(), latency_ms, "request finished");
    } else {
        tracing::debug!(status = status.as_u16(), latency_ms, "request finished");
    }
    res
}
