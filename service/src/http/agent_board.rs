//! What an agent reads and writes on a board besides tasks: the board, its agents, its
//! approvals, its memory (board chat included) and the organization's tags. The same actions
//! as the user routes, called with the agent as the caller, so the agent's board scope
//! applies: a board-bound agent only its own board (403), an agent bound to no board (a
//! gateway main agent) only boards of its organization (404 for others).

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::approvals::{ApprovalListQuery, approval_input};
use super::error::ApiResult;
use super::extract::{ApiJson, ApiPath, ApiQuery, AuthAgent, PageQuery, empty_as_none};
use super::memory::MemoryQuery;
use crate::actions::identity::Caller;
use crate::actions::{agent_board, approvals, memory, tags};
use crate::app::AppState;
use crate::wire::PageOf;
use crate::wire::agents::AgentRead;
use crate::wire::approvals::{ApprovalCreate, ApprovalRead};
use crate::wire::boards::BoardRead;
use crate::wire::memory::{BoardMemoryCreate, BoardMemoryRead};
use crate::wire::tasks::TagRefRead;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgentAgentsQuery {
    /// Only this board's agents (a board-bound agent may name only its own board).
    #[serde(default, deserialize_with = "empty_as_none")]
    pub board_id: Option<Uuid>,
}

#[utoipa::path(get, path = "/api/v1/agent/agents", tag = "agent", security(("AgentToken" = []), ("HTTPBearer" = [])),
    params(AgentAgentsQuery, PageQuery),
    responses((status = 200, body = PageOf<AgentRead>),
        (status = 403, description = "A board-bound agent named another board"),
        (status = 404, description = "The named board is not in the agent's organization")))]
pub async fn agent_list_agents(
    State(app): State<AppState>,
    AuthAgent(caller): AuthAgent,
    ApiQuery(f): ApiQuery<AgentAgentsQuery>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<PageOf<AgentRead>> {
    let page = q.page()?;
    let found = agent_board::agents(&app.store, &caller, f.board_id, page).await?;
    Ok(PageOf::new(found, page, AgentRead::from))
}

#[utoipa::path(get, path = "/api/v1/agent/boards/{board_id}", tag = "agent", security(("AgentToken" = []), ("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path)), responses((status = 200, body = BoardRead)))]
pub async fn agent_get_board(
    State(app): State<AppState>,
    AuthAgent(caller): AuthAgent,
    ApiPath(board_id): ApiPath<Uuid>,
) -> ApiResult<Json<BoardRead>> {
    Ok(Json(agent_board::board(&app.store, &caller, board_id).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/agent/boards/{board_id}/approvals", tag = "agent", security(("AgentToken" = []), ("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), ApprovalListQuery, PageQuery), responses((status = 200, body = PageOf<ApprovalRead>)))]
pub async fn agent_list_approvals(
    State(app): State<AppState>,
    AuthAgent(caller): AuthAgent,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiQuery(f): ApiQuery<ApprovalListQuery>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<PageOf<ApprovalRead>> {
    let page = q.page()?;
    let found = approvals::list(&app.store, &Caller::Agent(caller), board_id, f.status, page).await?;
    Ok(PageOf::new(found, page, ApprovalRead::from))
}

#[utoipa::path(post, path = "/api/v1/agent/boards/{board_id}/approvals", tag = "agent", security(("AgentToken" = []), ("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path)), request_body = ApprovalCreate,
    responses((status = 200, body = ApprovalRead), (status = 409, description = "A linked task already has a pending approval")))]
pub async fn agent_create_approval(
    State(app): State<AppState>,
    AuthAgent(caller): AuthAgent,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ApprovalCreate>,
) -> ApiResult<Json<ApprovalRead>> {
    let caller = Caller::Agent(caller);
    Ok(Json(
        approvals::create(&app.store, &app.events, &caller, board_id, approval_input(body))
            .await?
            .into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/agent/boards/{board_id}/memory", tag = "agent", security(("AgentToken" = []), ("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path), MemoryQuery, PageQuery), responses((status = 200, body = PageOf<BoardMemoryRead>)))]
pub async fn agent_list_memory(
    State(app): State<AppState>,
    AuthAgent(caller): AuthAgent,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiQuery(f): ApiQuery<MemoryQuery>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<PageOf<BoardMemoryRead>> {
    let page = q.page()?;
    let found = memory::list(&app.store, &Caller::Agent(caller), board_id, f.is_chat, page).await?;
    Ok(PageOf::new(found, page, BoardMemoryRead::from))
}

#[utoipa::path(post, path = "/api/v1/agent/boards/{board_id}/memory", tag = "agent", security(("AgentToken" = []), ("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path)), request_body = BoardMemoryCreate, responses((status = 200, body = BoardMemoryRead)))]
pub async fn agent_create_memory(
    State(app): State<AppState>,
    AuthAgent(caller): AuthAgent,
    ApiPath(board_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<BoardMemoryCreate>,
) -> ApiResult<Json<BoardMemoryRead>> {
    let row = memory::create(
        &app.store,
        &app.events,
        &Caller::Agent(caller),
        board_id,
        &body.content,
        body.tags,
        body.source,
    )
    .await?;
    Ok(Json(row.into()))
}

#[utoipa::path(get, path = "/api/v1/agent/boards/{board_id}/tags", tag = "agent", security(("AgentToken" = []), ("HTTPBearer" = [])),
    params(("board_id" = Uuid, Path)), responses((status = 200, body = Vec<TagRefRead>)))]
pub async fn agent_list_tags(
    State(app): State<AppState>,
    AuthAgent(caller): AuthAgent,
    ApiPath(board_id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<TagRefRead>>> {
    let found = tags::catalog_for_board(&app.store, &Caller::Agent(caller), board_id).await?;
    Ok(Json(found.into_iter().map(TagRefRead::from).collect()))
}
