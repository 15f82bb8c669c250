//! Which gateway releases this service supports: OpenClaw versions are CalVer
//! (`YYYY.M.D`, optionally `-REV` and a leading `v`), compared as `(year, month, day, rev)`
//! against `GATEWAY_MIN_VERSION`.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CalVer {
    pub year: u32,
    pub month: u32,
    pub day: u32,
    pub rev: u32,
}

impl fmt::Display for CalVer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.year, self.month, self.day)?;
        if self.rev > 0 {
            write!(f, "-{}", self.rev)?;
        }
        Ok(())
    }
}

/// Parses `v?YYYY.M.D(-REV)?` with a month 1–12 and a day 1–31; anything else is `None`
/// ("dev", "2026.13.1", "2026.2.0-beta", "2026.6.33").
pub fn parse(text: &str) -> Option<CalVer> {
    let text = text.trim();
    let text = text.strip_prefix('v').unwrap_or(text);
    let (date, rev) = match text.split_once('-') {
        Some((d, r)) => (d, Some(r)),
        None => (text, None),
    };
    let digits = |s: &str, min: usize, max: usize| -> Option<u32> {
        (s.len() >= min && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let mut parts = date.split('.');
    let year = digits(parts.next()?, 4, 4)?;
    let month = digits(parts.next()?, 1, 2)?;
    let day = digits(parts.next()?, 1, 2)?;
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let rev = match rev {
        Some(r) => digits(r, 1, 9)?,
        None => 0,
    };
    Some(CalVer { year, month, day, rev })
}

/// The verdict on a gateway's reported version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compatibility {
    Supported(CalVer),
    TooOld {
        found: CalVer,
        minimum: CalVer,
    },
    /// Neither the handshake nor the configuration told a version this service can read.
    Unknown(Option<String>),
}

/// Judges the handshake's `server.version`, else the configuration's
/// `meta.lastTouchedVersion` (the fallback when the handshake has none that parses).
pub fn judge(server_version: Option<&str>, config_version: Option<&str>, minimum: CalVer) -> Compatibility {
    let found = server_version
        .and_then(parse)
        .or_else(|| config_version.and_then(parse));
    match found {
        Some(v) if v >= minimum => Compatibility::Supported(v),
        Some(v) => Compatibility::TooOld { found: v, minimum },
        None => Compatibility::Unknown(server_version.or(config_version).map(str::to_owned)),
    }
}

impl Compatibility {
    /// Why the gateway is refused, for the API error's `detail` (`None`: supported).
    pub fn refusal(&self) -> Option<String> {
        match self {
            Self::Supported(_) => None,
            Self::TooOld { found, minimum } => Some(format!(
                "Gateway version {found} is not supported; the minimum is {minimum} (GATEWAY_MIN_VERSION)."
            )),
            Self::Unknown(Some(raw)) => Some(format!(
                "Gateway reported version {:?}, which is not a supported release version.",
                raw.chars().take(64).collect::<String>()
            )),
            Self::Unknown(None) => Some("Gateway did not report its version; cannot check compatibility.".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> CalVer {
        parse(s).unwrap()
    }

    #[test]
    fn calver_parses_strictly() {
        assert_eq!(
            v("2026.02.9"),
            CalVer {
                year: 2026,
                month: 2,
                day: 9,
                rev: 0
            }
        );
        assert_eq!(v("v2026.4.2-3").rev, 3);
        for bad in [
            "dev",
            "2026.13.1",
            "2026.2.0",
            "2026.2.0-beta",
            "2026.6.33",
            "26.1.1",
            "2026.1",
            "2026.1.1.1",
            "",
            "2026.1.1-",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
        assert!(v("2026.10.1") > v("2026.9.30"));
        assert!(v("2026.4.2-1") > v("2026.4.2"));
    }

    #[test]
    fn judge_falls_back_to_the_configuration_and_explains_refusals() {
        let min = v("2026.02.9");
        assert_eq!(
            judge(Some("2026.4.2"), None, min),
            Compatibility::Supported(v("2026.4.2"))
        );
        assert_eq!(
            judge(Some("dev"), Some("2026.9.6"), min),
            Compatibility::Supported(v("2026.9.6"))
        );
        assert!(matches!(
            judge(Some("2026.1.29"), None, min),
            Compatibility::TooOld { .. }
        ));
        assert!(
            judge(Some("2026.1.29"), None, min)
                .refusal()
                .unwrap()
                .contains("2026.2.9")
        );
        assert_eq!(
            judge(Some("dev"), None, min),
            Compatibility::Unknown(Some("dev".into()))
        );
        assert_eq!(judge(None, None, min), Compatibility::Unknown(None));
        assert!(judge(None, None, min).refusal().is_some());
        assert_eq!(judge(None, None, min).refusal(), Compatibility::Unknown(None).refusal());
    }
}
