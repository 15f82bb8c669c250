//! Live streams as a browser reads them: open one, then read its server-sent events.

use std::time::Duration;

use serde_json::Value;

/// Sends a stream request and checks it was accepted as an event stream. The service sends
/// a stream's response headers only after the stream has subscribed to the event bus (the
/// handler subscribes, then loads the backlog, then returns the response), so anything
/// written once this returns reaches the stream: no waiting needed.
pub async fn open_stream(req: reqwest::RequestBuilder) -> SseReader {
    let res = req
        .header("accept", "text/event-stream")
        .send()
        .await
        .expect("stream request");
    assert_eq!(res.status(), 200, "{}", res.url());
    let content_type = res.headers()["content-type"].to_str().unwrap_or_default();
    assert!(content_type.starts_with("text/event-stream"), "{content_type}");
    SseReader::new(res)
}

/// One server-sent event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SseEvent {
    pub event: String,
    pub id: String,
    pub data: String,
    pub retry: Option<String>,
}

impl SseEvent {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap_or(Value::Null)
    }
}

/// Reads a `text/event-stream` response incrementally, as a browser's `fetch` reader would.
pub struct SseReader {
    stream: std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buffer: String,
    /// Everything received so far (comments and retry lines included).
    pub raw: String,
}

impl SseReader {
    pub fn new(res: reqwest::Response) -> Self {
        Self {
            stream: Box::pin(res.bytes_stream()),
            buffer: String::new(),
            raw: String::new(),
        }
    }

    /// The next complete event (comments skipped), or `None` when the stream ended or the
    /// timeout passed.
    pub async fn next_event(&mut self, timeout: Duration) -> Option<SseEvent> {
        use futures::StreamExt;
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut ev = SseEvent::default();
                let mut any = false;
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        ev.event = v.trim().to_owned();
                        any = true;
                    } else if let Some(v) = line.strip_prefix("id:") {
                        ev.id = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        if !ev.data.is_empty() {
                            ev.data.push('\n');
                        }
                        ev.data.push_str(v.strip_prefix(' ').unwrap_or(v));
                        any = true;
                    } else if let Some(v) = line.strip_prefix("retry:") {
                        ev.retry = Some(v.trim().to_owned());
                        any = true;
                    }
                }
                if any {
                    return Some(ev);
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .ok()??
                .ok()?;
            let text = String::from_utf8_lossy(&chunk).replace("\r\n", "\n");
            self.raw.push_str(&text);
            self.buffer.push_str(&text);
        }
    }

    /// Events until one satisfies `pred` (returned), or `None` on timeout/end.
    pub async fn until(&mut self, timeout: Duration, pred: impl Fn(&SseEvent) -> bool) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let ev = self.next_event(left).await?;
            if pred(&ev) {
                return Some(ev);
            }
        }
    }
}
