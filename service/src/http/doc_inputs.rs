//! Input spellings the service accepts that the generated schemas do not state, written into
//! the OpenAPI document so a schema-valid request is accepted and an invalid one refused:
//!
//! - an id (`format: uuid`) is parsed by the `uuid` crate, which takes the hyphenated form,
//!   the 32-digit simple form, the braced form and the `urn:uuid:` form; `format` alone is
//!   only an annotation in JSON Schema 2020-12, so every uuid also carries the exact `pattern`;
//! - a timestamp (`format: date-time`) must at least start with a calendar date; the pattern
//!   says so, as `format` alone would let an empty string pass for one;
//! - an optional query parameter sent empty (`?board_id=`) means "not given"
//!   (`http::extract::ApiQuery` drops it), so each is marked `allowEmptyValue`.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ArrayItems, KnownFormat, SchemaFormat};
use utoipa::openapi::{OpenApi, RefOr, Required, Schema};

/// The spellings `uuid::Uuid::parse_str` accepts, exactly.
pub const UUID_PATTERN: &str = concat!(
    "^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    "|[0-9a-fA-F]{32}",
    "|\\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\}",
    "|urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
);

/// What every timestamp starts with.
pub const DATE_TIME_PATTERN: &str = r"^\d{4}-\d{2}-\d{2}";

/// Writes the rules into every component schema, parameter and request body.
pub fn state_input_spellings(doc: &mut OpenApi) {
    if let Some(components) = doc.components.as_mut() {
        for schema in components.schemas.values_mut() {
            pattern_uuids(schema);
        }
    }
    for item in doc.paths.paths.values_mut() {
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
            operation(op);
        }
    }
}

fn operation(op: &mut Operation) {
    for param in op.parameters.iter_mut().flatten() {
        let RefOr::T(param) = param else { continue };
        if let Some(schema) = param.schema.as_mut() {
            pattern_uuids(schema);
        }
        if param.parameter_in == ParameterIn::Query && param.required != Required::True {
            param
                .extensions
                .get_or_insert_with(Default::default)
                .insert("allowEmptyValue".to_owned(), serde_json::Value::Bool(true));
        }
    }
    if let Some(RefOr::T(body)) = op.request_body.as_mut() {
        for content in body.content.values_mut() {
            if let RefOr::T(content) = content
                && let Some(schema) = content.schema.as_mut()
            {
                pattern_uuids(schema);
            }
        }
    }
}

fn pattern_uuids(schema: &mut RefOr<Schema>) {
    let RefOr::T(schema) = schema else { return };
    match schema {
        Schema::Object(object) => {
            if object.pattern.is_none() {
                object.pattern = match &object.format {
                    Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)) => Some(UUID_PATTERN.to_owned()),
                    Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)) => Some(DATE_TIME_PATTERN.to_owned()),
                    _ => None,
                };
            }
            object.properties.values_mut().for_each(pattern_uuids);
            if let Some(extra) = object.additional_properties.as_deref_mut()
                && let utoipa::openapi::schema::AdditionalProperties::RefOr(inner) = extra
            {
                pattern_uuids(inner);
            }
        }
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                pattern_uuids(items);
            }
        }
        Schema::AllOf(all) => all.items.iter_mut().for_each(pattern_uuids),
        Schema::AnyOf(any) => any.items.iter_mut().for_each(pattern_uuids),
        Schema::OneOf(one) => one.items.iter_mut().for_each(pattern_uuids),
        _ => {}
    }
}

/// The streams' `since` parameter: a date-time (any offset; none means UTC), a date, or the
/// literal `null` / `undefined` for "from now" (as the reference web UI sends it).
pub fn since_schema() -> Schema {
    use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Type};
    let text = |format: KnownFormat| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(format)))
    };
    AnyOfBuilder::new()
        .item(text(KnownFormat::DateTime))
        .item(text(KnownFormat::Date))
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(["null", "undefined"])),
        )
        .description(Some("Replay from this time; `null` (or absent) means from now"))
        .build()
        .into()
}

/// The dashboard's `range_key`: one of the ranges it knows.
pub fn range_key_schema() -> Schema {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(crate::actions::dashboard::RANGE_KEYS.iter().copied()))
        .default(Some(serde_json::Value::from("24h")))
        .build()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    #[test]
    fn the_uuid_pattern_accepts_exactly_what_the_parser_accepts() {
        let pattern = Regex::new(UUID_PATTERN).unwrap();
        let id = uuid::Uuid::new_v4();
        let spellings = [
            id.hyphenated().to_string(),
            id.simple().to_string(),
            id.braced().to_string(),
            id.urn().to_string(),
            id.hyphenated().to_string().to_uppercase(),
            String::new(),
            "not-a-uuid".to_owned(),
            format!("{{{}", id.hyphenated()),
            format!("{}-", id.simple()),
            format!(" {}", id.hyphenated()),
            id.simple().to_string()[..31].to_owned(),
        ];
        for s in spellings {
            assert_eq!(
                pattern.is_match(&s),
                uuid::Uuid::parse_str(&s).is_ok(),
                "{s:?}: the pattern and the parser disagree"
            );
        }
    }

    #[test]
    fn the_task_status_filter_pattern_accepts_what_the_filter_parses() {
        let doc = serde_json::to_value(crate::http::openapi()).unwrap();
        let params = doc["paths"]["/api/v1/boards/{board_id}/tasks"]["get"]["parameters"]
            .as_array()
            .unwrap();
        let status = params.iter().find(|p| p["name"] == "status").unwrap();
        let pattern = Regex::new(status["schema"]["pattern"].as_str().unwrap()).unwrap();
        for raw in [
            "inbox",
            "inbox,done",
            " review , in_progress ",
            ",,",
            "done,",
            "provisioning",
            "Inbox",
            "inbox;done",
            "inbox done",
            "in progress",
            "",
        ] {
            assert_eq!(
                pattern.is_match(raw),
                crate::actions::tasks::parse_status_filter(Some(raw)).is_ok(),
                "{raw:?}: the documented pattern and the filter disagree"
            );
        }
    }

    #[test]
    fn uuids_get_the_pattern_and_optional_query_parameters_allow_empty() {
        let doc = crate::http::openapi();
        let json = serde_json::to_value(&doc).unwrap();
        let board_id = &json["paths"]["/api/v1/boards/{board_id}"]["get"]["parameters"][0];
        assert_eq!(board_id["schema"]["pattern"], UUID_PATTERN, "{board_id}");
        assert!(
            board_id.get("allowEmptyValue").is_none(),
            "path parameters are required"
        );
        let filters = json["paths"]["/api/v1/boards"]["get"]["parameters"].as_array().unwrap();
        let gateway = filters.iter().find(|p| p["name"] == "gateway_id").unwrap();
        assert_eq!(gateway["allowEmptyValue"], true, "{gateway}");
        assert_eq!(gateway["schema"]["pattern"], UUID_PATTERN, "{gateway}");
        let target_date = &json["components"]["schemas"]["BoardWrite"]["properties"]["target_date"];
        assert_eq!(target_date["pattern"], DATE_TIME_PATTERN, "{target_date}");
        let task_create = &json["components"]["schemas"]["TaskWrite"];
        assert!(
            task_create.to_string().contains("urn:uuid"),
            "body ids carry the pattern: {task_create}"
        );
    }
}
