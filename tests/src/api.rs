//! Talking HTTP to a running service: requests as the local user, as another user or as an
//! agent; the `ok` assertion (status 200, the JSON body back); fixtures made through the API.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::{Service, TOKEN};

/// Installs the rustls provider reqwest needs; call at the start of each test.
pub fn init() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

pub fn client() -> reqwest::Client {
    init();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client")
}

/// Status and JSON body of a response (`Null` when the body is empty or not JSON).
pub async fn json_of(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The `id` of a JSON object, as a string.
pub fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_owned()
}

/// The items of a page (or of a plain array).
pub fn items(v: &Value) -> &[Value] {
    v.get("items")
        .unwrap_or(v)
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_else(|| panic!("not a list: {v}"))
}

impl Service {
    /// A request with the local user's bearer token.
    pub fn user(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, self.url(path)).bearer_auth(TOKEN)
    }

    /// A request with an agent token.
    pub fn agent(&self, method: Method, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.http.request(method, self.url(path)).header("X-Agent-Token", token)
    }

    /// Sends a user request and returns status and JSON body (`Null` when empty).
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        send(self.user(method, path), body).await
    }

    /// A request with an explicit bearer token (another user).
    pub async fn call_as(&self, token: &str, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        send(self.http.request(method, self.url(path)).bearer_auth(token), body).await
    }

    /// A request with an agent token.
    pub async fn call_as_agent(&self, token: &str, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        send(self.agent(method, path, token), body).await
    }

    /// A user request that must answer 200; its JSON body.
    pub async fn ok(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, value) = self.call(method.clone(), path, body).await;
        assert_eq!(status, 200, "{method} {path}: {value}");
        value
    }

    /// A request of another user that must answer 200; its JSON body.
    pub async fn ok_as(&self, token: &str, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, value) = self.call_as(token, method.clone(), path, body).await;
        assert_eq!(status, 200, "{method} {path}: {value}");
        value
    }

    /// An agent request that must answer 200; its JSON body.
    pub async fn ok_as_agent(&self, token: &str, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, value) = self.call_as_agent(token, method.clone(), path, body).await;
        assert_eq!(status, 200, "{method} {path}: {value}");
        value
    }

    /// Creates a board and returns its JSON.
    pub async fn create_board(&self, name: &str) -> Value {
        let body = json!({"name": name, "slug": name.to_lowercase(), "description": format!("{name} board")});
        self.ok(Method::POST, "/api/v1/boards", Some(body)).await
    }

    /// Creates a board with rules (a PATCH of the new board) and returns its id.
    pub async fn board_with(&self, name: &str, rules: Value) -> String {
        let bid = id(&self.create_board(name).await);
        self.ok(Method::PATCH, &format!("/api/v1/boards/{bid}"), Some(rules))
            .await;
        bid
    }

    /// Creates a task on a board and returns its JSON.
    pub async fn create_task(&self, board_id: &str, body: Value) -> Value {
        self.ok(Method::POST, &format!("/api/v1/boards/{board_id}/tasks"), Some(body))
            .await
    }

    /// Creates an agent on a board and issues its token.
    pub async fn create_agent(&self, board_id: &str, name: &str) -> (Value, String) {
        let agent = self
            .ok(
                Method::POST,
                "/api/v1/agents",
                Some(json!({"name": name, "board_id": board_id})),
            )
            .await;
        let token = self
            .ok(Method::POST, &format!("/api/v1/agents/{}/token", id(&agent)), None)
            .await;
        (agent, token["token"].as_str().expect("token").to_owned())
    }
}

async fn send(mut req: reqwest::RequestBuilder, body: Option<Value>) -> (u16, Value) {
    if let Some(b) = body {
        req = req.json(&b);
    }
    json_of(req.send().await.expect("request")).await
}

/// Polls `f` until it returns `Some` or the timeout passes.
pub async fn eventually<T, F, Fut>(timeout: Duration, mut f: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + timeout;
    loop {
        if let Some(v) = f().await {
            return Some(v);
        }
        if std::time::Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
