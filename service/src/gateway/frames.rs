//! The gateway's wire frames (JSON text frames over a WebSocket) and how their failures are
//! classified. Pure: nothing here touches a socket.

use serde_json::{Value, json};

/// The protocol versions this client speaks; a gateway accepts a range containing its own.
pub const MIN_PROTOCOL: u64 = 3;
pub const MAX_PROTOCOL: u64 = 4;

/// Why a gateway call gave no usable answer. `Display` never includes a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// Worth retrying: the gateway is restarting (close 1012, "service restart") or briefly
    /// refused the connection.
    #[error("gateway unavailable: {0}")]
    Transient(String),
    /// The gateway answered the request with an error; its message is kept as given.
    #[error("{message}")]
    Rejected { code: String, message: String },
    /// The gateway did not answer within the call's deadline.
    #[error("gateway did not answer within {0} s")]
    Timeout(u64),
    /// Nothing answered at the gateway's address, or the WebSocket upgrade failed.
    #[error("gateway unreachable: {0}")]
    Unreachable(String),
    /// The gateway answered something that is not this protocol.
    #[error("gateway protocol error: {0}")]
    Protocol(String),
    /// The gateway runs a release this service does not support.
    #[error("{0}")]
    Incompatible(String),
}

impl GatewayError {
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Transient(_) => true,
            Self::Rejected { message, .. } => transient_message(message),
            _ => false,
        }
    }

    /// True for the gateway's "no such agent" answers (which differ between releases).
    pub fn is_not_found(&self) -> bool {
        match self {
            Self::Rejected { message, .. } => {
                let m = message.to_ascii_lowercase();
                m.contains("unknown agent") || m.contains("not found") || m.contains("no longer exists")
            }
            _ => false,
        }
    }

    /// True when the gateway refused a workspace file name (protocol-4 releases refuse some).
    pub fn is_unsupported_file(&self) -> bool {
        matches!(self, Self::Rejected { message, .. } if message.to_ascii_lowercase().contains("unsupported file"))
    }

    pub fn is_already_exists(&self) -> bool {
        matches!(self, Self::Rejected { message, .. } if message.to_ascii_lowercase().contains("already exists"))
    }

    pub fn is_unknown_method(&self) -> bool {
        matches!(self, Self::Rejected { message, .. } if message.to_ascii_lowercase().contains("unknown method"))
    }
}

/// How long the gateway asked us to wait ("retry after 4s"), if it said.
pub fn retry_after(e: &GatewayError) -> Option<std::time::Duration> {
    let text = match e {
        GatewayError::Transient(m) | GatewayError::Rejected { message: m, .. } => m,
        _ => return None,
    };
    let at = text.find("retry after ")? + "retry after ".len();
    let digits: String = text[at..].chars().take_while(char::is_ascii_digit).collect();
    let n: u64 = digits.parse().ok()?;
    let unit = &text[at + digits.len()..];
    Some(if unit.starts_with("ms") {
        std::time::Duration::from_millis(n)
    } else {
        std::time::Duration::from_secs(n.min(60))
    })
}

/// Error texts that mean "try again shortly" whatever frame carried them.
fn transient_message(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "service restart",
        "received 1012",
        "connection refused",
        "gateway restarting",
        "startup-sidecars",
    ]
    .iter()
    .any(|needle| m.contains(needle))
}

/// A request frame.
pub fn request(id: &str, method: &str, params: Value) -> String {
    json!({"type": "req", "id": id, "method": method, "params": params}).to_string()
}

/// One frame the gateway sent, as far as this client cares.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    Event {
        event: String,
        payload: Value,
    },
    Response {
        id: String,
        result: Result<Value, GatewayError>,
    },
    /// Valid JSON of no kind this client knows (skipped).
    Other,
}

/// Parses a text frame. Garbage is a protocol error (the connection is then dropped).
pub fn parse(text: &str) -> Result<Incoming, GatewayError> {
    let v: Value = serde_json::from_str(text).map_err(|_| GatewayError::Protocol("a frame is not JSON".into()))?;
    match v.get("type").and_then(Value::as_str) {
        Some("event") => Ok(Incoming::Event {
            event: v.get("event").and_then(Value::as_str).unwrap_or_default().to_owned(),
            payload: v.get("payload").cloned().unwrap_or(Value::Null),
        }),
        Some("res") => {
            let id = match v.get("id") {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => return Err(GatewayError::Protocol("a response has no id".into())),
            };
            let result = if v.get("ok").and_then(Value::as_bool) == Some(true) {
                Ok(v.get("payload").cloned().unwrap_or(Value::Null))
            } else {
                Err(response_error(v.get("error")))
            };
            Ok(Incoming::Response { id, result })
        }
        _ => Ok(Incoming::Other),
    }
}

fn response_error(error: Option<&Value>) -> GatewayError {
    let error = error.cloned().unwrap_or(Value::Null);
    let message = error
        .get("message")
        .and_then(Value::as_str)
        .map(|m| m.chars().take(500).collect::<String>())
        .unwrap_or_else(|| "the gateway refused the request".to_owned());
    // The specific code (e.g. PROTOCOL_MISMATCH) is in details.code; the outer one is generic.
    let code = error
        .pointer("/details/code")
        .or_else(|| error.get("code"))
        .and_then(Value::as_str)
        .unwrap_or("UNKNOWN")
        .to_owned();
    let retry =
        error.pointer("/details/reason").and_then(Value::as_str) == Some("startup-sidecars") || code == "UNAVAILABLE";
    if retry {
        GatewayError::Transient(message)
    } else {
        GatewayError::Rejected { code, message }
    }
}

