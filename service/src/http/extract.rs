//! Request extractors whose failures render as the contract's 4xx bodies: JSON bodies, path
//! and query parameters, pages, and the authenticated caller (user or agent).

use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::header;
use axum::http::request::Parts;
use ipnet::IpNet;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use utoipa::IntoParams;

use super::error::ApiError;
use super::json::NUL_MESSAGE;
use crate::actions::identity::{AgentAuthError, AgentCaller, UserCaller, authenticate_agent, resolve_user};
use crate::actions::{FieldError, board_groups};
use crate::app::AppState;
use crate::auth::AuthError;
use crate::domain::{DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, Page};

/// A JSON body; malformed JSON, wrong types and missing fields are 422s naming the field.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(ct) = req.headers().get(header::CONTENT_TYPE) {
            let ct = ct.to_str().unwrap_or_default().to_ascii_lowercase();
            if !(ct.starts_with("application/json") || (ct.starts_with("application/") && ct.contains("+json"))) {
                return Err(ApiError::UnsupportedMediaType);
            }
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| match e {
            BytesRejection::FailedToBufferBody(ref inner)
                if inner.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE =>
            {
                ApiError::PayloadTooLarge
            }
            other => ApiError::Validation(vec![FieldError::new(
                vec!["body".into()],
                other.body_text(),
                "value_error",
            )]),
        })?;
        super::json::parse_json(&bytes)
            .map(ApiJson)
            .map_err(ApiError::Validation)
    }
}

/// Path parameters; a malformed id is a 422 naming the parameter.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|e| {
                let key = match &e {
                    PathRejection::FailedToDeserializePathParams(inner) => match inner.kind() {
                        axum::extract::path::ErrorKind::ParseErrorAtKey { key, .. }
                        | axum::extract::path::ErrorKind::InvalidUtf8InPathParam { key } => Some(key.clone()),
                        _ => None,
                    },
                    _ => None,
                };
                let mut loc: Vec<Value> = vec!["path".into()];
                loc.extend(key.map(Value::from));
                ApiError::Validation(vec![FieldError::new(
                    loc,
                    "Input should be a valid UUID",
                    "uuid_parsing",
                )])
            })
    }
}

/// Query parameters; bad values are 422s.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or_default();
        let nul: Vec<FieldError> = url::form_urlencoded::parse(raw.as_bytes())
            .filter(|(k, v)| k.contains('\0') || v.contains('\0'))
            .map(|(k, _)| FieldError::new(vec!["query".into(), Value::from(k.as_ref())], NUL_MESSAGE, "string_nul"))
            .collect();
        if !nul.is_empty() {
            return Err(ApiError::Validation(nul));
        }
        Query::<T>::try_from_uri(&without_empty_values(raw))
            .map(|Query(v)| ApiQuery(v))
            .map_err(|e: QueryRejection| {
                let mut loc: Vec<Value> = vec!["query".into()];
                loc.extend(query_error_path(&e));
                ApiError::Validation(vec![FieldError::new(loc, e.body_text(), "value_error")])
            })
    }
}

/// The query string without parameters sent empty (`?board_id=`): an empty value means "not
/// given", for every parameter, as the reference web UI sends them (the document marks every
/// optional query parameter `allowEmptyValue`).
fn without_empty_values(raw: &str) -> axum::http::Uri {
    let kept = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(url::form_urlencoded::parse(raw.as_bytes()).filter(|(_, v)| !v.is_empty()))
        .finish();
    format!("/?{kept}")
        .parse()
        .unwrap_or_else(|_| axum::http::Uri::from_static("/"))
}

