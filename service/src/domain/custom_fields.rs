//! Task custom fields: the field types, what a value of each type must look like, and how
//! the values sent with a task are checked against the definitions bound to its board.

use std::collections::{BTreeMap, HashSet};

use regex::Regex;
use serde_json::Value;
use uuid::Uuid;

/// The type of a custom field, as the contract spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Text,
    TextLong,
    Integer,
    Decimal,
    Boolean,
    Date,
    DateTime,
    Url,
    Json,
}

impl FieldType {
    pub const ALL: [FieldType; 9] = [
        Self::Text,
        Self::TextLong,
        Self::Integer,
        Self::Decimal,
        Self::Boolean,
        Self::Date,
        Self::DateTime,
        Self::Url,
        Self::Json,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::TextLong => "text_long",
            Self::Integer => "integer",
            Self::Decimal => "decimal",
            Self::Boolean => "boolean",
            Self::Date => "date",
            Self::DateTime => "date_time",
            Self::Url => "url",
            Self::Json => "json",
        }
    }

    /// Types whose values are strings; only these accept a `validation_regex`.
    pub fn is_string(self) -> bool {
        matches!(
            self,
            Self::Text | Self::TextLong | Self::Date | Self::DateTime | Self::Url
        )
    }
}

/// Where a field shows in the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Always,
    IfSet,
    Hidden,
}

impl Visibility {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "always" => Some(Self::Always),
            "if_set" => Some(Self::IfSet),
            "hidden" => Some(Self::Hidden),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Always => "always",
            Self::IfSet => "if_set",
            Self::Hidden => "hidden",
        }
    }
}

/// Checks a definition's `validation_regex`: it must compile, and only string types take one.
pub fn check_regex(field_type: FieldType, regex: &str) -> Result<(), String> {
    if !field_type.is_string() {
        return Err(format!(
            "validation_regex is only supported for string field types, not {}",
            field_type.as_str()
        ));
    }
    Regex::new(regex)
        .map(|_| ())
        .map_err(|e| format!("Invalid validation_regex: {e}"))
}

fn full_match(regex: &str, s: &str) -> Result<bool, String> {
    Regex::new(&format!("^(?:{regex})$"))
        .map(|r| r.is_match(s))
        .map_err(|e| format!("Invalid validation_regex: {e}"))
}

fn is_iso_date(s: &str) -> bool {
    s.len() == 10 && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

fn is_iso_date_time(s: &str) -> bool {
    let s = s.trim();
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
        || [
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%d %H:%M:%S%.f",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%dT%H:%M:%S%.f%:z",
        ]
        .iter()
        .any(|f| chrono::NaiveDateTime::parse_from_str(s, f).is_ok())
        || is_iso_date(s)
}

fn is_web_url(s: &str) -> bool {
    url::Url::parse(s)
        .map(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty()))
        .unwrap_or(false)
}

/// Checks one non-null value against a field's type and regex. The message says what is wrong.
pub fn check_value(field_type: FieldType, regex: Option<&str>, value: &Value) -> Result<(), String> {
    let ok = match field_type {
        FieldType::Text | FieldType::TextLong => value.is_string(),
        FieldType::Date => value.as_str().is_some_and(is_iso_date),
        FieldType::DateTime => value.as_str().is_some_and(is_iso_date_time),
        FieldType::Url => value.as_str().is_some_and(is_web_url),
        // serde_json keeps booleans apart from numbers, and `1.0` is a float, not an integer.
        FieldType::Integer => value.is_i64() || value.is_u64(),
        FieldType::Decimal => value.is_number(),
        FieldType::Boolean => value.is_boolean(),
        FieldType::Json => value.is_object() || value.is_array(),
    };
    if !ok {
        let expected = match field_type {
            FieldType::Text | FieldType::TextLong => "a string",
            FieldType::Date => "a date string in YYYY-MM-DD format",
            FieldType::DateTime => "an ISO-8601 date-time string",
            FieldType::Url => "an http(s) URL with a host",
            FieldType::Integer => "an integer",
            FieldType::Decimal => "a number",
            FieldType::Boolean => "a boolean",
            FieldType::Json => "a JSON object or array",
        };
        return Err(format!("Value must be {expected}"));
    }
    if let (Some(regex), Some(s)) = (regex, value.as_str())
        && !full_match(regex, s)?
    {
        return Err(format!("Value does not match the pattern {regex}"));
    }
    Ok(())
}

