//! The one place that maps errors to status codes and to the contract's error body
//! `{"detail": ..., "request_id": ...}`.
//!
//! Handlers return [`ApiError`]; it renders the status and the `detail` into a response
//! extension. The [`error_envelope`] middleware then writes every error body — ours, and the
//! framework's own (unknown route, wrong method, body too large, timeout) — with the
//! request's id, and logs the cause of a 500 once, inside the request span.

use std::time::Duration;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::request_id::RequestId;
use crate::actions::{self, FieldError};
use crate::domain::tasks::TaskRuleError;

/// The `detail` of an error response, carried to [`error_envelope`].
#[derive(Debug, Clone)]
struct ErrorDetail(Value);

/// The hidden cause of a 500, logged by [`error_envelope`] and never sent.
#[derive(Debug, Clone)]
struct InternalCause(String);

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Action(#[from] actions::Error),
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    #[error("rate limited")]
    RateLimited {
        limit: u32,
        window: Duration,
        reset_after: Duration,
    },
    #[error("invalid request")]
    Validation(Vec<FieldError>),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("internal error: {0}")]
    Internal(String),
}

pub type ApiResult<T> = Result<T, ApiError>;

fn validation_body(items: &[FieldError]) -> Value {
    Value::Array(
        items
            .iter()
            .map(|f| json!({"loc": f.loc, "msg": f.msg, "type": f.kind}))
            .collect(),
    )
}

fn rule_response(rule: &TaskRuleError) -> (StatusCode, Value) {
    let message = rule.to_string();
    match rule {
        TaskRuleError::Blocked { blocked_by } => (
            StatusCode::CONFLICT,
            json!({"message": message, "code": "task_blocked_cannot_transition", "blocked_by_task_ids": blocked_by}),
        ),
        TaskRuleError::MissingDependencies(ids) => (
            StatusCode::NOT_FOUND,
            json!({"message": message, "missing_task_ids": ids}),
        ),
        TaskRuleError::MissingTags(ids) => (
            StatusCode::NOT_FOUND,
            json!({"message": message, "missing_tag_ids": ids}),
        ),
        TaskRuleError::AssigneeNotFound => (StatusCode::NOT_FOUND, Value::from(message)),
        TaskRuleError::SelfDependency => (
            StatusCode::UNPROCESSABLE_ENTITY,
            validation_body(&[FieldError::body("depends_on_task_ids", message)]),
        ),
        TaskRuleError::CommentRequired => (
            StatusCode::UNPROCESSABLE_ENTITY,
            validation_body(&[FieldError::body("comment", message)]),
        ),
        TaskRuleError::Cycle => (
            StatusCode::CONFLICT,
            json!({"message": message, "code": "dependency_cycle"}),
        ),
        TaskRuleError::DoneTaskDependencies => (
            StatusCode::CONFLICT,
            json!({"message": message, "code": "task_done_dependencies_locked"}),
        ),
        TaskRuleError::AssigneeOnOtherBoard => (
            StatusCode::CONFLICT,
            json!({"message": message, "code": "assignee_board_mismatch"}),
        ),
        TaskRuleError::PendingApproval => (
            StatusCode::CONFLICT,
            json!({"message": message, "code": "pending_approval"}),
        ),
        TaskRuleError::ReviewRequiredBeforeDone => (
            StatusCode::CONFLICT,
            json!({"message": message, "code": "review_required"}),
        ),
        TaskRuleError::ApprovalRequiredForDone => (
            StatusCode::CONFLICT,
            json!({"message": message, "code": "approval_required"}),
        ),
    }
}