/// What a successful handshake told us.
#[derive(Debug, Clone, PartialEq)]
pub struct Hello {
    pub protocol: u64,
    pub server_version: Option<String>,
    pub methods: Vec<String>,
    pub events: Vec<String>,
}

pub fn hello(payload: &Value) -> Result<Hello, GatewayError> {
    if payload.get("type").and_then(Value::as_str) != Some("hello-ok") {
        return Err(GatewayError::Protocol("the connect answer is not hello-ok".into()));
    }
    let protocol = payload
        .get("protocol")
        .and_then(Value::as_u64)
        .ok_or_else(|| GatewayError::Protocol("hello-ok has no protocol".into()))?;
    if !(MIN_PROTOCOL..=MAX_PROTOCOL).contains(&protocol) {
        return Err(GatewayError::Incompatible(format!(
            "the gateway chose protocol {protocol}; this service speaks {MIN_PROTOCOL} to {MAX_PROTOCOL}"
        )));
    }
    let strings = |ptr: &str| -> Vec<String> {
        payload
            .pointer(ptr)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default()
    };
    Ok(Hello {
        protocol,
        server_version: payload
            .pointer("/server/version")
            .and_then(Value::as_str)
            .map(str::to_owned),
        methods: strings("/features/methods"),
        events: strings("/features/events"),
    })
}

/// A close frame as an error: 1012 ("service restart") is a restart, worth retrying.
pub fn closed(code: Option<u16>, reason: &str) -> GatewayError {
    match code {
        Some(1012) => GatewayError::Transient(format!("received 1012 ({reason})")),
        Some(c) => GatewayError::Unreachable(format!("the gateway closed the connection ({c} {reason})")),
        None => GatewayError::Unreachable("the gateway closed the connection".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_events_and_garbage_are_told_apart() {
        let ok = parse(r#"{"type":"res","id":"7","ok":true,"payload":{"a":1}}"#).unwrap();
        assert_eq!(
            ok,
            Incoming::Response {
                id: "7".into(),
                result: Ok(json!({"a":1}))
            }
        );
        let err = parse(r#"{"type":"res","id":"8","ok":false,"error":{"code":"INVALID_REQUEST","message":"protocol mismatch","details":{"code":"PROTOCOL_MISMATCH"}}}"#).unwrap();
        let Incoming::Response { result: Err(e), .. } = err else {
            panic!("not an error")
        };
        assert_eq!(
            e,
            GatewayError::Rejected {
                code: "PROTOCOL_MISMATCH".into(),
                message: "protocol mismatch".into()
            }
        );
        assert!(matches!(
            parse(r#"{"type":"event","event":"tick","payload":{}}"#).unwrap(),
            Incoming::Event { .. }
        ));
        assert_eq!(parse(r#"{"hello":1}"#).unwrap(), Incoming::Other);
        for garbage in ["", "{", "\u{0}", "[1,2", "nul"] {
            assert!(matches!(parse(garbage), Err(GatewayError::Protocol(_))), "{garbage:?}");
        }
        assert!(matches!(
            parse(r#"{"type":"res","ok":true}"#),
            Err(GatewayError::Protocol(_))
        ));
    }

    #[test]
    fn restarts_and_startup_are_transient_other_refusals_are_not() {
        assert!(closed(Some(1012), "service restart").is_transient());
        assert!(!closed(Some(1008), "policy").is_transient());
        let startup = parse(r#"{"type":"res","id":"1","ok":false,"error":{"code":"UNAVAILABLE","message":"starting","details":{"reason":"startup-sidecars","retryAfterMs":200}}}"#).unwrap();
        let Incoming::Response { result: Err(e), .. } = startup else {
            panic!()
        };
        assert!(e.is_transient());
        let limited = GatewayError::Transient("rate limit exceeded for config.patch; retry after 4s".into());
        assert_eq!(retry_after(&limited), Some(std::time::Duration::from_secs(4)));
        assert_eq!(
            retry_after(&GatewayError::Transient("retry after 250ms".into())),
            Some(std::time::Duration::from_millis(250))
        );
        assert_eq!(retry_after(&GatewayError::Transient("later".into())), None);
        let gone = GatewayError::Rejected {
            code: "X".into(),
            message: "agent \"mc-1\" not found".into(),
        };
        assert!(gone.is_not_found() && !gone.is_transient());
        assert!(
            GatewayError::Rejected {
                code: "X".into(),
                message: "unknown agent id".into()
            }
            .is_not_found()
        );
    }

    #[test]
    fn hello_reads_protocol_version_and_features() {
        let h = hello(&json!({"type":"hello-ok","protocol":4,"server":{"version":"2026.9.6"},
            "features":{"methods":["health","chat.send"],"events":["tick"]}}))
        .unwrap();
        assert_eq!(h.protocol, 4);
        assert_eq!(h.server_version.as_deref(), Some("2026.9.6"));
        assert_eq!(h.methods, vec!["health", "chat.send"]);
        assert!(matches!(
            hello(&json!({"type":"hello-ok","protocol":5})),
            Err(GatewayError::Incompatible(_))
        ));
        assert!(hello(&json!({"type":"nope"})).is_err());
    }
}
