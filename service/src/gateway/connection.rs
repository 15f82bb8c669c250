//! One WebSocket connection to a gateway: the challenge, the `connect` handshake with this
//! service's device identity, then requests answered in order. Every step has a deadline;
//! events the gateway pushes are skipped.

use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::device::{DeviceIdentity, SignedConnect};
use super::frames::{self, GatewayError, Hello, Incoming, MAX_PROTOCOL, MIN_PROTOCOL};
use super::tls;

/// Where a gateway is and how to reach it. `Debug` leaves the token out.
#[derive(Clone)]
pub struct GatewayTarget {
    pub url: String,
    pub token: Option<String>,
    pub disable_device_pairing: bool,
    pub allow_insecure_tls: bool,
}

impl std::fmt::Debug for GatewayTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayTarget")
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

pub const SCOPES: &[&str] = &[
    "operator.read",
    "operator.admin",
    "operator.approvals",
    "operator.pairing",
];
const ROLE: &str = "operator";
/// How long to wait for the challenge the gateway sends on open.
const CHALLENGE_WAIT: Duration = Duration::from_secs(2);

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// An open, authenticated connection.
pub struct Connection {
    ws: WebSocketStream<Box<dyn Io>>,
    pub hello: Hello,
    next_id: u64,
}

fn io_error(e: &std::io::Error) -> GatewayError {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => GatewayError::Transient("connection refused".into()),
        std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted => {
            GatewayError::Transient("connection reset".into())
        }
        _ => GatewayError::Unreachable(format!(
            "could not connect: {}",
            e.to_string().chars().take(160).collect::<String>()
        )),
    }
}

fn ws_error(e: &tokio_tungstenite::tungstenite::Error) -> GatewayError {
    use tokio_tungstenite::tungstenite::Error as E;
    match e {
        E::Io(io) => io_error(io),
        E::ConnectionClosed | E::AlreadyClosed => frames::closed(None, ""),
        // A gateway that is restarting answers the upgrade with 503 for a moment.
        E::Http(res) if res.status().as_u16() == 503 => {
            GatewayError::Transient("WebSocket upgrade refused (503): gateway restarting".into())
        }
        E::Http(res) => GatewayError::Unreachable(format!("WebSocket upgrade refused ({})", res.status())),
        E::Capacity(_) => GatewayError::Protocol("a frame is larger than allowed".into()),
        E::Tls(_) => GatewayError::Unreachable("TLS handshake failed".into()),
        E::Url(_) => GatewayError::Unreachable("the gateway URL is not usable".into()),
        other => GatewayError::Protocol(other.to_string().chars().take(200).collect()),
    }
}

/// `ws`/`wss` (or `http`/`https`, which gateways also answer), host and port.
fn endpoint(raw: &str) -> Result<(url::Url, bool, String, u16), GatewayError> {
    let mut url =
        url::Url::parse(raw.trim()).map_err(|_| GatewayError::Unreachable("the gateway URL is not usable".into()))?;
    let tls = match url.scheme() {
        "ws" | "http" => false,
        "wss" | "https" => true,
        _ => {
            return Err(GatewayError::Unreachable(
                "the gateway URL must be ws:// or wss://".into(),
            ));
        }
    };
    let scheme = if tls { "wss" } else { "ws" };
    url.set_scheme(scheme)
        .map_err(|()| GatewayError::Unreachable("the gateway URL is not usable".into()))?;
    let host = url
        .host_str()
        .ok_or_else(|| GatewayError::Unreachable("the gateway URL has no host".into()))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = url.port_or_known_default().unwrap_or(if tls { 443 } else { 80 });
    Ok((url, tls, host, port))
}

