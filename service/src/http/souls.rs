//! The public souls directory, read through us (search and one soul's markdown). The `.md`
//! route is the same handler: a `{slug}` segment ending in `.md` has it stripped, so it is
//! documented as its own operation but routed once.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::{ApiError, ApiResult};
use super::extract::{ApiPath, ApiQuery, AuthCaller};
use crate::actions::{FieldError, souls};
use crate::app::AppState;
use crate::wire::souls::{SoulsDirectoryMarkdownResponse, SoulsDirectorySearchResponse, SoulsDirectorySoulRef};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SoulSearchQuery {
    /// Case-insensitive substring of `handle/slug`; empty lists the first souls.
    #[param(default = "", min_length = 0)]
    pub q: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<String>,
}

impl SoulSearchQuery {
    fn limit(&self) -> Result<usize, ApiError> {
        let invalid = |msg: &str, kind: &str| {
            ApiError::Validation(vec![FieldError::new(vec!["query".into(), "limit".into()], msg, kind)])
        };
        let n = match self.limit.as_deref().map(str::trim) {
            None | Some("") => 20,
            Some(s) => s.parse::<i64>().map_err(|_| {
                invalid(
                    "Input should be a valid integer, unable to parse string as an integer",
                    "int_parsing",
                )
            })?,
        };
        if n < 1 {
            return Err(invalid(
                "Input should be greater than or equal to 1",
                "greater_than_equal",
            ));
        }
        if n > 100 {
            return Err(invalid("Input should be less than or equal to 100", "less_than_equal"));
        }
        Ok(usize::try_from(n).unwrap_or(20))
    }
}

const UPSTREAM: &str = "The souls directory failed or sent more than SOULS_DIRECTORY_MAX_BYTES";

#[utoipa::path(get, path = "/api/v1/souls-directory/search", tag = "souls-directory",
    security(("HTTPBearer" = []), ("AgentToken" = [])), params(SoulSearchQuery),
    responses((status = 200, body = SoulsDirectorySearchResponse),
        (status = 502, description = UPSTREAM),
        (status = 503, description = "Turned off (SOULS_DIRECTORY_BASE_URL=off)"),
        (status = 504, description = "The souls directory did not answer in time")))]
pub async fn search(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiQuery(q): ApiQuery<SoulSearchQuery>,
) -> ApiResult<Json<SoulsDirectorySearchResponse>> {
    let limit = q.limit()?;
    let hits = souls::search(app.souls.as_ref(), &caller, q.q.as_deref().unwrap_or_default(), limit).await?;
    Ok(Json(SoulsDirectorySearchResponse {
        items: hits
            .into_iter()
            .map(|h| SoulsDirectorySoulRef {
                handle: h.soul.handle,
                slug: h.soul.slug,
                page_url: h.page_url,
                raw_md_url: h.raw_md_url,
            })
            .collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/souls-directory/{handle}/{slug}", tag = "souls-directory",
    security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(("handle" = String, Path, pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"), ("slug" = String, Path, pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")),
    responses((status = 200, body = SoulsDirectoryMarkdownResponse),
        (status = 502, description = UPSTREAM),
        (status = 503, description = "Turned off (SOULS_DIRECTORY_BASE_URL=off)"),
        (status = 504, description = "The souls directory did not answer in time")))]
pub async fn get_markdown(
    State(app): State<AppState>,
    AuthCaller(caller): AuthCaller,
    ApiPath((handle, slug)): ApiPath<(String, String)>,
) -> ApiResult<Json<SoulsDirectoryMarkdownResponse>> {
    let (soul, content) = souls::markdown(app.souls.as_ref(), &caller, &handle, &slug).await?;
    Ok(Json(SoulsDirectoryMarkdownResponse {
        handle: soul.handle,
        slug: soul.slug,
        content,
    }))
}

/// Documents the `.md` route; [`get_markdown`] serves it (see the module doc).
#[utoipa::path(get, path = "/api/v1/souls-directory/{handle}/{slug}.md", tag = "souls-directory",
    security(("HTTPBearer" = []), ("AgentToken" = [])),
    params(("handle" = String, Path, pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"), ("slug" = String, Path, pattern = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")),
    responses((status = 200, body = SoulsDirectoryMarkdownResponse),
        (status = 502, description = UPSTREAM),
        (status = 503, description = "Turned off (SOULS_DIRECTORY_BASE_URL=off)"),
        (status = 504, description = "The souls directory did not answer in time")))]
#[allow(dead_code, reason = "documentation only: get_markdown serves this path")]
pub async fn get_markdown_md() {}

/// The document entry of the `.md` route, merged into the API document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(get_markdown_md))]
pub struct MarkdownSuffixDoc;
