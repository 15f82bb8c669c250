//! A protocol-faithful stand-in for an OpenClaw gateway (the surface measured against real
//! releases: the challenge, `connect` with token and Ed25519 device checks, the agent, file,
//! session, chat and config methods with their real error texts, and the restart a config
//! change causes), plus what a real gateway cannot be made to do on demand: close with 1012
//! in the middle of a call, stay silent, send garbage, speak another protocol.
//! Real releases are exercised by `tests/system/real_gateway/`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures::{SinkExt, StreamExt};
use ring::signature::{ED25519, UnparsedPublicKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// How the double misbehaves, switchable while it runs.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Accept the socket and never send a frame.
    pub silent: bool,
    /// Send this text instead of the challenge.
    pub garbage: Option<String>,
    /// Close with 1012 when this method is called, this many times.
    pub close_on: Option<(String, usize)>,
    /// Never answer this method.
    pub hang_on: Option<String>,
    /// Fail this method with this message, always.
    pub fail: Option<(String, String)>,
}

#[derive(Debug, Clone, Default)]
pub struct AgentState {
    pub name: String,
    pub workspace: String,
    pub files: BTreeMap<String, String>,
}

#[derive(Debug, Default)]
pub struct State {
    pub protocol: u64,
    pub version: Option<String>,
    /// What `config.get` reports as `meta.lastTouchedVersion` (the version fallback).
    pub meta_version: Option<String>,
    pub token: String,
    pub faults: Faults,
    pub agents: BTreeMap<String, AgentState>,
    /// session key → (label, messages)
    pub sessions: BTreeMap<String, (Option<String>, Vec<Value>)>,
    pub config: Value,
    pub config_version: u64,
    /// Every request after the handshake: (method, params).
    pub calls: Vec<(String, Value)>,
    pub connects: usize,
    pub restarts: usize,
    /// Connections turned away while restarting.
    pub refused: usize,
    /// How long after a configuration change the restart comes (a real one: about 2 s).
    pub restart_delay_ms: u64,
    pub refuse_until: Option<std::time::Instant>,
    pub device_ids: Vec<String>,
}

/// The shared token the doubles made by [`GatewayDouble::current`] expect.
pub const DOUBLE_TOKEN: &str = "double-gateway-token";

pub struct GatewayDouble {
    pub url: String,
    pub state: Arc<Mutex<State>>,
    shutdown: broadcast::Sender<()>,
}

const FILES: &[&str] = &[
    "AGENTS.md",
    "SOUL.md",
    "TOOLS.md",
    "IDENTITY.md",
    "USER.md",
    "HEARTBEAT.md",
    "BOOTSTRAP.md",
    "MEMORY.md",
];

fn err(code: &str, message: &str) -> Value {
    json!({"code": "INVALID_REQUEST", "message": message, "details": {"code": code}})
}

