//! Stream order: a subscriber of a board's task stream receives the `task` event of a write
//! only after the response to the request that made it has been written. A client that both
//! streams and writes (the reference web UI) therefore has its new task from the response
//! before the event about it arrives.
//!
//! How it is observed, without timing: one thread holds the stream's connection and the
//! write's connection (raw HTTP/1.1, non-blocking) and keeps reading both, the stream first.
//! Over loopback, bytes are in the receiving socket as soon as the service has written
//! them; so when the thread reads the task's event and then reads the write's connection,
//! a response written before the event is complete, and one written after it is most
//! likely not yet there.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use system_tests::{Backend, TOKEN, on_both_backends};

on_both_backends!(a_task_event_arrives_after_the_response_that_caused_it);

const ROUNDS: usize = 30;

/// Only so that a missing response or event fails the test instead of hanging it.
const DEADLINE: Duration = Duration::from_secs(10);

async fn a_task_event_arrives_after_the_response_that_caused_it(backend: Backend) {
    let svc = backend.start().await;
    let board = svc.create_board("Order").await;
    let bid = board["id"].as_str().unwrap().to_owned();
    let addr = svc.base.trim_start_matches("http://").to_owned();
    let early = tokio::task::spawn_blocking(move || observe(&addr, &bid)).await.unwrap();
    assert!(
        early.is_empty(),
        "in rounds {early:?} of {ROUNDS}, the task event was read before the response had arrived"
    );
}

/// Runs the rounds; returns those whose event came before the response.
fn observe(addr: &str, bid: &str) -> Vec<usize> {
    let mut stream = Connection::open(
        addr,
        &format!(
            "GET /api/v1/boards/{bid}/tasks/stream?since=null HTTP/1.1\r\nhost: {addr}\r\n\
             authorization: Bearer {TOKEN}\r\naccept: text/event-stream\r\n\r\n"
        ),
    );
    // The service answers a stream's headers once it has subscribed (see `open_stream`).
    let started = Instant::now();
    while !stream.received.windows(4).any(|w| w == b"\r\n\r\n") {
        stream.read_available();
        assert!(started.elapsed() < DEADLINE, "no stream headers");
        std::thread::yield_now();
    }
    assert!(stream.received.starts_with(b"HTTP/1.1 200"), "{}", stream.text());
    let mut events = EventParser::default();
    events.feed(&stream.take());

    let mut early = Vec::new();
    for round in 0..ROUNDS {
        let body = json!({"title": format!("order {round}")}).to_string();
        let mut write = Connection::open(
            addr,
            &format!(
                "POST /api/v1/boards/{bid}/tasks HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {TOKEN}\r\n\
                 content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            ),
        );
        let started = Instant::now();
        let mut event: Option<(String, bool)> = None;
        let response = loop {
            // The stream first, then the write's connection.
            stream.read_available();
            if event.is_none() {
                event = events.feed(&stream.take()).map(|id| {
                    write.read_available();
                    (id, complete_response(&write.received).is_some())
                });
            }
            write.read_available();
            if let (Some(_), Some(response)) = (&event, complete_response(&write.received)) {
                break response;
            }
            assert!(started.elapsed() < DEADLINE, "round {round}: no response or no event");
            std::thread::yield_now();
        };
        let task: Value = serde_json::from_slice(&response).unwrap();
        let (id, responded) = event.unwrap();
        assert_eq!(
            task["id"].as_str(),
            Some(id.as_str()),
            "round {round}: events in write order"
        );
        if !responded {
            early.push(round);
        }
    }
    early
}

/// A raw HTTP/1.1 connection, read without waiting.
struct Connection {
    socket: TcpStream,
    received: Vec<u8>,
}

impl Connection {
    fn open(addr: &str, request: &str) -> Self {
        let mut socket = TcpStream::connect(addr).unwrap();
        socket.set_nodelay(true).unwrap();
        socket.write_all(request.as_bytes()).unwrap();
        socket.set_nonblocking(true).unwrap();
        Self {
            socket,
            received: Vec::new(),
        }
    }

    /// Appends whatever has arrived.
    fn read_available(&mut self) {
        let mut buf = [0u8; 16384];
        loop {
            match self.socket.read(&mut buf) {
                Ok(0) => return,
                Ok(n) => self.received.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) => panic!("reading: {e}"),
            }
        }
    }

    fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.received)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.received).into_owned()
    }
}

/// Finds `task.created` events in a chunked event stream. Chunk-size lines land among the
/// event lines, where they are ignored as unknown fields.
#[derive(Default)]
struct EventParser {
    buffer: String,
}

impl EventParser {
    /// Adds bytes; returns the task id of the first `task.created` event completed.
    fn feed(&mut self, bytes: &[u8]) -> Option<String> {
        self.buffer
            .push_str(&String::from_utf8_lossy(bytes).replace("\r\n", "\n"));
        while let Some(end) = self.buffer.find("\n\n") {
            let block: String = self.buffer.drain(..end + 2).collect();
            if let Some(id) = created_task_id(&block) {
                return Some(id);
            }
        }
        None
    }
}

/// The body of a complete `200` HTTP/1.1 response with a `content-length`, if `raw` holds one.
fn complete_response(raw: &[u8]) -> Option<Vec<u8>> {
    let head_end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..head_end]).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no content-length: {head}"));
    let body = &raw[head_end + 4..];
    (body.len() >= length).then(|| body[..length].to_vec())
}

/// The task id of a `task.created` event block, if it is one.
fn created_task_id(block: &str) -> Option<String> {
    let mut name = "";
    let mut data = String::new();
    for line in block.lines() {
        if let Some(v) = line.strip_prefix("event:") {
            name = v.trim();
        } else if let Some(v) = line.strip_prefix("data:") {
            data.push_str(v.strip_prefix(' ').unwrap_or(v));
        }
    }
    if name != "task" {
        return None;
    }
    let data: Value = serde_json::from_str(&data).ok()?;
    if data["type"] != "task.created" {
        return None;
    }
    data["task"]["id"].as_str().map(str::to_owned)
}
