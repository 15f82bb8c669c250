//! Schema details of request fields, so that a body the document calls valid is accepted and
//! one it calls invalid is refused: the patterns of the checks the actions make, and the
//! string enums of fields kept as text on the wire (their 422 message is the action's).
//!
//! JSON Schema patterns match anywhere in the string unless anchored; `\S` ("has a character
//! other than white space") is how "not blank after trimming" is written.

use serde_json::Value;
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};

/// A required text that must not be blank once trimmed.
pub const NON_BLANK: &str = r"\S";

/// A tag color: six hex digits, optionally after `#`s, white space around allowed.
pub const COLOR: &str = r"^\s*#*[0-9a-fA-F]{6}\s*$";

/// An organization role, any case, white space around allowed.
pub const ROLE: &str = r"^\s*([oO][wW][nN][eE][rR]|[aA][dD][mM][iI][nN]|[mM][eE][mM][bB][eE][rR])\s*$";

/// An email as invites check it: an `@` with something other than `@` on each side.
pub const EMAIL: &str = r"^\s*[^\s@][\s\S]*@[\s\S]*[^\s@]\s*$";

/// A gateway URL: `ws`, `wss`, `http` or `https` with a host name or IPv4 address. The
/// gateway actions check URLs against this very pattern (as well as parsing them), so the
/// schema and the check cannot drift apart.
pub const GATEWAY_URL: &str = concat!(
    r"^\s*([hH][tT][tT][pP][sS]?|[wW][sS][sS]?)://",
    r"([A-Za-z][A-Za-z0-9-]*(\.[A-Za-z][A-Za-z0-9-]*)*",
    r"|((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]))",
    r"(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4}))?([/?#]\S*)?\s*$"
);

const BOARD_TYPES: [&str; 2] = ["goal", "general"];
const TASK_STATUSES: [&str; 4] = ["inbox", "in_progress", "review", "done"];
const APPROVAL_STATUSES: [&str; 3] = ["pending", "approved", "rejected"];

fn string_enum(values: &[&str], nullable: bool) -> Object {
    let mut allowed: Vec<Value> = values.iter().map(|v| Value::from(*v)).collect();
    let schema_type = if nullable {
        allowed.push(Value::Null);
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    };
    ObjectBuilder::new()
        .schema_type(schema_type)
        .enum_values(Some(allowed))
        .build()
}

/// `board_type` of a board write (null: unchanged).
pub fn board_type() -> Object {
    string_enum(&BOARD_TYPES, true)
}

/// `status` of a task write (null: unchanged).
pub fn task_status() -> Object {
    string_enum(&TASK_STATUSES, true)
}

/// `status` of a new approval (null: pending).
pub fn approval_status_or_null() -> Object {
    string_enum(&APPROVAL_STATUSES, true)
}

