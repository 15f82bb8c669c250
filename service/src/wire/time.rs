//! Timestamps on the wire. Every timestamp the API emits is RFC 3339 in UTC with a `Z`
//! (`2026-12-02T11:24:31.472347Z`, sub-second digits as stored); every timestamp it accepts
//! may carry any offset (`Z`, `+02:00`) and is converted to UTC, and one without an offset
//! is read as UTC. Inside the service timestamps are naive UTC (`NaiveDateTime`).
//!
//! Read models keep their `NaiveDateTime` fields (so their schema stays `string`,
//! `format: date-time`) and name [`utc`] or [`utc_opt`] as the field's `serialize_with`.

use chrono::{NaiveDateTime, SecondsFormat, Timelike};
use serde::de::{Deserializer, Error as _};
use serde::{Deserialize, Serializer};

/// The wire form of a naive UTC timestamp: RFC 3339 with `Z`.
pub fn format_utc(t: &NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// `serialize_with` for a timestamp field.
pub fn utc<S: Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_utc(t))
}

/// `serialize_with` for a nullable timestamp field.
pub fn utc_opt<S: Serializer>(t: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => utc(t, s),
        None => s.serialize_none(),
    }
}

/// Parses an ISO-8601 timestamp into naive UTC: with an offset it is converted, without one
/// it is taken as UTC; a bare date is its midnight. Sub-microsecond digits are dropped, as
/// PostgreSQL would and SQLite would not: both backends then store and return the same value.
pub fn parse_timestamp(s: &str) -> Option<NaiveDateTime> {
    parse_any_precision(s).map(|t| t.with_nanosecond(t.nanosecond() / 1_000 * 1_000).unwrap_or(t))
}

fn parse_any_precision(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if let Ok(aware) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(aware.naive_utc());
    }
    // RFC 3339 minus its strictness: a space for `T`, minutes without seconds, `+0200`.
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f%#z",
        "%Y-%m-%d %H:%M:%S%.f%#z",
        "%Y-%m-%dT%H:%M%#z",
    ] {
        if let Ok(aware) = chrono::DateTime::parse_from_str(s, format) {
            return Some(aware.naive_utc());
        }
    }
    let naive = s.strip_suffix(['Z', 'z']).unwrap_or(s);
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(naive, format) {
            return Some(t);
        }
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

/// `deserialize_with` for a nullable timestamp field of a PATCH body (absent / null / value).
pub fn opt_timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<NaiveDateTime>>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(Some(None)),
        Some(s) => parse_timestamp(&s)
            .map(|t| Some(Some(t)))
            .ok_or_else(|| D::Error::custom("Input should be a valid datetime")),
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        parse_timestamp(s).unwrap()
    }

    #[test]
    fn offsets_are_converted_to_utc_and_naive_values_are_utc() {
        assert_eq!(t("2026-11-29T13:54:27+02:00").to_string(), "2026-11-29 11:54:27");
        assert_eq!(t("2026-11-29T13:54:27.25-01:30").to_string(), "2026-11-29 15:24:27.250");
        assert_eq!(t("2026-11-29T13:54:27Z").to_string(), "2026-11-29 13:54:27");
        assert_eq!(t("2026-11-29 13:54:27+0200").to_string(), "2026-11-29 11:54:27");
        assert_eq!(t("2026-11-29T13:54+02:00").to_string(), "2026-11-29 11:54:00");
        assert_eq!(t("2026-11-29T13:54:27.5").to_string(), "2026-11-29 13:54:27.500");
        assert_eq!(t("2026-11-29T13:54").to_string(), "2026-11-29 13:54:00");
        assert_eq!(t("2026-11-29").to_string(), "2026-11-29 00:00:00");
        // RFC 3339's own corners: lower-case separators, a leap second, nanoseconds.
        assert_eq!(t("2026-11-29t13:54:27z").to_string(), "2026-11-29 13:54:27");
        assert_eq!(t("2026-12-31T23:59:60Z").to_string(), "2026-12-31 23:59:60");
        assert_eq!(
            t("2026-11-29T13:54:27.123456789+14:00").to_string(),
            "2026-11-28 23:54:27.123456"
        );
        assert!(parse_timestamp("yesterday").is_none());
        assert!(parse_timestamp("2026-13-01T00:00:00Z").is_none());
    }

    #[test]
    fn emitted_timestamps_are_utc_with_z_and_keep_their_precision() {
        assert_eq!(
            format_utc(&t("2026-12-02T11:24:31.472347")),
            "2026-12-02T11:24:31.472347Z"
        );
        assert_eq!(format_utc(&t("2026-12-02T11:24:31")), "2026-12-02T11:24:31Z");
        assert_eq!(
            format_utc(&t("2026-12-02T13:24:31.5+02:00")),
            "2026-12-02T11:24:31.500Z"
        );
        // What is emitted reads back as the same instant.
        let at = t("2026-12-02T11:24:31.472347");
        assert_eq!(t(&format_utc(&at)), at);
    }

    #[test]
    fn serialize_with_helpers_write_z_and_null() {
        #[derive(Serialize)]
        struct Read {
            #[serde(serialize_with = "utc")]
            at: NaiveDateTime,
            #[serde(serialize_with = "utc_opt")]
            seen: Option<NaiveDateTime>,
            #[serde(serialize_with = "utc_opt")]
            never: Option<NaiveDateTime>,
        }
        let at = t("2026-12-02T11:24:31.472347");
        let json = serde_json::to_value(Read {
            at,
            seen: Some(at),
            never: None,
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"at": "2026-12-02T11:24:31.472347Z", "seen": "2026-12-02T11:24:31.472347Z", "never": null})
        );
    }

    #[test]
    fn patch_timestamps_tell_null_from_value_and_refuse_garbage() {
        #[derive(Deserialize)]
        struct Patch {
            #[serde(default, deserialize_with = "opt_timestamp")]
            due_at: Option<Option<NaiveDateTime>>,
        }
        let p: Patch = serde_json::from_str(r#"{"due_at": "2026-12-02T13:00:00+02:00"}"#).unwrap();
        assert_eq!(p.due_at, Some(Some(t("2026-12-02T11:00:00"))));
        let p: Patch = serde_json::from_str(r#"{"due_at": null}"#).unwrap();
        assert_eq!(p.due_at, Some(None));
        let p: Patch = serde_json::from_str("{}").unwrap();
        assert_eq!(p.due_at, None);
        assert!(serde_json::from_str::<Patch>(r#"{"due_at": "soon"}"#).is_err());
    }
}
