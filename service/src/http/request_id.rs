//! `X-Request-Id`: a client's value is kept when it is 1-128 characters of a safe set
//! (letters, digits, `-`, `_`, `.`, `:`), otherwise a fresh one is made. The id goes on the
//! request (for handlers, logs and the trace span) and on every response.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

pub const HEADER: &str = "x-request-id";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Keeps an acceptable client value, else generates one (32 hex characters).
    pub fn from_client(value: Option<&HeaderValue>) -> Self {
        match value.and_then(|v| v.to_str().ok()) {
            Some(v) if is_acceptable(v) => Self(v.to_owned()),
            _ => Self(uuid::Uuid::new_v4().simple().to_string()),
        }
    }
}

fn is_acceptable(v: &str) -> bool {
    (1..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

pub async fn assign_request_id(mut req: Request, next: Next) -> Response {
    let id = RequestId::from_client(req.headers().get(HEADER));
    let header = HeaderValue::from_str(id.as_str()).ok();
    if let Some(h) = &header {
        req.headers_mut().insert(HEADER, h.clone());
    }
    req.extensions_mut().insert(id);
    let mut res = next.run(req).await;
    if let Some(h) = header {
        res.headers_mut().insert(HEADER, h);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_client_ids_are_kept_and_others_replaced() {
        let keep = HeaderValue::from_static("abc-123_x.y:z");
        assert_eq!(RequestId::from_client(Some(&keep)).as_str(), "abc-123_x.y:z");
        for bad in ["", "has space", "semi;colon", &"x".repeat(129)] {
            let v = HeaderValue::from_str(bad).unwrap();
            let id = RequestId::from_client(Some(&v));
            assert_ne!(id.as_str(), bad);
            assert_eq!(id.as_str().len(), 32);
        }
    }
}
