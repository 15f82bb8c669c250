//! Who may call what: `access_table.json` (our copy of the reference's access table, with our
//! deliberate differences marked) walked operation by operation with no credentials, an
//! agent token, a plain member's token and an organization owner's token; every operation in
//! `/openapi.json` must be in the table. SQLite only: access is decided above the store, and
//! the walk is long.
//!
//! Also here: a bad query value names its parameter (on SQLite: no store is reached), and a request to a route open to users
//! and agents spends one unit of the agent-auth budget, not two.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::idp::Idp;
use system_tests::souls::FakeSoulsDirectory;
use system_tests::{Backend, Deployment, Launch, id, json_of};

const TABLE: &str = include_str!("access_table.json");

/// The callers of the walk and the ids its paths are filled with.
struct Walk {
    svc: Deployment,
    owner: String,
    member: String,
    agent_token: String,
    ids: Vec<(&'static str, String)>,
    _idp: Idp,
    _gateway: system_tests::gateway_double::GatewayDouble,
}

impl Walk {
    async fn start() -> Self {
        let idp = Idp::start().await;
        let souls = FakeSoulsDirectory::start().await;
        let launch = idp
            .configure(Launch::new())
            .env("RATE_LIMIT_AGENT_AUTH_REQUESTS", "100000")
            .env("SOULS_DIRECTORY_BASE_URL", souls.base_url.clone());
        let svc = Backend::Sqlite.start_with(launch).await;
        let owner = idp.token("user_owner", "owner@example.test");
        let member = idp.token("user_member", "member@example.test");
        for t in [&owner, &member] {
            svc.ok_as(t, Method::POST, "/api/v1/auth/bootstrap", None).await;
        }
        let post = |path: &'static str, body: Value| {
            let svc = &svc;
            let owner = &owner;
            async move { svc.ok_as(owner, Method::POST, path, Some(body)).await }
        };
        let board = post(
            "/api/v1/boards",
            json!({"name": "Walk", "slug": "walk", "description": "d"}),
        )
        .await;
        let board_id = id(&board);
        let task = svc
            .ok_as(
                &owner,
                Method::POST,
                &format!("/api/v1/boards/{board_id}/tasks"),
                Some(json!({"title": "walk"})),
            )
            .await;
        let agent = post("/api/v1/agents", json!({"name": "walker", "board_id": board_id})).await;
        let agent_token = svc
            .ok_as(
                &owner,
                Method::POST,
                &format!("/api/v1/agents/{}/token", id(&agent)),
                None,
            )
            .await["token"]
            .as_str()
            .unwrap()
            .to_owned();
        // A second agent for the rows that rotate or delete one.
        let spare = post("/api/v1/agents", json!({"name": "spare", "board_id": board_id})).await;
        let double = system_tests::gateway_double::GatewayDouble::current().await;
        let gateway = post("/api/v1/gateways", double.create_body("gw")).await;
        let tag = post("/api/v1/tags", json!({"name": "walk"})).await;
        let group = post("/api/v1/board-groups", json!({"name": "Walk", "slug": "walk"})).await;
        let field = post(
            "/api/v1/organizations/me/custom-fields",
            json!({"field_key": "walk", "board_ids": [board_id]}),
        )
        .await;
        let invite = post(
            "/api/v1/organizations/me/invites",
            json!({"invited_email": "member@example.test", "role": "member", "board_access": [{"board_id": board_id, "can_read": true}]}),
        )
        .await;
        svc.ok_as(
            &member,
            Method::POST,
            "/api/v1/organizations/invites/accept",
            Some(json!({"token": invite["token"]})),
        )
        .await;
        let membership = svc
            .ok_as(&member, Method::GET, "/api/v1/organizations/me/member", None)
            .await;
        assert_eq!(membership["role"], "member", "{membership}");
        // An invite still pending, for the revoke row.
        let pending = post(
            "/api/v1/organizations/me/invites",
            json!({"invited_email": "dave@example.test"}),
        )
        .await;
        // A webhook with one received payload, for the webhook rows.
        let hook = svc
            .ok_as(
                &owner,
                Method::POST,
                &format!("/api/v1/boards/{board_id}/webhooks"),
                Some(json!({"description": "walk"})),
            )
            .await;
        let received = svc
            .http
            .post(svc.url(&format!("/api/v1/boards/{board_id}/webhooks/{}", id(&hook))))
            .body("{}")
            .send()
            .await
            .unwrap();
        let (_, received) = json_of(received).await;
        let ids = vec![
            ("{board_id}", board_id),
            ("{webhook_id}", id(&hook)),
            ("{payload_id}", received["payload_id"].as_str().unwrap().to_owned()),
            ("{task_id}", id(&task)),
            ("{agent_id}", id(&spare)),
            ("{gateway_id}", id(&gateway)),
            ("{gateway_url}", double.url.clone()),
            ("{gateway_token}", system_tests::gateway_double::DOUBLE_TOKEN.to_owned()),
            ("{session_id}", format!("agent:mc-gateway-{}:main", id(&gateway))),
            ("{tag_id}", id(&tag)),
            ("{group_id}", id(&group)),
            ("{task_custom_field_definition_id}", id(&field)),
            ("{invite_id}", id(&pending)),
            ("{member_id}", id(&membership)),
            ("{approval_id}", uuid::Uuid::new_v4().to_string()),
        ];
        Self {
            svc,
            owner,
            member,
            agent_token,
            ids,
            _idp: idp,
            _gateway: double,
        }
    }

