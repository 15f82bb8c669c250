//! Board onboarding: the user's five routes and the gateway main agent's post.

use axum::Json;
use axum::extract::State;
use uuid::Uuid;

use super::error::{ApiError, ApiResult};
use super::extract::{ApiJson, ApiPath, AuthAgent, AuthUser};
use crate::actions::identity::AgentCaller;
use crate::actions::onboarding::{self, AgentPost, Confirm};
use crate::actions::{Error, FieldError};
use crate::app::AppState;
use crate::wire::boards::BoardRead;
use crate::wire::onboarding::{
    BoardOnboardingAgentPost, BoardOnboardingAnswer, BoardOnboardingConfirm, BoardOnboardingRead, BoardOnboardingStart,
};

#[utoipa::path(get, path = "/api/v1/boards/{board_id}/onboarding", tag = "board-onboarding", security(("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path)),
    responses((status = 200, body = BoardOnboardingRead, description = "The board's latest onboarding session"),
        (status = 403, description = "No read access to the board"), (status = 404, description = "Board not found, or no onboarding session yet")))]
pub async fn get_onboarding(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(board_id): ApiPath<Uuid>,
) -> ApiResult<Json<BoardOnboardingRead>> {
    Ok(Json(onboarding::get(&app, &caller, board_id).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/boards/{board_id}/onboarding/start", tag = "board-onboarding", security(("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path)), request_body(content = Option<BoardOnboardingStart>, description = "Optional; `{}` or nothing"),
    responses((status = 200, body = BoardOnboardingRead), (status = 403, description = "No write access to the board"),
        (status = 404, description = "Board not found"),
        (status = 409, description = "The board has no gateway (or its gateway no main agent): detail says what to do"),
        (status = 422, description = "The body is not a JSON object"),
        (status = 502, description = "Gateway error"), (status = 504, description = "The gateway did not answer in time")))]
pub async fn start_onboarding(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(board_id): ApiPath<Uuid>,
    body: axum::body::Bytes,
) -> ApiResult<Json<BoardOnboardingRead>> {
    // The body carries nothing (the web UI sends `{}`); none at all is fine too, but a body
    // that is not a JSON object is refused like any other malformed body.
    let text = String::from_utf8_lossy(&body);
    if !text.trim().is_empty()
        && !matches!(
            serde_json::from_str::<serde_json::Value>(&text),
            Ok(serde_json::Value::Object(_))
        )
    {
        return Err(ApiError::Validation(vec![FieldError::new(
            vec!["body".into()],
            "Input should be a valid dictionary or object to extract fields from",
            "model_attributes_type",
        )]));
    }
    Ok(Json(onboarding::start(&app, &caller, board_id).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/boards/{board_id}/onboarding/answer", tag = "board-onboarding", security(("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path)), request_body = BoardOnboardingAnswer,
    responses((status = 200, body = BoardOnboardingRead), (status = 403, description = "No write access to the board"),
        (status = 404, description = "Board or onboarding session not found"),
        (status = 409, description = "The session is not active, or the board has no gateway"),
        (status = 422, description = "Blank answer"),
        (status = 502, description = "Gateway error"), (status = 504, description = "The gateway did not answer in time")))]
pub async fn answer_onboarding(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<BoardOnboardingAnswer>,
) -> ApiResult<Json<BoardOnboardingRead>> {
    Ok(Json(
        onboarding::answer(&app, &caller, board_id, &body.answer, body.other_text.as_deref())
            .await?
            .into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/boards/{board_id}/onboarding/confirm", tag = "board-onboarding", security(("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path)), request_body = BoardOnboardingConfirm,
    responses((status = 200, body = BoardRead, description = "The board with its confirmed goal; its lead is provisioned"),
        (status = 403, description = "No write access to the board"), (status = 404, description = "Board or onboarding session not found"),
        (status = 422, description = "Invalid board_type or target_date"),
        (status = 502, description = "Gateway error while provisioning the lead"), (status = 504, description = "The gateway did not answer in time")))]
pub async fn confirm_onboarding(
    State(app): State<AppState>,
    AuthUser(caller): AuthUser,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<BoardOnboardingConfirm>,
) -> ApiResult<Json<BoardRead>> {
    let target_date = match body.target_date.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => Some(crate::wire::parse_timestamp(t).ok_or_else(|| {
            ApiError::Action(Error::Invalid(vec![FieldError::body(
                "target_date",
                "target_date must be a date or a timestamp",
            )]))
        })?),
    };
    let confirm = Confirm {
        board_type: body.board_type,
        objective: body.objective,
        success_metrics: body.success_metrics,
        target_date,
    };
    Ok(Json(
        onboarding::confirm(&app, &caller, board_id, confirm).await?.into(),
    ))
}

/// A draft moves the session on only with `status: "complete"`; anything else the agent
/// posts is kept as one more message.
fn agent_post(body: BoardOnboardingAgentPost) -> AgentPost {
    match body {
        BoardOnboardingAgentPost::Complete(c) => {
            let complete = c.status == "complete";
            let value = serde_json::to_value(*c).unwrap_or_default();
            if complete {
                AgentPost::Complete(value)
            } else {
                AgentPost::Question(value)
            }
        }
        BoardOnboardingAgentPost::Question(q) => AgentPost::Question(serde_json::to_value(q).unwrap_or_default()),
    }
}

async fn post_as_agent(
    app: &AppState,
    caller: &AgentCaller,
    board_id: Uuid,
    body: BoardOnboardingAgentPost,
) -> ApiResult<Json<BoardOnboardingRead>> {
    let post = agent_post(body);
    Ok(Json(onboarding::agent_post(app, caller, board_id, post).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/agent/boards/{board_id}/onboarding", tag = "agent", operation_id = "agent_post_onboarding",
    security(("AgentToken" = []), ("HTTPBearer" = [])), params(("board_id" = Uuid, Path)), request_body = BoardOnboardingAgentPost,
    responses((status = 200, body = BoardOnboardingRead), (status = 401, description = "Invalid agent token"),
        (status = 403, description = "Only the gateway main agent of the board's gateway"), (status = 404, description = "Board or onboarding session not found"),
        (status = 409, description = "The session is already confirmed"), (status = 422, description = "Neither a question nor a draft"),
        (status = 429, description = "Too many agent authentication attempts")))]
pub async fn agent_post_onboarding(
    State(app): State<AppState>,
    AuthAgent(caller): AuthAgent,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<BoardOnboardingAgentPost>,
) -> ApiResult<Json<BoardOnboardingRead>> {
    post_as_agent(&app, &caller, board_id, body).await
}

/// The same post on the board route: only agents may make it (a user's credentials are not
/// an agent's, so a user gets 401, as from the reference).
#[utoipa::path(post, path = "/api/v1/boards/{board_id}/onboarding/agent", tag = "board-onboarding",
    security(("AgentToken" = []), ("HTTPBearer" = [])), params(("board_id" = Uuid, Path)), request_body = BoardOnboardingAgentPost,
    responses((status = 200, body = BoardOnboardingRead), (status = 401, description = "Not an agent (users may not post as the agent)"),
        (status = 403, description = "Only the gateway main agent of the board's gateway"), (status = 404, description = "Board or onboarding session not found"),
        (status = 409, description = "The session is already confirmed"), (status = 422, description = "Neither a question nor a draft")))]
pub async fn board_post_onboarding_agent(
    State(app): State<AppState>,
    AuthAgent(caller): AuthAgent,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<BoardOnboardingAgentPost>,
) -> ApiResult<Json<BoardOnboardingRead>> {
    post_as_agent(&app, &caller, board_id, body).await
}
