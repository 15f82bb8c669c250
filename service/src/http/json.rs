//! JSON request bodies, parsed into their wire type with every failure described as the
//! contract's 422 items. Failures are classified by serde's typed error kinds — a missing
//! field, a value of the wrong type, a value the target type refused, and which type refused
//! it — by the kind serde reports rather than by reading the error's text: the parsed JSON
//! is fed to the target type through a deserializer whose error type records the kind.

use std::fmt;

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeOwned, Expected, IntoDeserializer, Unexpected, Visitor};
use serde_json::Value;

use crate::actions::FieldError;

/// Parses a JSON body into `T`, describing every failure as contract 422 items.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Vec<FieldError>> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(vec![FieldError::new(vec!["body".into()], "Field required", "missing")]);
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        vec![FieldError::new(
            vec!["body".into(), Value::from(e.column())],
            format!("JSON decode error: {e}"),
            "json_invalid",
        )]
    })?;
    if !value.is_object() {
        return Err(vec![FieldError::new(
            vec!["body".into()],
            "Input should be a valid dictionary",
            "dict_type",
        )]);
    }
    let nul = nul_characters(&value);
    if !nul.is_empty() {
        return Err(nul);
    }
    serde_path_to_error::deserialize(Node(value)).map_err(|e| {
        let mut loc: Vec<Value> = vec!["body".into()];
        for segment in e.path().iter() {
            match segment {
                serde_path_to_error::Segment::Seq { index } => loc.push(Value::from(*index)),
                serde_path_to_error::Segment::Map { key } | serde_path_to_error::Segment::Enum { variant: key } => {
                    loc.push(Value::from(key.as_str()));
                }
                serde_path_to_error::Segment::Unknown => {}
            }
        }
        let problem = e.into_inner();
        match problem {
            Problem::Missing(field) => {
                loc.push(Value::from(field));
                vec![FieldError::new(loc, "Field required", "missing")]
            }
            Problem::WrongType(message) => vec![FieldError::new(loc, message, "type_error")],
            Problem::FractionalInteger => vec![FieldError::new(loc, FRACTIONAL_MESSAGE, "int_from_float")],
            Problem::NotAUuid(message) => vec![FieldError::new(loc, message, "uuid_parsing")],
            Problem::Refused(message) => vec![FieldError::new(loc, message, "value_error")],
        }
    })
}

/// The message of a string refused for holding a NUL character.
pub const NUL_MESSAGE: &str = "String should not contain the NUL character (\\u0000)";