    fn fill(&self, template: &str) -> String {
        self.ids
            .iter()
            .fold(template.to_owned(), |s, (name, value)| s.replace(name, value))
    }

    fn fill_body(&self, body: &Value) -> Value {
        serde_json::from_str(&self.fill(&body.to_string())).unwrap()
    }

    /// The status of one call; the body is not read (streams stay open).
    async fn status(&self, row: &Value, who: Who) -> u16 {
        let method = Method::from_bytes(row["method"].as_str().unwrap().as_bytes()).unwrap();
        let mut req = self
            .svc
            .http
            .request(method, self.svc.url(&self.fill(row["path"].as_str().unwrap())));
        req = match who {
            Who::Nobody => req,
            Who::Agent => req.header("X-Agent-Token", &self.agent_token),
            Who::Member => req.bearer_auth(&self.member),
            Who::Owner => req.bearer_auth(&self.owner),
        };
        if matches!(who, Who::Member | Who::Owner)
            && let Some(body) = row.get("body")
        {
            req = req.json(&self.fill_body(body));
        }
        req.send().await.unwrap().status().as_u16()
    }
}

#[derive(Debug, Clone, Copy)]
enum Who {
    Nobody,
    Agent,
    Member,
    Owner,
}

fn operations() -> Vec<Value> {
    let table: Value = serde_json::from_str(TABLE).unwrap();
    table["operations"].as_array().unwrap().clone()
}

fn key(row: &Value) -> String {
    format!("{} {}", row["method"].as_str().unwrap(), row["path"].as_str().unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_operation_answers_the_callers_its_table_row_names() {
    let w = Walk::start().await;

    // The table covers the document exactly.
    let (_, doc) = json_of(w.svc.http.get(w.svc.url("/openapi.json")).send().await.unwrap()).await;
    let mut served = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            served.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    let rows = operations();
    let listed: BTreeSet<String> = rows.iter().map(key).collect();
    assert_eq!(listed.len(), rows.len(), "an operation is listed twice");
    let missing: Vec<_> = served.difference(&listed).collect();
    assert!(missing.is_empty(), "served but not in access_table.json: {missing:?}");
    let extra: Vec<_> = listed.difference(&served).collect();
    assert!(extra.is_empty(), "in access_table.json but not served: {extra:?}");

    // Refusals first: nothing is written by them, and the fixtures stay as they are.
    let mut wrong = Vec::new();
    for row in &rows {
        let auth = row["auth"].as_str().unwrap();
        let nobody = w.status(row, Who::Nobody).await;
        let agent = w.status(row, Who::Agent).await;
        let expected_401 = auth != "none";
        if (nobody == 401) != expected_401 {
            wrong.push(format!("{} without credentials: {nobody}", key(row)));
        }
        let agent_refused = matches!(auth, "user" | "admin");
        if (agent == 401) != agent_refused {
            wrong.push(format!("{} as an agent: {agent}", key(row)));
        }
        match auth {
            "admin" => {
                let member = w.status(row, Who::Member).await;
                if member != 403 {
                    wrong.push(format!("{} as a plain member: {member} (403 expected)", key(row)));
                }
            }
            "agent" => {
                let user = w.status(row, Who::Owner).await;
                if user != 401 {
                    wrong.push(format!(
                        "{} with a user's bearer token: {user} (401 expected)",
                        key(row)
                    ));
                }
            }
            _ => {}
        }
    }
    // Then the owner, whose writes and deletes run in the table's order.
    for row in &rows {
        let auth = row["auth"].as_str().unwrap();
        if matches!(auth, "user" | "admin" | "either") {
            let owner = w.status(row, Who::Owner).await;
            if owner == 401 || owner >= 500 {
                wrong.push(format!("{} as the owner: {owner}", key(row)));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "access differs from access_table.json:\n{}",
        wrong.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_query_value_names_its_parameter() {
    let svc = Backend::Sqlite.start().await;
    let board = id(&svc.create_board("Loc").await);
    for (path, param) in [
        ("/api/v1/activity/task-comments?board_id=xyz".to_owned(), "board_id"),
        ("/api/v1/agents?board_id=xyz".to_owned(), "board_id"),
        (
            format!("/api/v1/boards/{board}/tasks?assigned_agent_id=xyz"),
            "assigned_agent_id",
        ),
        ("/api/v1/tags?limit=ten".to_owned(), "limit"),
        ("/api/v1/tags?offset=2147483648".to_owned(), "offset"),
    ] {
        let (status, body) = svc.call(Method::GET, &path, None).await;
        assert_eq!(status, 422, "{path}: {body}");
        assert_eq!(body["detail"][0]["loc"], json!(["query", param]), "{path}: {body}");
        assert!(body["request_id"].is_string(), "{body}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_route_open_to_users_and_agents_spends_one_agent_auth_unit_per_request() {
    let svc = Backend::Sqlite
        .start_with(Launch::new().env("RATE_LIMIT_AGENT_AUTH_REQUESTS", "3"))
        .await;
    let board = id(&svc.create_board("Budget").await);
    let (_, token) = svc.create_agent(&board, "budget").await;
    let path = format!("/api/v1/boards/{board}/tasks");
    // The agent's token as a bearer: tried as a user's first, then as an agent's.
    for n in 1..=3 {
        let (status, body) = svc.call_as(&token, Method::GET, &path, None).await;
        assert_eq!(status, 200, "request {n}: {body}");
    }
    let (status, body) = svc.call_as(&token, Method::GET, &path, None).await;
    assert_eq!(status, 429, "the fourth request: {body}");
}
