//! Events reach subscribers only after the response of the request that caused them.
//!
//! `hold_events` runs each request with a `bus::Outbox`, so whatever it publishes is held,
//! and wraps the response body. When the body has ended (its last frame was taken, or it
//! says it has ended) or is dropped (the client left early), the held events are handed to
//! the request's connection, which releases them once everything written so far has been
//! flushed to the socket; hyper writes the body's last bytes and then flushes, so the
//! events leave strictly after the response. A connection that closes first releases what
//! it holds; nothing is lost. Without a watched connection (a router used without `serve`)
//! the events are released when the body ends.
//!
//! `serve` accepts through `WatchedListener`, whose streams (`WatchedStream`) carry that
//! per-connection queue (`AfterFlush`); `PerConnection` puts it into each request's
//! extensions next to `ConnectInfo`.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, ready};

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::serve::{IncomingStream, Listener};
use http_body::{Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use crate::app::AppState;
use crate::bus::{BusEvent, EventBus, Outbox};

/// Middleware: holds the request's events until its response has been written.
pub async fn hold_events(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let connection = req.extensions().get::<AfterFlush>().cloned();
    let outbox = Outbox::default();
    let res = outbox.hold(next.run(req)).await;
    let events = outbox.take();
    if events.is_empty() {
        return res;
    }
    let held = Held {
        events,
        bus: app.events.clone(),
        connection,
    };
    res.map(|inner| {
        Body::new(ReleaseWhenDone {
            inner,
            held: Some(held),
        })
    })
}

struct Held {
    events: Vec<BusEvent>,
    bus: EventBus,
    connection: Option<AfterFlush>,
}

impl Held {
    fn release(self) {
        match self.connection {
            Some(connection) => connection.push(self.bus, self.events),
            None => self.bus.release(self.events),
        }
    }
}

/// A response body that releases its request's events when it is done.
struct ReleaseWhenDone {
    inner: Body,
    held: Option<Held>,
}

impl ReleaseWhenDone {
    fn done(&mut self) {
        if let Some(held) = self.held.take() {
            held.release();
        }
    }
}

impl HttpBody for ReleaseWhenDone {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let frame = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(frame, Poll::Ready(None)) || self.inner.is_end_stream() {
            self.done();
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for ReleaseWhenDone {
    fn drop(&mut self) {
        self.done();
    }
}

/// Events of one connection's finished responses, waiting for the connection's next
/// completed flush.
#[derive(Clone, Default)]
pub struct AfterFlush(Arc<Mutex<Waiting>>);

#[derive(Default)]
struct Waiting {
    closed: bool,
    held: Vec<(EventBus, Vec<BusEvent>)>,
}

impl AfterFlush {
    fn push(&self, bus: EventBus, events: Vec<BusEvent>) {
        let mut waiting = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if waiting.closed {
            drop(waiting);
            bus.release(events);
        } else {
            waiting.held.push((bus, events));
        }
    }

    /// Everything written so far is on its way: release what waits.
    fn flushed(&self) {
        let held = {
            let mut waiting = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            if waiting.held.is_empty() {
                return;
            }
            std::mem::take(&mut waiting.held)
        };
        for (bus, events) in held {
            bus.release(events);
        }
    }

    fn close(&self) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).closed = true;
        self.flushed();
    }
}

/// Accepts TCP connections as `WatchedStream`s.
pub struct WatchedListener(pub TcpListener);

impl Listener for WatchedListener {
    type Io = WatchedStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (WatchedStream, SocketAddr) {
        let (stream, addr) = Listener::accept(&mut self.0).await;
        let watched = WatchedStream {
            stream,
            after_flush: AfterFlush::default(),
        };
        (watched, addr)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Listener::local_addr(&self.0)
    }
}

/// A TCP stream that releases its connection's waiting events after each completed flush
/// and when it closes.
pub struct WatchedStream {
    stream: TcpStream,
    after_flush: AfterFlush,
}

impl Drop for WatchedStream {
    fn drop(&mut self) {
        self.after_flush.close();
    }
}

impl AsyncRead for WatchedStream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for WatchedStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let flushed = ready!(Pin::new(&mut self.stream).poll_flush(cx));
        if flushed.is_ok() {
            self.after_flush.flushed();
        }
        Poll::Ready(flushed)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Makes the service for each accepted connection: the router, with the connection's
/// `AfterFlush` and `ConnectInfo<SocketAddr>` in every request's extensions.
#[derive(Clone)]
pub struct PerConnection(pub Router);

impl Connection {
    fn new(router: Router, stream: &IncomingStream<'_, WatchedListener>) -> Self {
        Self {
            router,
            after_flush: stream.io().after_flush.clone(),
            remote: *stream.remote_addr(),
        }
    }
}

impl tower::Service<IncomingStream<'_, WatchedListener>> for PerConnection {
    type Response = Connection;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Connection, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, stream: IncomingStream<'_, WatchedListener>) -> Self::Future {
        std::future::ready(Ok(Connection::new(self.0.clone(), &stream)))
    }
}