/// Where in the query string deserialization failed, from the typed path axum's `Query`
/// records (a `serde_path_to_error` error inside the rejection).
fn query_error_path(e: &QueryRejection) -> Vec<Value> {
    let QueryRejection::FailedToDeserializeQueryString(inner) = e else {
        return Vec::new();
    };
    let located = std::error::Error::source(inner)
        .and_then(std::error::Error::source)
        .and_then(|cause| cause.downcast_ref::<serde_path_to_error::Error<serde::de::value::Error>>());
    located
        .map(|located| {
            located
                .path()
                .iter()
                .filter_map(|segment| match segment {
                    serde_path_to_error::Segment::Map { key } => Some(Value::from(key.as_str())),
                    serde_path_to_error::Segment::Seq { index } => Some(Value::from(*index)),
                    serde_path_to_error::Segment::Enum { variant } => Some(Value::from(variant.as_str())),
                    serde_path_to_error::Segment::Unknown => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Query parameters sent empty (`?board_id=`) mean "not given", as the web UI sends them.
pub fn empty_as_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => s.trim().parse::<T>().map(Some).map_err(serde::de::Error::custom),
    }
}

/// The largest `offset` accepted (documented as the parameter's maximum).
pub const MAX_OFFSET: i64 = 2_147_483_647;

/// `limit` (1-200, default 200) and `offset` (0-2147483647, default 0).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    // Documented as integers; parsed from text so a bad value gets this file's 422 wording.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200, default = 200)]
    pub limit: Option<String>,
    #[param(value_type = Option<i64>, minimum = 0, maximum = 2147483647, default = 0)]
    pub offset: Option<String>,
}

impl PageQuery {
    pub fn page(&self) -> Result<Page, ApiError> {
        let int = |name: &str, raw: &Option<String>, default: i64| -> Result<i64, ApiError> {
            match raw.as_deref().map(str::trim) {
                None | Some("") => Ok(default),
                Some(s) => s.parse::<i64>().map_err(|_| {
                    ApiError::Validation(vec![FieldError::new(
                        vec!["query".into(), name.into()],
                        "Input should be a valid integer, unable to parse string as an integer",
                        "int_parsing",
                    )])
                }),
            }
        };
        let limit = int("limit", &self.limit, DEFAULT_PAGE_LIMIT)?;
        let offset = int("offset", &self.offset, 0)?;
        if limit < 1 {
            return Err(ApiError::Validation(vec![FieldError::new(
                vec!["query".into(), "limit".into()],
                "Input should be greater than or equal to 1",
                "greater_than_equal",
            )]));
        }
        if limit > MAX_PAGE_LIMIT {
            return Err(ApiError::Validation(vec![FieldError::new(
                vec!["query".into(), "limit".into()],
                format!("Input should be less than or equal to {MAX_PAGE_LIMIT}"),
                "less_than_equal",
            )]));
        }
        if offset < 0 {
            return Err(ApiError::Validation(vec![FieldError::new(
                vec!["query".into(), "offset".into()],
                "Input should be greater than or equal to 0",
                "greater_than_equal",
            )]));
        }
        if offset > MAX_OFFSET {
            return Err(ApiError::Validation(vec![FieldError::new(
                vec!["query".into(), "offset".into()],
                format!("Input should be less than or equal to {MAX_OFFSET}"),
                "less_than_equal",
            )]));
        }
        Ok(Page { limit, offset })
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

fn agent_header(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get("x-agent-token")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// An authenticated human user (bearer token), provisioned on first sight.
pub struct AuthUser(pub UserCaller);

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        if agent_header(parts).is_some() {
            return Err(ApiError::Unauthorized("User authentication required"));
        }
        let token = bearer(parts).ok_or(ApiError::Unauthorized("Not authenticated"))?;
        let who = match app.users.authenticate(token).await {
            Ok(who) => who,
            Err(AuthError::Unavailable(cause)) => {
                return Err(ApiError::Internal(format!("identity provider unavailable: {cause}")));
            }
            Err(e) => {
                tracing::debug!(reason = %e, "user authentication failed");
                return Err(ApiError::Unauthorized("Invalid authentication credentials"));
            }
        };
        Ok(AuthUser(resolve_user(&app.store, who).await?))
    }
}

/// An authenticated agent (`X-Agent-Token`, or `Authorization: Bearer <agent token>`),
/// after the per-IP agent-auth rate limit.
pub struct AuthAgent(pub AgentCaller);

impl FromRequestParts<AppState> for AuthAgent {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        let client = client_ip(parts, &app.config.trusted_proxies);
        let token = agent_header(parts).or_else(|| bearer(parts));
        Ok(AuthAgent(authenticate_agent(app, client, token).await?))
    }
}

impl From<AgentAuthError> for ApiError {
    fn from(e: AgentAuthError) -> Self {
        match e {
            AgentAuthError::RateLimited {
                limit,
                window,
                reset_after,
            } => ApiError::RateLimited {
                limit,
                window,
                reset_after,
            },
            AgentAuthError::MissingToken => ApiError::Unauthorized("Missing agent token"),
            AgentAuthError::InvalidToken => ApiError::Unauthorized("Invalid agent token"),
            AgentAuthError::Action(e) => ApiError::Action(e),
        }
    }
}

/// The client's address: the socket peer, or, when the peer is a trusted proxy, the
/// right-most address in `Forwarded`/`X-Forwarded-For` that is not itself a trusted proxy.
pub fn client_ip(parts: &Parts, trusted: &[IpNet]) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    resolve_client_ip(peer, &parts.headers, trusted)
}

pub fn resolve_client_ip(peer: IpAddr, headers: &axum::http::HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut hops: Vec<IpAddr> = Vec::new();
    for value in headers.get_all("forwarded") {
        let Ok(value) = value.to_str() else { continue };
        for element in value.split(',') {
            for pair in element.split(';') {
                if let Some((k, v)) = pair.trim().split_once('=')
                    && k.trim().eq_ignore_ascii_case("for")
                    && let Some(ip) = parse_forwarded_for(v)
                {
                    hops.push(ip);
                }
            }
        }
    }
    if hops.is_empty() {
        for value in headers.get_all("x-forwarded-for") {
            let Ok(value) = value.to_str() else { continue };
            hops.extend(value.split(',').filter_map(|s| s.trim().parse::<IpAddr>().ok()));
        }
    }
    hops.iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .copied()
        .or(hops.first().copied())
        .unwrap_or(peer)
}

fn parse_forwarded_for(v: &str) -> Option<IpAddr> {
    let v = v.trim().trim_matches('"');
    if let Some(rest) = v.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    v.parse::<IpAddr>()
        .ok()
        .or_else(|| v.rsplit_once(':').and_then(|(ip, _)| ip.parse().ok()))
}

/// A user or an agent, for the routes either may call: `X-Agent-Token` means an agent;
/// otherwise the bearer token is tried as a user's, then as an agent's.
pub struct AuthCaller(pub crate::actions::identity::Caller);

impl FromRequestParts<AppState> for AuthCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        use crate::actions::identity::Caller;
        if agent_header(parts).is_some() {
            return AuthAgent::from_request_parts(parts, app)
                .await
                .map(|AuthAgent(a)| AuthCaller(Caller::Agent(a)));
        }
        let token = bearer(parts).ok_or(ApiError::Unauthorized("Not authenticated"))?;
        match app.users.authenticate(token).await {
            Ok(who) => Ok(AuthCaller(Caller::User(resolve_user(&app.store, who).await?))),
            Err(AuthError::Unavailable(cause)) => {
                Err(ApiError::Internal(format!("identity provider unavailable: {cause}")))
            }
            Err(_) => AuthAgent::from_request_parts(parts, app)
                .await
                .map(|AuthAgent(a)| AuthCaller(Caller::Agent(a))),
        }
    }
}

