//! Calls to services outside ours. Every call has a connect and a total deadline and reads at
//! most a configured number of bytes; failures come back as [`OutboundError`] for the action
//! to turn into a 502/504 with a clear detail.

pub mod souls;

use std::time::Duration;

/// Why an outside call gave no usable answer.
#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    #[error("{service} did not answer within {seconds} s")]
    Timeout { service: &'static str, seconds: u64 },
    #[error("{service} could not be reached: {reason}")]
    Unreachable { service: &'static str, reason: String },
    #[error("{service} answered with more than {limit} bytes")]
    TooLarge { service: &'static str, limit: usize },
    #[error("{service} answered {status}")]
    Status { service: &'static str, status: u16 },
    #[error("not found")]
    NotFound,
}

/// Reads a response body, refusing it once it grows past `limit` bytes (checked against
/// `Content-Length` first, then while streaming: never more than `limit` bytes are held).
pub async fn read_capped(
    service: &'static str,
    mut res: reqwest::Response,
    limit: usize,
    timeout: Duration,
) -> Result<Vec<u8>, OutboundError> {
    if res.content_length().is_some_and(|n| n > limit as u64) {
        return Err(OutboundError::TooLarge { service, limit });
    }
    let mut body = Vec::new();
    loop {
        match res.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > limit {
                    return Err(OutboundError::TooLarge { service, limit });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => return Err(request_error(service, &e, timeout)),
        }
    }
}

/// A transport error as an [`OutboundError`] (the URL is left out: it may carry credentials).
pub fn request_error(service: &'static str, e: &reqwest::Error, timeout: Duration) -> OutboundError {
    if e.is_timeout() {
        OutboundError::Timeout {
            service,
            seconds: timeout.as_secs().max(1),
        }
    } else {
        let reason = if e.is_connect() {
            "connection failed"
        } else {
            "transport error"
        };
        OutboundError::Unreachable {
            service,
            reason: reason.to_owned(),
        }
    }
}