impl Connection {
    /// Opens and authenticates a connection; everything before `deadline`.
    pub async fn open(
        target: &GatewayTarget,
        identity: &DeviceIdentity,
        connect_timeout: Duration,
        deadline: Instant,
    ) -> Result<Self, GatewayError> {
        let secs = deadline.saturating_duration_since(Instant::now()).as_secs().max(1);
        let (url, tls, host, port) = endpoint(&target.url)?;
        let connect_by = deadline.min(Instant::now() + connect_timeout);
        let tcp = timeout_at(connect_by, TcpStream::connect((host.as_str(), port)))
            .await
            .map_err(|_| GatewayError::Timeout(connect_timeout.as_secs().max(1)))?
            .map_err(|e| io_error(&e))?;
        let _ = tcp.set_nodelay(true);
        let stream: Box<dyn Io> = if tls {
            let config = tls::client_config(target.allow_insecure_tls)?;
            let name = rustls::pki_types::ServerName::try_from(host.clone())
                .map_err(|_| GatewayError::Unreachable("the gateway host is not a valid TLS name".into()))?;
            let tls_stream = timeout_at(
                connect_by,
                tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp),
            )
            .await
            .map_err(|_| GatewayError::Timeout(connect_timeout.as_secs().max(1)))?
            .map_err(|_| GatewayError::Unreachable("TLS handshake failed".into()))?;
            Box::new(tls_stream)
        } else {
            Box::new(tcp)
        };
        let mut request = url
            .as_str()
            .into_client_request()
            .map_err(|_| GatewayError::Unreachable("the gateway URL is not usable".into()))?;
        if target.disable_device_pairing {
            // The control-UI path the gateway allows without a device wants its own origin.
            let origin = format!("{}://{}", if tls { "https" } else { "http" }, url.authority());
            if let Ok(v) = origin.parse() {
                request.headers_mut().insert(http::header::ORIGIN, v);
            }
        }
        let (ws, _) = timeout_at(
            deadline,
            tokio_tungstenite::client_async_with_config(request, stream, None),
        )
        .await
        .map_err(|_| GatewayError::Timeout(secs))?
        .map_err(|e| ws_error(&e))?;
        let mut conn = Self {
            ws,
            hello: Hello {
                protocol: 0,
                server_version: None,
                methods: Vec::new(),
                events: Vec::new(),
            },
            next_id: 0,
        };
        let nonce = conn.challenge(deadline.min(Instant::now() + CHALLENGE_WAIT)).await?;
        let params = connect_params(target, identity, nonce.as_deref());
        let payload = conn.request("connect", params, deadline).await?;
        conn.hello = frames::hello(&payload)?;
        Ok(conn)
    }

    /// The nonce of the `connect.challenge` the gateway sends on open (`None` if it sent none
    /// in time).
    async fn challenge(&mut self, by: Instant) -> Result<Option<String>, GatewayError> {
        loop {
            match timeout_at(by, self.next_text()).await {
                Err(_) => return Ok(None),
                Ok(text) => {
                    if let Incoming::Event { event, payload } = frames::parse(&text?)?
                        && event == "connect.challenge"
                    {
                        return Ok(payload.get("nonce").and_then(Value::as_str).map(str::to_owned));
                    }
                }
            }
        }
    }

    async fn next_text(&mut self) -> Result<String, GatewayError> {
        loop {
            match self.ws.next().await {
                None => return Err(frames::closed(None, "")),
                Some(Err(e)) => return Err(ws_error(&e)),
                Some(Ok(Message::Text(t))) => return Ok(t.to_string()),
                Some(Ok(Message::Close(frame))) => {
                    return Err(match frame {
                        Some(f) => frames::closed(Some(u16::from(f.code)), &f.reason),
                        None => frames::closed(None, ""),
                    });
                }
                Some(Ok(Message::Binary(_))) => return Err(GatewayError::Protocol("a binary frame".into())),
                Some(Ok(_)) => {} // ping/pong are answered by the library
            }
        }
    }

    async fn request(&mut self, method: &str, params: Value, deadline: Instant) -> Result<Value, GatewayError> {
        let secs = deadline.saturating_duration_since(Instant::now()).as_secs().max(1);
        self.next_id += 1;
        let id = format!("mc-{}", self.next_id);
        let work = async {
            self.ws
                .send(Message::text(frames::request(&id, method, params)))
                .await
                .map_err(|e| ws_error(&e))?;
            loop {
                if let Incoming::Response { id: got, result } = frames::parse(&self.next_text().await?)?
                    && got == id
                {
                    return result;
                }
            }
        };
        timeout_at(deadline, work)
            .await
            .map_err(|_| GatewayError::Timeout(secs))?
    }

    /// One request, answered within `timeout`.
    pub async fn call(&mut self, method: &str, params: Value, timeout: Duration) -> Result<Value, GatewayError> {
        self.request(method, params, Instant::now() + timeout).await
    }

    pub async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_millis(200), self.ws.close(None)).await;
    }
}