/// Every string (value or object key) of a body that holds a NUL character, as 422 items with
/// its location. PostgreSQL cannot store NUL in text and SQLite would; refusing it here makes
/// both backends answer the same 422 instead of one storing it and the other failing.
fn nul_characters(value: &Value) -> Vec<FieldError> {
    fn walk(value: &Value, loc: &mut Vec<Value>, out: &mut Vec<FieldError>) {
        match value {
            Value::String(s) if s.contains('\0') => out.push(FieldError::new(loc.clone(), NUL_MESSAGE, "string_nul")),
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    loc.push(Value::from(i));
                    walk(v, loc, out);
                    loc.pop();
                }
            }
            Value::Object(map) => {
                for (k, v) in map {
                    loc.push(Value::from(k.as_str()));
                    if k.contains('\0') {
                        out.push(FieldError::new(loc.clone(), NUL_MESSAGE, "string_nul"));
                    }
                    walk(v, loc, out);
                    loc.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut vec!["body".into()], &mut out);
    out
}

/// Why one value of a body was not accepted, by serde's kind of failure; the text is the
/// message serde would have written.
#[derive(Debug)]
enum Problem {
    /// A required field is absent.
    Missing(String),
    /// A value of the wrong JSON type (`invalid type: …`).
    WrongType(String),
    /// A number with a fractional part where an integer is expected.
    FractionalInteger,
    /// A string the `uuid` crate refused.
    NotAUuid(String),
    /// Anything else the target type refused (out of range, unknown variant, its own check).
    Refused(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Missing(field) => write!(f, "missing field `{field}`"),
            Problem::FractionalInteger => f.write_str(FRACTIONAL_MESSAGE),
            Problem::WrongType(m) | Problem::NotAUuid(m) | Problem::Refused(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Problem {}

/// The message of a number with a fractional part given for an integer field.
const FRACTIONAL_MESSAGE: &str = "Input should be a valid integer, got a number with a fractional part";

/// How serde's integer visitors describe what they expect.
const INTEGER_TYPES: [&str; 12] = [
    "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
];

/// How `uuid`'s `Deserialize` begins the message of a string that is not a UUID.
const UUID_REFUSAL: &str = "UUID parsing failed";

impl de::Error for Problem {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        let message = msg.to_string();
        // A create read as its update reports a required field this way (`wire::MissingField`).
        if let Some(field) = message
            .strip_prefix("missing field `")
            .and_then(|m| m.strip_suffix('`'))
        {
            return Problem::Missing(field.to_owned());
        }
        // The one failure serde has no kind for: the `uuid` crate refuses a string through
        // `custom`, with this prefix (also inside flattened bodies, where no visitor of ours
        // is involved).
        if message.starts_with(UUID_REFUSAL) {
            Problem::NotAUuid(message)
        } else {
            Problem::Refused(message)
        }
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        // Integral numbers reach a visitor as integers (see `Node::deserialize_any`), so a
        // float an integer type refuses has a fractional part (or is beyond every integer).
        if let Unexpected::Float(f) = unexp
            && f.is_finite()
            && f.fract() != 0.0
            && INTEGER_TYPES.contains(&exp.to_string().as_str())
        {
            return Problem::FractionalInteger;
        }
        Problem::WrongType(format!("invalid type: {unexp}, expected {exp}"))
    }

    fn missing_field(field: &'static str) -> Self {
        Problem::Missing(field.to_owned())
    }
}

/// An integral float as the integer it equals.
enum Integral {
    Unsigned(u64),
    Signed(i64),
}

/// `f` as an integer when it has no fractional part and fits one (`3.0` → 3, `-2.0` → -2).
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)]
fn integral(f: f64) -> Option<Integral> {
    // 2^63 and 2^64 are exact in f64; the casts below are exact inside these bounds.
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if !f.is_finite() || f.fract() != 0.0 {
        None
    } else if (0.0..2.0 * TWO_63).contains(&f) {
        Some(Integral::Unsigned(f as u64))
    } else if (-TWO_63..0.0).contains(&f) {
        Some(Integral::Signed(f as i64))
    } else {
        None
    }
}

/// A parsed JSON value as a deserializer whose errors are [`Problem`]s.
struct Node(Value);

impl IntoDeserializer<'_, Problem> for Node {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> de::Deserializer<'de> for Node {
    type Error = Problem;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    let f = n.as_f64().unwrap_or(f64::NAN);
                    // JSON Schema: a number without a fractional part is an integer (`3.0`
                    // is 3), here also inside flattened bodies, which serde buffers by value.
                    match integral(f) {
                        Some(Integral::Unsigned(u)) => visitor.visit_u64(u),
                        Some(Integral::Signed(i)) => visitor.visit_i64(i),
                        None => visitor.visit_f64(f),
                    }
                }
            }
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) => {
                let mut seq = SeqDeserializer::new(items.into_iter().map(Node));
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            Value::Object(fields) => {
                let mut map = MapDeserializer::new(fields.into_iter().map(|(k, v)| (k, Node(v))));
                let value = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(value)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(Node(other)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Problem> {
        match self.0 {
            Value::String(s) => visitor.visit_enum(s.into_deserializer()),
            other => Node(other).deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Problem> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use uuid::Uuid;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Body {
        title: String,
        n: Option<i64>,
        id: Option<Uuid>,
        tags: Option<Vec<String>>,
    }

    #[test]
    fn json_errors_name_the_field_and_their_kind() {
        let missing = parse_json::<Body>(b"{}").unwrap_err();
        assert_eq!(missing[0].loc, vec![Value::from("body"), Value::from("title")]);
        assert_eq!(missing[0].kind, "missing");
        assert_eq!(missing[0].msg, "Field required");

        let wrong = parse_json::<Body>(br#"{"title": "x", "n": "seven"}"#).unwrap_err();
        assert_eq!(wrong[0].loc, vec![Value::from("body"), Value::from("n")]);
        assert_eq!(wrong[0].kind, "type_error");
        assert_eq!(wrong[0].msg, r#"invalid type: string "seven", expected i64"#);

        let uuid = parse_json::<Body>(br#"{"title": "x", "id": "nope"}"#).unwrap_err();
        assert_eq!(uuid[0].loc, vec![Value::from("body"), Value::from("id")]);
        assert_eq!(uuid[0].kind, "uuid_parsing");
        assert!(uuid[0].msg.starts_with("UUID parsing failed"), "{}", uuid[0].msg);

        let nested = parse_json::<Body>(br#"{"title": "x", "tags": ["a", 2]}"#).unwrap_err();
        assert_eq!(
            nested[0].loc,
            vec![Value::from("body"), Value::from("tags"), Value::from(1)]
        );
        assert_eq!(nested[0].kind, "type_error");

        assert_eq!(parse_json::<Body>(b"{nope").unwrap_err()[0].kind, "json_invalid");
        assert_eq!(parse_json::<Body>(b"[1]").unwrap_err()[0].kind, "dict_type");
        assert_eq!(parse_json::<Body>(b"  ").unwrap_err()[0].kind, "missing");
    }

    #[test]
    fn well_formed_bodies_read_as_serde_json_would() {
        let body: Body = parse_json(br#"{"title": "x", "n": -3, "id": null, "tags": []}"#).unwrap();
        assert_eq!(body.title, "x");
        assert_eq!(body.n, Some(-3));
        assert!(body.id.is_none());
        let task: crate::wire::tasks::TaskCreate =
            parse_json(br#"{"title": "t", "assigned_agent_id": null, "status": "review"}"#).unwrap();
        assert_eq!(task.fields.assigned_agent_id, Some(None));
        let bad = parse_json::<crate::wire::tasks::TaskCreate>(br#"{"title": "t", "status": "asleep"}"#).unwrap_err();
        assert_eq!(bad[0].kind, "value_error");
        let flattened =
            parse_json::<crate::wire::tasks::TaskCreate>(br#"{"title": "t", "assigned_agent_id": "x"}"#).unwrap_err();
        assert_eq!(flattened[0].kind, "uuid_parsing");
        assert_eq!(
            flattened[0].loc,
            vec![Value::from("body"), Value::from("assigned_agent_id")]
        );
        // A create without its required field: serde's own missing-field item.
        let untitled = parse_json::<crate::wire::tasks::TaskCreate>(br#"{"status": "review"}"#).unwrap_err();
        assert_eq!(untitled[0].loc, vec![Value::from("body"), Value::from("title")]);
        assert_eq!(untitled[0].kind, "missing");
        assert_eq!(untitled[0].msg, "Field required");
        let board =
            parse_json::<crate::wire::boards::BoardCreate>(br#"{"name": "b", "description": "d"}"#).unwrap_err();
        assert_eq!(board[0].loc, vec![Value::from("body"), Value::from("slug")]);
        assert_eq!(board[0].kind, "missing");
    }

    #[test]
    fn integral_numbers_are_integers_and_fractions_are_refused() {
        let body: Body = parse_json(br#"{"title": "x", "n": 3.0}"#).unwrap();
        assert_eq!(body.n, Some(3));
        let body: Body = parse_json(br#"{"title": "x", "n": -2.0}"#).unwrap();
        assert_eq!(body.n, Some(-2));
        let fraction = parse_json::<Body>(br#"{"title": "x", "n": 3.5}"#).unwrap_err();
        assert_eq!(fraction[0].loc, vec![Value::from("body"), Value::from("n")]);
        assert_eq!(fraction[0].kind, "int_from_float");
        assert_eq!(fraction[0].msg, FRACTIONAL_MESSAGE);

        // Flattened bodies are buffered by serde before the integer field reads them.
        let board: crate::wire::boards::BoardCreate =
            parse_json(br#"{"name": "b", "slug": "b", "description": "d", "max_agents": 3.0}"#).unwrap();
        assert_eq!(board.settings.max_agents, Some(3));
        let bad = parse_json::<crate::wire::boards::BoardCreate>(
            br#"{"name": "b", "slug": "b", "description": "d", "max_agents": 3.5}"#,
        )
        .unwrap_err();
        assert_eq!(bad[0].loc, vec![Value::from("body"), Value::from("max_agents")]);
        assert_eq!(bad[0].kind, "int_from_float");

        // A float field still reads fractions, and an integral one as the same number.
        #[derive(Debug, Deserialize)]
        struct Score {
            confidence: f64,
        }
        assert!((parse_json::<Score>(br#"{"confidence": 80.5}"#).unwrap().confidence - 80.5).abs() < f64::EPSILON);
        assert!((parse_json::<Score>(br#"{"confidence": 80.0}"#).unwrap().confidence - 80.0).abs() < f64::EPSILON);
        assert!(integral(1e300).is_none());
        assert!(integral(f64::NAN).is_none());
    }
}