/// A definition bound to a task's board, as value checks need it.
#[derive(Debug, Clone)]
pub struct FieldRule {
    pub id: Uuid,
    pub key: String,
    pub field_type: FieldType,
    pub validation_regex: Option<String>,
    pub required: bool,
    pub default_value: Option<Value>,
}

/// A problem with one key of `custom_field_values`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    pub key: String,
    pub msg: String,
}

/// What to write for one definition: a value to store, or `None` to remove a stored one.
pub type ValueWrite = (Uuid, Option<Value>);

/// Checks the values sent with a task against the board's definitions and says what to
/// store. Unknown keys, wrong types, regex mismatches and required fields left null are
/// refused, all of them reported at once. On create (`creating`), a definition with no value
/// sent takes its default; on update only the keys sent are touched.
pub fn resolve_values(
    rules: &[FieldRule],
    sent: &BTreeMap<String, Value>,
    creating: bool,
) -> Result<Vec<ValueWrite>, Vec<ValueError>> {
    let known: HashSet<&str> = rules.iter().map(|r| r.key.as_str()).collect();
    let mut errors: Vec<ValueError> = sent
        .keys()
        .filter(|k| !known.contains(k.as_str()))
        .map(|k| ValueError {
            key: k.clone(),
            msg: format!("Unknown custom field: {k}"),
        })
        .collect();
    let mut writes = Vec::new();
    for rule in rules {
        let value = match sent.get(&rule.key) {
            Some(v) => v.clone(),
            None if creating => rule.default_value.clone().unwrap_or(Value::Null),
            None => continue,
        };
        if value.is_null() {
            if rule.required {
                errors.push(ValueError {
                    key: rule.key.clone(),
                    msg: format!("Custom field {} is required", rule.key),
                });
            } else if !creating {
                writes.push((rule.id, None));
            }
            continue;
        }
        match check_value(rule.field_type, rule.validation_regex.as_deref(), &value) {
            Ok(()) => writes.push((rule.id, Some(value))),
            Err(msg) => errors.push(ValueError {
                key: rule.key.clone(),
                msg,
            }),
        }
    }
    if errors.is_empty() { Ok(writes) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ok(t: FieldType, v: Value) -> bool {
        check_value(t, None, &v).is_ok()
    }

    #[test]
    fn string_types_want_strings_of_their_shape() {
        assert!(ok(FieldType::Text, json!("hello")));
        assert!(!ok(FieldType::Text, json!(3)));
        assert!(ok(FieldType::TextLong, json!("")));
        assert!(ok(FieldType::Date, json!("2026-02-28")));
        assert!(!ok(FieldType::Date, json!("2026-02-30")));
        assert!(!ok(FieldType::Date, json!("2026-2-3")));
        assert!(!ok(FieldType::Date, json!("2026-02-28T10:00:00")));
        assert!(ok(FieldType::DateTime, json!("2026-02-28T10:00:00")));
        assert!(ok(FieldType::DateTime, json!("2026-02-28T10:00:00.5+02:00")));
        assert!(ok(FieldType::DateTime, json!("2026-02-28T10:00:00Z")));
        assert!(!ok(FieldType::DateTime, json!("tomorrow")));
        assert!(ok(FieldType::Url, json!("https://example.com/x?y=1")));
        assert!(ok(FieldType::Url, json!("http://localhost:8000")));
        assert!(!ok(FieldType::Url, json!("ftp://example.com")));
        assert!(!ok(FieldType::Url, json!("https://")));
        assert!(!ok(FieldType::Url, json!("example.com")));
    }

    #[test]
    fn numbers_and_booleans_are_kept_apart() {
        assert!(ok(FieldType::Integer, json!(42)));
        assert!(ok(FieldType::Integer, json!(-1)));
        assert!(!ok(FieldType::Integer, json!(1.5)));
        assert!(!ok(FieldType::Integer, json!(true)));
        assert!(!ok(FieldType::Integer, json!("1")));
        assert!(ok(FieldType::Decimal, json!(1.5)));
        assert!(ok(FieldType::Decimal, json!(2)));
        assert!(!ok(FieldType::Decimal, json!(false)));
        assert!(ok(FieldType::Boolean, json!(false)));
        assert!(!ok(FieldType::Boolean, json!(0)));
        assert!(ok(FieldType::Json, json!({"a": 1})));
        assert!(ok(FieldType::Json, json!([1, 2])));
        assert!(!ok(FieldType::Json, json!("{}")));
        assert!(!ok(FieldType::Json, json!(1)));
    }

    #[test]
    fn regexes_compile_only_for_string_types_and_match_whole_values() {
        assert!(check_regex(FieldType::Text, "^[A-Z]+-\\d+$").is_ok());
        assert!(check_regex(FieldType::Text, "(").is_err());
        assert!(check_regex(FieldType::Integer, "\\d+").is_err());
        assert!(check_value(FieldType::Text, Some("[A-Z]+-\\d+"), &json!("OPS-12")).is_ok());
        assert!(check_value(FieldType::Text, Some("[A-Z]+-\\d+"), &json!("xOPS-12")).is_err());
        assert!(check_value(FieldType::Text, Some("[A-Z]+-\\d+"), &json!("OPS-12x")).is_err());
        assert!(check_value(FieldType::Text, Some("a|b"), &json!("ab")).is_err());
    }

    #[test]
    fn every_type_and_visibility_round_trips() {
        for t in FieldType::ALL {
            assert_eq!(FieldType::parse(t.as_str()), Some(t));
        }
        assert_eq!(FieldType::parse("number"), None);
        assert_eq!(Visibility::parse("if_set").map(Visibility::as_str), Some("if_set"));
        assert_eq!(Visibility::parse("never"), None);
    }

    fn rule(key: &str, t: FieldType, required: bool, default: Option<Value>) -> FieldRule {
        FieldRule {
            id: Uuid::new_v4(),
            key: key.to_owned(),
            field_type: t,
            validation_regex: None,
            required,
            default_value: default,
        }
    }

    fn sent(v: Value) -> BTreeMap<String, Value> {
        serde_json::from_value(v).unwrap_or_default()
    }

    #[test]
    fn create_fills_defaults_and_refuses_unknown_wrong_and_missing_required() {
        let points = rule("points", FieldType::Integer, false, Some(json!(3)));
        let owner = rule("owner", FieldType::Text, true, None);
        let rules = [points.clone(), owner.clone()];

        let writes = resolve_values(&rules, &sent(json!({"owner": "sam"})), true).unwrap();
        assert_eq!(
            writes,
            vec![(points.id, Some(json!(3))), (owner.id, Some(json!("sam")))]
        );

        let errors = resolve_values(&rules, &sent(json!({"points": "x", "nope": 1})), true).unwrap_err();
        let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            ["nope", "points", "owner"],
            "unknown, wrong type, required-but-null"
        );
    }

    #[test]
    fn update_touches_only_sent_keys_and_null_removes() {
        let points = rule("points", FieldType::Integer, false, Some(json!(3)));
        let owner = rule("owner", FieldType::Text, true, None);
        let rules = [points.clone(), owner];
        assert_eq!(resolve_values(&rules, &BTreeMap::new(), false).unwrap(), vec![]);
        assert_eq!(
            resolve_values(&rules, &sent(json!({"points": null})), false).unwrap(),
            vec![(points.id, None)]
        );
        assert!(resolve_values(&rules, &sent(json!({"owner": null})), false).is_err());
    }
}
