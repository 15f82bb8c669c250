//! The statuses every operation shares, added to the OpenAPI document from facts of the
//! operation, so an annotation names only what is particular to it (403 for roles, 409 for
//! conflicts, 403/404 for a `board_id` query filter that is looked up, 404 for other lookups
//! that are not path ids):
//!
//! | fact of the operation                      | statuses added       |
//! |--------------------------------------------|----------------------|
//! | any `security` requirement                 | 401                  |
//! | `AgentToken` among the requirements        | 429 (agent-auth rate limit, spent before the token is checked) |
//! | a JSON request body                        | 413, 415, 422        |
//! | any path or query parameter                | 422                  |
//! | a path parameter (an id)                   | 404                  |
//! | a `board_id` path parameter                | 403 (board access)   |
//!
//! Every error response, added here or written in an annotation, answers the error body:
//! `ErrorResponse` (`{detail, request_id}`), or `HTTPValidationError` (`detail` a list of
//! `ValidationError`, the reference's names) for 422.

use serde_json::json;
use utoipa::Modify;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response, Schema};

/// The schema names error responses reference.
pub const ERROR_SCHEMA: &str = "ErrorResponse";
pub const VALIDATION_SCHEMA: &str = "HTTPValidationError";

/// Adds the shared statuses and the error body schemas (see the module documentation).
pub struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, schema) in error_schemas() {
            components.schemas.entry(name.to_owned()).or_insert(schema);
        }
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                add_common(op);
                attach_error_bodies(op);
            }
        }
    }
}

/// The facts of one operation that decide its shared statuses.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub authenticated: bool,
    pub agent_token: bool,
    pub json_body: bool,
    pub params: bool,
    pub path_params: bool,
    pub board_param: bool,
}

/// The shared statuses of an operation with these facts, with their descriptions.
pub fn common_statuses(f: Facts) -> Vec<(u16, &'static str)> {
    let mut out = Vec::new();
    if f.authenticated {
        out.push((401, "Missing or invalid credentials"));
    }
    if f.board_param {
        out.push((403, "The caller may not use this board"));
    }
    if f.path_params {
        out.push((404, "Not found, or not visible to the caller"));
    }
    if f.json_body {
        out.push((413, "Request body too large"));
        out.push((415, "Content-Type is not JSON"));
    }
    if f.json_body || f.params {
        out.push((422, "Invalid parameters or body; `detail` lists each problem"));
    }
    if f.agent_token {
        out.push((
            429,
            "Too many agent-authenticated requests from this client (see Retry-After)",
        ));
    }
    out
}

fn facts(op: &Operation) -> Facts {
    let security = op
        .security
        .as_ref()
        .and_then(|s| serde_json::to_value(s).ok())
        .unwrap_or_default();
    let requirements = security.as_array().map(Vec::as_slice).unwrap_or_default();
    let params: Vec<_> = op
        .parameters
        .iter()
        .flatten()
        .filter_map(|p| match p {
            RefOr::T(p) => Some(p),
            RefOr::Ref(_) => None,
        })
        .collect();
    Facts {
        authenticated: requirements
            .iter()
            .any(|r| r.as_object().is_some_and(|o| !o.is_empty())),
        agent_token: requirements.iter().any(|r| r.get("AgentToken").is_some()),
        json_body: op.request_body.as_ref().is_some_and(|b| match b {
            RefOr::T(b) => b.content.keys().any(|k| k.contains("json")),
            RefOr::Ref(_) => true,
        }),
        params: !params.is_empty(),
        path_params: params.iter().any(|p| p.parameter_in == ParameterIn::Path),
        board_param: params
            .iter()
            .any(|p| p.name == "board_id" && p.parameter_in == ParameterIn::Path),
    }
}

fn add_common(op: &mut Operation) {
    for (status, description) in common_statuses(facts(op)) {
        op.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::T(Response::new(description)));
    }
}

/// Every 4xx without a body gets the error body schema (422: the validation list).
fn attach_error_bodies(op: &mut Operation) {
    for (status, response) in &mut op.responses.responses {
        let RefOr::T(response) = response else { continue };
        if !status.starts_with('4') || !response.content.is_empty() {
            continue;
        }
        let schema = if status == "422" {
            VALIDATION_SCHEMA
        } else {
            ERROR_SCHEMA
        };
        response.content.insert(
            "application/json".to_owned(),
            RefOr::T(Content::new(Some(Ref::from_schema_name(schema)))),
        );
    }
}

fn error_schemas() -> Vec<(&'static str, RefOr<Schema>)> {
    let request_id = json!({"type": "string", "description": "The request's X-Request-Id"});
    [
        (
            ERROR_SCHEMA,
            json!({
                "type": "object",
                "description": "Every error body. `detail` is a message, or an object for rule refusals (a `message` and a `code`).",
                "required": ["detail", "request_id"],
                "properties": {
                    "detail": {"anyOf": [{"type": "string"}, {"type": "object"}, {"type": "array"}]},
                    "request_id": request_id,
                },
            }),
        ),
        (
            VALIDATION_SCHEMA,
            json!({
                "type": "object",
                "required": ["detail", "request_id"],
                "properties": {
                    "detail": {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}},
                    "request_id": request_id,
                },
            }),
        ),
        (
            "ValidationError",
            json!({
                "type": "object",
                "required": ["loc", "msg", "type"],
                "properties": {
                    "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            }),
        ),
    ]
    .into_iter()
    .filter_map(|(name, value)| serde_json::from_value(value).ok().map(|s| (name, s)))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statuses(f: Facts) -> Vec<u16> {
        common_statuses(f).into_iter().map(|(s, _)| s).collect()
    }

    #[test]
    fn statuses_follow_the_facts() {
        assert!(statuses(Facts::default()).is_empty());
        let user_create = Facts {
            authenticated: true,
            json_body: true,
            ..Facts::default()
        };
        assert_eq!(statuses(user_create), vec![401, 413, 415, 422]);
        let agent_board_read = Facts {
            authenticated: true,
            agent_token: true,
            params: true,
            path_params: true,
            board_param: true,
            ..Facts::default()
        };
        assert_eq!(statuses(agent_board_read), vec![401, 403, 404, 422, 429]);
        let board_filter = Facts {
            authenticated: true,
            params: true,
            ..Facts::default()
        };
        assert_eq!(statuses(board_filter), vec![401, 422]);
    }

    #[test]
    fn every_error_response_has_a_body_schema() {
        let doc = super::super::openapi();
        let schemas = &doc.components.as_ref().unwrap().schemas;
        for name in [ERROR_SCHEMA, VALIDATION_SCHEMA, "ValidationError"] {
            assert!(schemas.contains_key(name), "{name} missing");
        }
        for (path, item) in &doc.paths.paths {
            for op in [&item.get, &item.put, &item.post, &item.delete, &item.patch]
                .into_iter()
                .flatten()
            {
                for (status, response) in &op.responses.responses {
                    let RefOr::T(response) = response else { continue };
                    if status.starts_with('4') {
                        assert!(!response.content.is_empty(), "{path} {status} has no body schema");
                    }
                }
                let f = facts(op);
                for (status, _) in common_statuses(f) {
                    assert!(
                        op.responses.responses.contains_key(&status.to_string()),
                        "{path}: {status} missing"
                    );
                }
            }
        }
    }
}