/// `status` of an approval decision (required).
pub fn approval_status() -> Object {
    string_enum(&APPROVAL_STATUSES, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_list_their_values_and_null_when_nullable() {
        let json = serde_json::to_value(task_status()).unwrap();
        assert_eq!(
            json["enum"],
            serde_json::json!(["inbox", "in_progress", "review", "done", null])
        );
        assert_eq!(json["type"], serde_json::json!(["string", "null"]));
        let json = serde_json::to_value(approval_status()).unwrap();
        assert_eq!(json["type"], "string");
        assert_eq!(json["enum"], serde_json::json!(["pending", "approved", "rejected"]));
    }

    #[test]
    fn enums_are_what_the_domain_accepts() {
        for s in TASK_STATUSES {
            assert!(crate::domain::tasks::TaskStatus::parse(s).is_some(), "{s}");
        }
        for r in ["owner", "admin", "member"] {
            assert!(crate::domain::Role::parse(r).is_some(), "{r}");
        }
    }

    /// The pattern a property of `T`'s schema declares (inside `allOf` parts too).
    fn pattern_of<T: utoipa::PartialSchema>(field: &str) -> String {
        fn find(v: &Value, field: &str) -> Option<String> {
            if let Some(p) = v["properties"][field]["pattern"].as_str() {
                return Some(p.to_owned());
            }
            v["allOf"].as_array()?.iter().find_map(|part| find(part, field))
        }
        let schema = serde_json::to_value(T::schema()).unwrap();
        find(&schema, field).unwrap_or_else(|| panic!("no pattern on {field}: {schema}"))
    }

    fn matches(pattern: &str, s: &str) -> bool {
        regex::Regex::new(pattern).unwrap().is_match(s)
    }

    #[test]
    fn declared_patterns_are_these_constants() {
        use crate::wire::{gateways, invites, members, tags, tasks};
        assert_eq!(pattern_of::<tasks::TaskChanges>("title"), NON_BLANK);
        assert_eq!(pattern_of::<tags::TagCreate>("color"), COLOR);
        assert_eq!(pattern_of::<tags::TagUpdate>("color"), COLOR);
        assert_eq!(pattern_of::<gateways::GatewayCreate>("url"), GATEWAY_URL);
        assert_eq!(pattern_of::<gateways::GatewayUpdate>("url"), GATEWAY_URL);
        assert_eq!(pattern_of::<invites::OrganizationInviteCreate>("invited_email"), EMAIL);
        assert_eq!(pattern_of::<invites::OrganizationInviteCreate>("role"), ROLE);
        assert_eq!(pattern_of::<members::OrganizationMemberUpdate>("role"), ROLE);
    }

    #[test]
    fn patterns_accept_exactly_what_the_checks_accept() {
        for s in ["x", " x ", "\tx", "a b"] {
            assert!(matches(NON_BLANK, s) && !s.trim().is_empty(), "{s:?}");
        }
        for s in ["", " ", "\t\n", "\u{a0}"] {
            assert!(!matches(NON_BLANK, s) && s.trim().is_empty(), "{s:?}");
        }
        for s in [
            "9e9e9e",
            "#ABCDEF",
            " ##012345 ",
            "12345",
            "1234567",
            "# 123456",
            "gggggg",
            "",
        ] {
            // The check of `actions::tags` (which wire/ does not name): six hex digits once
            // trimmed and stripped of leading `#`s.
            let c = s.trim().trim_start_matches('#');
            let accepted = c.len() == 6 && c.chars().all(|ch| ch.is_ascii_hexdigit());
            assert_eq!(matches(COLOR, s), accepted, "{s:?}");
        }
        for s in ["Owner", " admin ", "member", "MEMBER", "owners", "", "guest"] {
            let accepted = crate::domain::Role::parse(s.trim().to_lowercase().as_str()).is_some();
            assert_eq!(matches(ROLE, s), accepted, "{s:?}");
        }
        for s in ["a@b", " A@B.org ", "a@@b", "@b", "a@", "ab", "@", " @ ", "a @ b"] {
            let t = s.trim();
            let accepted = t.contains('@') && !t.starts_with('@') && !t.ends_with('@');
            assert_eq!(matches(EMAIL, s), accepted, "{s:?}");
        }
        for (s, accepted) in [
            ("http://gateway", true),
            (" wss://gw.example.com:8443/ws?x=1 ", true),
            ("HTTPS://127.0.0.1:18789", true),
            ("ws://localhost", true),
            ("ftp://gateway", false),
            ("http://", false),
            ("http://1.2.3.999", false),
            ("http://gateway:65535", true),
            ("http://gateway:65536", false),
            ("gateway", false),
        ] {
            assert_eq!(matches(GATEWAY_URL, s), accepted, "{s:?}");
            let parsed = url::Url::parse(s.trim())
                .is_ok_and(|u| ["ws", "wss", "http", "https"].contains(&u.scheme()) && u.host_str().is_some());
            assert_eq!(parsed, accepted, "{s:?}");
        }
    }
}