fn error_response(status: StatusCode, detail: Value) -> Response {
    let mut res = status.into_response();
    res.extensions_mut().insert(ErrorDetail(detail));
    res
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Action(e) => match e {
                actions::Error::NotFound(what) => error_response(StatusCode::NOT_FOUND, Value::from(what)),
                actions::Error::Forbidden(why) => error_response(StatusCode::FORBIDDEN, Value::from(why)),
                actions::Error::Invalid(items) => {
                    error_response(StatusCode::UNPROCESSABLE_ENTITY, validation_body(&items))
                }
                actions::Error::Conflict(why) => error_response(StatusCode::CONFLICT, Value::from(why)),
                actions::Error::ConflictDetail(detail) => error_response(StatusCode::CONFLICT, detail),
                actions::Error::Rule(rule) => {
                    let (status, detail) = rule_response(&rule);
                    error_response(status, detail)
                }
                actions::Error::Upstream { timed_out, detail } => {
                    let status = if timed_out {
                        StatusCode::GATEWAY_TIMEOUT
                    } else {
                        StatusCode::BAD_GATEWAY
                    };
                    error_response(status, Value::from(detail))
                }
                actions::Error::TurnedOff(why) => error_response(StatusCode::SERVICE_UNAVAILABLE, Value::from(why)),
                actions::Error::Gone(why) => error_response(StatusCode::GONE, Value::from(why)),
                actions::Error::TooLarge(why) => error_response(StatusCode::PAYLOAD_TOO_LARGE, Value::from(why)),
                actions::Error::Store(other) => ApiError::Internal(error_chain(&other)).into_response(),
            },
            ApiError::Unauthorized(why) => {
                let mut res = error_response(StatusCode::UNAUTHORIZED, Value::from(why));
                res.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                res
            }
            ApiError::RateLimited {
                limit,
                window,
                reset_after,
            } => {
                let mut res = error_response(StatusCode::TOO_MANY_REQUESTS, Value::from("Too many requests"));
                let retry = reset_after.as_secs() + u64::from(reset_after.subsec_nanos() > 0);
                let retry = retry.max(1);
                let headers = res.headers_mut();
                for (name, value) in [
                    ("retry-after", retry.to_string()),
                    ("ratelimit-policy", format!("{limit};w={}", window.as_secs())),
                    ("ratelimit", format!("limit={limit}, remaining=0, reset={retry}")),
                ] {
                    if let Ok(v) = HeaderValue::from_str(&value) {
                        headers.insert(name, v);
                    }
                }
                res
            }
            ApiError::Validation(items) => error_response(StatusCode::UNPROCESSABLE_ENTITY, validation_body(&items)),
            ApiError::UnsupportedMediaType => error_response(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Value::from("Content-Type must be application/json"),
            ),
            ApiError::PayloadTooLarge => {
                error_response(StatusCode::PAYLOAD_TOO_LARGE, Value::from("Request body too large"))
            }
            ApiError::Internal(cause) => {
                let mut res = error_response(StatusCode::INTERNAL_SERVER_ERROR, Value::from("Internal Server Error"));
                res.extensions_mut().insert(InternalCause(cause));
                res
            }
        }
    }
}

/// An error and its `source()` chain on one line.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        next = cause.source();
    }
    out
}

/// Writes the contract's error body on every error response and logs hidden causes.
pub async fn error_envelope(req: Request, next: Next) -> Response {
    let request_id = req.extensions().get::<RequestId>().cloned();
    let mut res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    if let Some(InternalCause(cause)) = res.extensions_mut().remove::<InternalCause>() {
        tracing::error!(error = %cause, "request failed");
    }
    let detail = match res.extensions_mut().remove::<ErrorDetail>() {
        Some(ErrorDetail(detail)) => detail,
        None => {
            let is_json = res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/json"));
            if is_json {
                return res;
            }
            if status.is_server_error() {
                tracing::error!(status = status.as_u16(), "request failed without a recorded cause");
            }
            Value::from(match status {
                StatusCode::PAYLOAD_TOO_LARGE => "Request body too large",
                StatusCode::SERVICE_UNAVAILABLE => "Request timed out or service unavailable",
                s => s.canonical_reason().unwrap_or("Error"),
            })
        }
    };
    let body = json!({
        "detail": detail,
        "request_id": request_id.as_ref().map(RequestId::as_str),
    });
    let (mut parts, _) = res.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Response::from_parts(parts, axum::body::Body::from(body.to_string()))
}

/// Turns a panic inside a handler into a generic 500 whose cause is logged.
pub fn panic_response(payload: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let cause = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    ApiError::Internal(format!("handler panicked: {cause}")).into_response()
}