fn slug(name: &str) -> String {
    name.trim()
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

impl GatewayDouble {
    /// A double speaking `protocol` (3 or 4) and reporting `version`, with `token` as its
    /// shared token.
    pub async fn start(protocol: u64, version: &str, token: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the gateway double");
        let url = format!("ws://{}", listener.local_addr().expect("address"));
        let state = Arc::new(Mutex::new(State {
            protocol,
            version: Some(version.to_owned()),
            token: token.to_owned(),
            config: json!({"agents": {"list": [{"id": "main"}]}}),
            restart_delay_ms: 0,
            ..State::default()
        }));
        let (shutdown, _) = broadcast::channel(4);
        let (st, tx) = (Arc::clone(&state), shutdown.clone());
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                tokio::spawn(serve(tcp, Arc::clone(&st), tx.clone()));
            }
        });
        Self { url, state, shutdown }
    }

    /// A double of a current release (protocol 4, 2026.9.6).
    pub async fn current() -> Self {
        Self::start(4, "2026.9.6", DOUBLE_TOKEN).await
    }

    /// A double of an older release (protocol 3, 2026.4.2).
    pub async fn protocol3() -> Self {
        Self::start(3, "2026.4.2", DOUBLE_TOKEN).await
    }

    /// A `GatewayCreate` body for this double.
    pub fn create_body(&self, name: &str) -> Value {
        json!({"name": name, "url": self.url, "token": self.with(|s| s.token.clone()), "workspace_root": "/srv/agents"})
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.lock().expect("double state"))
    }

    pub fn calls_of(&self, method: &str) -> Vec<Value> {
        self.with(|s| {
            s.calls
                .iter()
                .filter(|(m, _)| m == method)
                .map(|(_, p)| p.clone())
                .collect()
        })
    }

    pub fn file(&self, agent: &str, name: &str) -> Option<String> {
        self.with(|s| s.agents.get(agent).and_then(|a| a.files.get(name).cloned()))
    }

    pub fn history(&self, session: &str) -> Vec<Value> {
        self.with(|s| s.sessions.get(session).map(|(_, m)| m.clone()).unwrap_or_default())
    }

    /// Closes every open socket with 1012, as a restarting gateway does.
    pub fn restart(&self) {
        self.with(|s| {
            s.restarts += 1;
            s.refuse_until = Some(std::time::Instant::now() + Duration::from_millis(300));
        });
        let _ = self.shutdown.send(());
    }
}

async fn close_1012(ws: &mut tokio_tungstenite::WebSocketStream<TcpStream>) {
    let _ = ws
        .send(Message::text(
            json!({"type":"event","event":"shutdown","payload":{"reason":"gateway restarting","restartExpectedMs":300}})
                .to_string(),
        ))
        .await;
    let _ = ws
        .close(Some(CloseFrame {
            code: CloseCode::Restart,
            reason: "service restart".into(),
        }))
        .await;
}

async fn serve(tcp: TcpStream, state: Arc<Mutex<State>>, shutdown: broadcast::Sender<()>) {
    let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
        return;
    };
    let mut restarts = shutdown.subscribe();
    let (faults, refusing) = {
        let mut s = state.lock().expect("state");
        let refusing = s.refuse_until.is_some_and(|t| t > std::time::Instant::now());
        if refusing {
            s.refused += 1;
        }
        (s.faults.clone(), refusing)
    };
    if refusing {
        close_1012(&mut ws).await;
        return;
    }
    if faults.silent {
        let _ = restarts.recv().await;
        return;
    }
    if let Some(garbage) = faults.garbage {
        let _ = ws.send(Message::text(garbage)).await;
        let _ = ws.next().await;
        return;
    }
    let nonce = uuid::Uuid::new_v4().to_string();
    let challenge = json!({"type":"event","event":"connect.challenge","payload":{"nonce": nonce, "ts": 0}});
    if ws.send(Message::text(challenge.to_string())).await.is_err() {
        return;
    }
    let mut connected = false;
    loop {
        let frame = tokio::select! {
            f = ws.next() => f,
            _ = restarts.recv() => { close_1012(&mut ws).await; return; }
        };
        let Some(Ok(Message::Text(text))) = frame else { return };
        let Ok(req) = serde_json::from_str::<Value>(&text) else {
            return;
        };
        let id = req.get("id").cloned().unwrap_or(Value::Null);
        let method = req.get("method").and_then(Value::as_str).unwrap_or_default().to_owned();
        let params = req.get("params").cloned().unwrap_or(json!({}));
        if !connected {
            if method != "connect" {
                return;
            }
            match handshake(&state, &params, &nonce) {
                Ok(hello) => {
                    connected = true;
                    let _ = ws
                        .send(Message::text(
                            json!({"type":"res","id":id,"ok":true,"payload":hello}).to_string(),
                        ))
                        .await;
                }
                Err(e) => {
                    let _ = ws
                        .send(Message::text(
                            json!({"type":"res","id":id,"ok":false,"error":e}).to_string(),
                        ))
                        .await;
                    let _ = ws.close(None).await;
                    return;
                }
            }
            continue;
        }
        let (close_now, hang) = {
            let mut s = state.lock().expect("state");
            s.calls.push((method.clone(), params.clone()));
            let mut close_now = false;
            if let Some((m, n)) = &mut s.faults.close_on
                && *m == method
                && *n > 0
            {
                *n -= 1;
                close_now = true;
            }
            (close_now, s.faults.hang_on.as_deref() == Some(method.as_str()))
        };
        if close_now {
            close_1012(&mut ws).await;
            return;
        }
        if hang {
            let _ = restarts.recv().await;
            return;
        }
        let (answer, restart) = handle(&state, &method, &params);
        let frame = match answer {
            Ok(payload) => json!({"type":"res","id":id,"ok":true,"payload":payload}),
            Err(e) => json!({"type":"res","id":id,"ok":false,"error":e}),
        };
        if ws.send(Message::text(frame.to_string())).await.is_err() {
            return;
        }
        if restart {
            // As a real gateway: restart a moment after a configuration change.
            let tx = shutdown.clone();
            let st = Arc::clone(&state);
            let delay = state.lock().expect("state").restart_delay_ms;
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(delay)).await;
                {
                    let mut s = st.lock().expect("state");
                    s.restarts += 1;
                    s.refuse_until = Some(std::time::Instant::now() + Duration::from_millis(300));
                }
                let _ = tx.send(());
            });
        }
    }
}