/// A user (bearer token) or an agent (`X-Agent-Token`, or a bearer token that is not a
/// user's), as the board-group actions take them; a failed agent fallback answers with the
/// user's reason.
pub struct AuthEither(pub board_groups::Caller);

impl FromRequestParts<AppState> for AuthEither {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key("x-agent-token") {
            let AuthAgent(agent) = AuthAgent::from_request_parts(parts, app).await?;
            return Ok(Self(board_groups::Caller::Agent(agent)));
        }
        match AuthUser::from_request_parts(parts, app).await {
            Ok(AuthUser(user)) => Ok(Self(board_groups::Caller::User(user))),
            Err(ApiError::Unauthorized(why)) if parts.headers.contains_key(axum::http::header::AUTHORIZATION) => {
                match AuthAgent::from_request_parts(parts, app).await {
                    Ok(AuthAgent(agent)) => Ok(Self(board_groups::Caller::Agent(agent))),
                    Err(ApiError::Unauthorized(_)) => Err(ApiError::Unauthorized(why)),
                    Err(other) => Err(other),
                }
            }
            Err(other) => Err(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, HeaderValue};

    #[test]
    fn forwarded_headers_count_only_behind_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("1.1.1.1, 2.2.2.2, 10.0.0.5"),
        );
        // Peer not trusted: the header is ignored.
        assert_eq!(
            resolve_client_ip("9.9.9.9".parse().unwrap(), &h, &trusted),
            "9.9.9.9".parse::<IpAddr>().unwrap()
        );
        // Peer trusted: right-most untrusted hop.
        assert_eq!(
            resolve_client_ip("10.0.0.1".parse().unwrap(), &h, &trusted),
            "2.2.2.2".parse::<IpAddr>().unwrap()
        );
        let mut f = HeaderMap::new();
        f.insert(
            "forwarded",
            HeaderValue::from_static("for=\"[2001:db8::1]:4711\";proto=https, for=10.0.0.7"),
        );
        assert_eq!(
            resolve_client_ip("10.0.0.1".parse().unwrap(), &f, &trusted),
            "2001:db8::1".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn page_bounds_are_checked() {
        let q = |l: Option<&str>, o: Option<&str>| PageQuery {
            limit: l.map(str::to_owned),
            offset: o.map(str::to_owned),
        };
        assert_eq!(q(None, None).page().unwrap(), Page { limit: 200, offset: 0 });
        assert!(q(Some("0"), None).page().is_err());
        assert!(q(Some("201"), None).page().is_err());
        assert!(q(Some("abc"), None).page().is_err());
        assert!(q(None, Some("-1")).page().is_err());
        assert!(q(None, Some("2147483648")).page().is_err());
        assert!(q(None, Some("2147483647")).page().is_ok());
    }

    #[tokio::test]
    async fn query_errors_name_the_parameter() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Q {
            #[serde(default, deserialize_with = "empty_as_none")]
            board_id: Option<uuid::Uuid>,
            unassigned: Option<bool>,
        }
        for (query, field) in [("board_id=nope", "board_id"), ("unassigned=maybe", "unassigned")] {
            let request = axum::http::Request::builder()
                .uri(format!("/x?{query}"))
                .body(())
                .unwrap();
            let (mut parts, ()) = request.into_parts();
            let Err(ApiError::Validation(items)) = ApiQuery::<Q>::from_request_parts(&mut parts, &()).await else {
                panic!("{query} was accepted");
            };
            assert_eq!(items[0].loc, vec![Value::from("query"), Value::from(field)], "{query}");
            assert!(
                items[0].msg.starts_with("Failed to deserialize query string"),
                "{query}"
            );
        }
    }
}