fn connect_params(target: &GatewayTarget, identity: &DeviceIdentity, nonce: Option<&str>) -> Value {
    let token = target.token.as_deref().unwrap_or_default();
    let version = env!("CARGO_PKG_VERSION");
    let mut params = json!({
        "minProtocol": MIN_PROTOCOL,
        "maxProtocol": MAX_PROTOCOL,
        "role": ROLE,
        "scopes": SCOPES,
        "locale": "en-US",
        "userAgent": format!("mission-control/{version}"),
    });
    if let Some(t) = target.token.as_deref().filter(|t| !t.is_empty()) {
        params["auth"] = json!({ "token": t });
    }
    if target.disable_device_pairing {
        params["client"] = json!({"id": "openclaw-control-ui", "version": version, "platform": "linux", "mode": "ui"});
        return params;
    }
    let (client_id, mode) = ("gateway-client", "backend");
    params["client"] = json!({"id": client_id, "version": version, "platform": "linux", "mode": mode});
    let signed_at_ms = chrono::Utc::now().timestamp_millis();
    let nonce = nonce.unwrap_or_default();
    let signature = identity.sign(
        &SignedConnect {
            device_id: identity.id(),
            client_id,
            client_mode: mode,
            role: ROLE,
            scopes: SCOPES,
            signed_at_ms,
            token,
            nonce,
        }
        .text(),
    );
    params["device"] = json!({
        "id": identity.id(),
        "publicKey": identity.public_key(),
        "signature": signature,
        "signedAt": signed_at_ms,
        "nonce": nonce,
    });
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_accept_ws_and_http_forms() {
        let (u, tls, host, port) = endpoint("http://127.0.0.1:18789").unwrap();
        assert_eq!(
            (u.scheme(), tls, host.as_str(), port),
            ("ws", false, "127.0.0.1", 18789)
        );
        let (u, tls, _, port) = endpoint("wss://gw.example/x").unwrap();
        assert_eq!((u.scheme(), tls, port), ("wss", true, 443));
        assert_eq!(endpoint("ws://[::1]:9").unwrap().2, "::1");
        assert!(endpoint("ftp://x").is_err());
        assert!(endpoint("nope").is_err());
    }

    #[test]
    fn connect_params_carry_the_device_but_never_a_debug_token() {
        let identity = DeviceIdentity::from_seed(&[3u8; 32]).unwrap();
        let target = GatewayTarget {
            url: "ws://127.0.0.1:1".into(),
            token: Some("sekret-token".into()),
            disable_device_pairing: false,
            allow_insecure_tls: false,
        };
        let p = connect_params(&target, &identity, Some("n1"));
        assert_eq!(p["minProtocol"], 3);
        assert_eq!(p["maxProtocol"], 4);
        assert_eq!(p["auth"]["token"], "sekret-token");
        assert_eq!(p["device"]["id"], identity.id());
        assert_eq!(p["device"]["nonce"], "n1");
        assert!(!format!("{target:?}").contains("sekret"));
        let ui = connect_params(
            &GatewayTarget {
                disable_device_pairing: true,
                ..target
            },
            &identity,
            None,
        );
        assert!(ui.get("device").is_none());
        assert_eq!(ui["client"]["mode"], "ui");
    }
}