fn handshake(state: &Mutex<State>, p: &Value, nonce: &str) -> Result<Value, Value> {
    let mut s = state.lock().expect("state");
    s.connects += 1;
    let min = p.get("minProtocol").and_then(Value::as_u64).unwrap_or(0);
    let max = p.get("maxProtocol").and_then(Value::as_u64).unwrap_or(0);
    if !(min..=max).contains(&s.protocol) {
        return Err(err("PROTOCOL_MISMATCH", "protocol mismatch"));
    }
    match p.pointer("/auth/token").and_then(Value::as_str) {
        None => return Err(err("AUTH_TOKEN_MISSING", "unauthorized: gateway token missing")),
        Some(t) if t != s.token => return Err(err("AUTH_TOKEN_MISMATCH", "unauthorized: gateway token mismatch")),
        Some(_) => {}
    }
    if let Some(device) = p.get("device") {
        let text = |k: &str| device.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
        let raw = URL_SAFE_NO_PAD.decode(text("publicKey")).unwrap_or_default();
        if hex::encode(Sha256::digest(&raw)) != text("id") {
            return Err(err("DEVICE_AUTH_DEVICE_ID_MISMATCH", "device identity mismatch"));
        }
        let client = |k: &str| {
            p.pointer(&format!("/client/{k}"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let scopes: Vec<&str> = p
            .get("scopes")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let signed = format!(
            "v2|{}|{}|{}|{}|{}|{}|{}|{}",
            text("id"),
            client("id"),
            client("mode"),
            p.get("role").and_then(Value::as_str).unwrap_or_default(),
            scopes.join(","),
            device.get("signedAt").and_then(Value::as_i64).unwrap_or_default(),
            s.token,
            nonce
        );
        let sig = URL_SAFE_NO_PAD.decode(text("signature")).unwrap_or_default();
        if text("nonce") != nonce
            || UnparsedPublicKey::new(&ED25519, &raw)
                .verify(signed.as_bytes(), &sig)
                .is_err()
        {
            return Err(err("DEVICE_AUTH_SIGNATURE_INVALID", "device signature invalid"));
        }
        let id = text("id");
        if !s.device_ids.contains(&id) {
            s.device_ids.push(id);
        }
    }
    let mut server = json!({"connId": uuid::Uuid::new_v4().to_string()});
    if let Some(v) = &s.version {
        server["version"] = json!(v);
    }
    Ok(json!({"type":"hello-ok","protocol":s.protocol,"server":server,
        "features":{"methods":["health","config.get","config.patch","agents.create","agents.update","agents.delete",
            "agents.files.list","agents.files.get","agents.files.set","sessions.list","sessions.patch","sessions.reset",
            "sessions.delete","chat.send","chat.history"],"events":["tick","chat","shutdown"]},
        "snapshot":{},"auth":{"role":"operator","scopes":p.get("scopes")},
        "policy":{"maxPayload":26214400,"maxBufferedBytes":52428800,"tickIntervalMs":30000}}))
}

fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

fn message(role: &str, text: &str) -> Value {
    json!({"role": role, "content": [{"type": "text", "text": text}], "timestamp": 0})
}

/// Answers one request; the flag says whether the gateway restarts after answering.
fn handle(state: &Mutex<State>, method: &str, p: &Value) -> (Result<Value, Value>, bool) {
    let mut s = state.lock().expect("state");
    if let Some((m, msg)) = &s.faults.fail
        && m == method
    {
        return (Err(json!({"code":"INVALID_REQUEST","message":msg})), false);
    }
    let str_of = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    let unknown_agent = |id: &str, proto: u64| {
        if proto >= 4 {
            json!({"code":"INVALID_REQUEST","message":format!("agent \"{id}\" not found")})
        } else {
            json!({"code":"INVALID_REQUEST","message":"unknown agent id"})
        }
    };
    let hash = format!("h{}", s.config_version);
    let answer = match method {
        "health" => Ok(json!({"ok": true, "ts": 0})),
        "config.get" => {
            let mut config = s.config.clone();
            if let Some(meta) = &s.meta_version {
                config["meta"] = json!({"lastTouchedVersion": meta});
            }
            Ok(json!({"hash": hash, "config": config}))
        }
        "config.patch" => {
            let raw: Value = serde_json::from_str(&str_of("raw")).unwrap_or(Value::Null);
            if s.protocol >= 4 && raw.pointer("/agents/list").is_some() {
                return (
                    Err(
                        json!({"code":"INVALID_REQUEST","message":"invalid config: agents: Unrecognized key: \"list\""}),
                    ),
                    false,
                );
            }
            if p.get("baseHash").and_then(Value::as_str) != Some(hash.as_str()) {
                return (
                    Err(
                        json!({"code":"INVALID_REQUEST","message":"config changed since last load; re-run config.get and retry"}),
                    ),
                    false,
                );
            }
            let before = s.config.clone();
            merge(&mut s.config, &raw);
            let changed = before != s.config;
            if changed {
                s.config_version += 1;
            }
            return (
                Ok(
                    json!({"ok": true, "restart": if changed { json!({"ok": true, "delayMs": 400}) } else { Value::Null }}),
                ),
                changed,
            );
        }
        "agents.create" => {
            let id = slug(&str_of("name"));
            if s.agents.contains_key(&id) {
                Err(json!({"code":"INVALID_REQUEST","message":format!("agent \"{id}\" already exists")}))
            } else {
                s.agents.insert(
                    id.clone(),
                    AgentState {
                        name: str_of("name"),
                        workspace: str_of("workspace"),
                        files: BTreeMap::new(),
                    },
                );
                if let Some(list) = s.config.pointer_mut("/agents/list").and_then(Value::as_array_mut) {
                    list.push(json!({"id": id, "name": str_of("name"), "workspace": str_of("workspace")}));
                }
                Ok(json!({"ok": true, "agentId": id, "name": str_of("name"), "workspace": str_of("workspace")}))
            }
        }
        "agents.update" => {
            let id = str_of("agentId");
            match s.agents.get_mut(&id) {
                Some(a) => {
                    a.workspace = str_of("workspace");
                    Ok(json!({"ok": true, "agentId": id}))
                }
                None => Err(json!({"code":"INVALID_REQUEST","message":format!("agent \"{id}\" not found")})),
            }
        }
        "agents.delete" => {
            let id = str_of("agentId");
            match s.agents.remove(&id) {
                Some(_) => Ok(json!({"ok": true, "agentId": id, "removedBindings": 0})),
                None => Err(json!({"code":"INVALID_REQUEST","message":format!("agent \"{id}\" not found")})),
            }
        }
        "agents.files.list" => {
            let id = str_of("agentId");
            let proto = s.protocol;
            match s.agents.get(&id) {
                Some(a) => Ok(
                    json!({"agentId": id, "workspace": a.workspace, "files": FILES.iter().map(|f| json!({"name": f, "path": format!("{}/{f}", a.workspace), "missing": !a.files.contains_key(*f)})).collect::<Vec<_>>()}),
                ),
                None => Err(unknown_agent(&id, proto)),
            }
        }
        "agents.files.get" | "agents.files.set" => {
            let (id, name) = (str_of("agentId"), str_of("name"));
            let proto = s.protocol;
            let refused =
                !FILES.contains(&name.as_str()) || (proto >= 4 && (name == "TOOLS.md" || name == "HEARTBEAT.md"));
            match s.agents.get_mut(&id) {
                None => Err(unknown_agent(&id, proto)),
                Some(_) if refused => {
                    Err(json!({"code":"INVALID_REQUEST","message":format!("unsupported file \"{name}\"")}))
                }
                Some(a) if method == "agents.files.set" => {
                    a.files.insert(name.clone(), str_of("content"));
                    Ok(
                        json!({"ok": true, "agentId": id, "workspace": a.workspace, "file": {"name": name, "missing": false, "content": str_of("content")}}),
                    )
                }
                Some(a) => {
                    let content = a.files.get(&name).cloned();
                    Ok(
                        json!({"agentId": id, "workspace": a.workspace, "file": {"name": name, "missing": content.is_none(), "content": content.unwrap_or_default()}}),
                    )
                }
            }
        }
        "sessions.list" => Ok(
            json!({"count": s.sessions.len(), "sessions": s.sessions.iter().map(|(k, (label, m))| json!({"key": k, "label": label, "sessionId": k, "updatedAt": m.len()})).collect::<Vec<_>>()}),
        ),
        "sessions.patch" | "sessions.reset" => {
            let key = str_of("key");
            let entry = s.sessions.entry(key.clone()).or_default();
            if let Some(l) = p.get("label").and_then(Value::as_str) {
                entry.0 = Some(l.to_owned());
            }
            if method == "sessions.reset" {
                entry.1.clear();
            }
            Ok(json!({"ok": true, "key": key, "entry": {"sessionId": key, "label": entry.0}}))
        }
        "sessions.delete" => {
            let key = str_of("key");
            let deleted = s.sessions.remove(&key).is_some();
            Ok(json!({"ok": true, "key": key, "deleted": deleted, "archived": []}))
        }
        "chat.send" => {
            let key = p.get("idempotencyKey").and_then(Value::as_str).map(str::to_owned);
            match key {
                None => Err(
                    json!({"code":"INVALID_REQUEST","message":"invalid chat.send params: must have required property 'idempotencyKey'"}),
                ),
                Some(run) => {
                    let session = str_of("sessionKey");
                    let entry = s.sessions.entry(session).or_default();
                    let mut m = message("user", &str_of("message"));
                    m["__runId"] = json!(run);
                    if !entry.1.iter().any(|x| x.get("__runId") == Some(&json!(run))) {
                        entry.1.push(m);
                        entry
                            .1
                            .push(message("assistant", "Agent failed before reply: no model configured."));
                    }
                    Ok(json!({"runId": run, "status": "started"}))
                }
            }
        }
        "chat.history" => {
            let key = str_of("sessionKey");
            let messages = s.sessions.get(&key).map(|(_, m)| m.clone()).unwrap_or_default();
            Ok(json!({"sessionKey": key, "messages": messages}))
        }
        other => Err(json!({"code":"INVALID_REQUEST","message":format!("unknown method: {other}")})),
    };
    (answer, false)
}