/// The router as one connection serves it.
#[derive(Clone)]
pub struct Connection {
    router: Router,
    after_flush: AfterFlush,
    remote: SocketAddr,
}

impl tower::Service<Request> for Connection {
    type Response = Response;
    type Error = Infallible;
    type Future = <Router as tower::Service<Request>>::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        tower::Service::<Request>::poll_ready(&mut self.router, cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        req.extensions_mut().insert(self.after_flush.clone());
        req.extensions_mut().insert(ConnectInfo(self.remote));
        tower::Service::call(&mut self.router, req)
    }
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt;
    use serde_json::json;
    use uuid::Uuid;

    use super::*;
    use crate::bus::Topic;

    fn event(id: &str) -> BusEvent {
        BusEvent {
            topic: Topic::BoardTasks(Uuid::nil()),
            organization_id: Uuid::nil(),
            name: "task".to_owned(),
            id: id.to_owned(),
            is_comment: false,
            data: json!({}),
        }
    }

    fn held(bus: &EventBus, ids: &[&str], connection: Option<AfterFlush>) -> Held {
        Held {
            events: ids.iter().map(|id| event(id)).collect(),
            bus: bus.clone(),
            connection,
        }
    }

    #[tokio::test]
    async fn a_connection_releases_after_its_next_flush_or_when_it_closes() {
        let bus = EventBus::memory();
        let mut rx = bus.subscribe();
        let connection = AfterFlush::default();
        held(&bus, &["1", "2"], Some(connection.clone())).release();
        assert!(rx.try_recv().is_err(), "nothing before the flush");
        connection.flushed();
        assert_eq!(rx.try_recv().unwrap().id, "1");
        assert_eq!(rx.try_recv().unwrap().id, "2");

        held(&bus, &["3"], Some(connection.clone())).release();
        connection.close();
        assert_eq!(rx.try_recv().unwrap().id, "3");
        held(&bus, &["4"], Some(connection)).release();
        assert_eq!(rx.try_recv().unwrap().id, "4", "a closed connection holds nothing");
    }

    #[tokio::test]
    async fn without_a_connection_a_body_releases_when_it_ends_or_is_dropped() {
        let bus = EventBus::memory();
        let mut rx = bus.subscribe();
        let body = ReleaseWhenDone {
            inner: Body::from("done"),
            held: Some(held(&bus, &["1"], None)),
        };
        assert!(rx.try_recv().is_err());
        let bytes = body.collect().await.unwrap().to_bytes();
        assert_eq!(bytes, "done");
        assert_eq!(rx.try_recv().unwrap().id, "1");

        let unread = ReleaseWhenDone {
            inner: Body::from("never read"),
            held: Some(held(&bus, &["2"], None)),
        };
        drop(unread);
        assert_eq!(rx.try_recv().unwrap().id, "2", "a client gone early loses nothing");
    }
}
