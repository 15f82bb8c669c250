//! The reference's own examples, end to end, on both storage backends: bootstrap, the
//! caller, organizations, gateways, boards, agents and their tokens, tasks, and the agent
//! side. The same suite runs on SQLite and on PostgreSQL.

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::{Launch, Service, TestDb};

async fn ok(svc: &Service, method: Method, path: &str, body: Option<Value>) -> Value {
    let (status, value) = svc.call(method.clone(), path, body).await;
    assert_eq!(status, 200, "{method} {path}: {value}");
    value
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

async fn run_examples(svc: &Service) {
    // Bootstrap creates the user and a personal organization with the caller as owner.
    let me = ok(svc, Method::POST, "/api/v1/auth/bootstrap", None).await;
    assert_eq!(me["clerk_user_id"], "local-auth-user");
    assert_eq!(me["email"], "admin@home.local");
    let again = ok(svc, Method::GET, "/api/v1/users/me", None).await;
    assert_eq!(again["id"], me["id"], "bootstrap is idempotent");
    let org = ok(svc, Method::GET, "/api/v1/organizations/me", None).await;
    assert_eq!(org["name"], "Personal");
    let updated = ok(
        svc,
        Method::PATCH,
        "/api/v1/users/me",
        Some(json!({"timezone": "Europe/Paris", "preferred_name": "Sam"})),
    )
    .await;
    assert_eq!(updated["timezone"], "Europe/Paris");
    assert_eq!(updated["name"], "Local User", "untouched fields stay");

    // Gateways are stored as data.
    let gw = ok(
        svc,
        Method::POST,
        "/api/v1/gateways",
        Some(json!({"name": "gw", "url": "wss://gateway.example.test", "workspace_root": "/srv/agents"})),
    )
    .await;
    assert_eq!(gw["organization_id"], org["id"]);
    assert_eq!(gw["allow_insecure_tls"], false);
    let gws = ok(svc, Method::GET, "/api/v1/gateways", None).await;
    assert_eq!(gws["total"], 1);
    let got = ok(svc, Method::GET, &format!("/api/v1/gateways/{}", id(&gw)), None).await;
    assert_eq!(got["url"], "wss://gateway.example.test");
    let (status, _) = svc
        .call(
            Method::POST,
            "/api/v1/gateways",
            Some(json!({"name": "x", "url": "nope", "workspace_root": "/"})),
        )
        .await;
    assert_eq!(status, 422);

    // Boards: one on the gateway, one without.
    let on_gw = ok(
        svc,
        Method::POST,
        "/api/v1/boards",
        Some(json!({"name": "Launch", "slug": "launch", "description": "Ship it", "gateway_id": gw["id"]})),
    )
    .await;
    assert_eq!(on_gw["gateway_id"], gw["id"]);
    assert_eq!(on_gw["require_approval_for_done"], true, "the reference default");
    let board = svc.create_board("Ops").await;
    assert!(board["gateway_id"].is_null());
    let bid = id(&board);
    let patched = ok(
        svc,
        Method::PATCH,
        &format!("/api/v1/boards/{bid}"),
        Some(json!({"require_approval_for_done": false, "objective": "Keep the lights on"})),
    )
    .await;
    assert_eq!(patched["require_approval_for_done"], false);
    assert_eq!(patched["objective"], "Keep the lights on");
    let boards = ok(
        svc,
        Method::GET,
        &format!("/api/v1/boards?gateway_id={}", id(&gw)),
        None,
    )
    .await;
    assert_eq!(boards["total"], 1);
    let (status, _) = svc
        .call(
            Method::POST,
            "/api/v1/boards",
            Some(json!({"name": "  ", "slug": "x", "description": "d"})),
        )
        .await;
    assert_eq!(status, 422, "blank names are refused");
    let (status, _) = svc
        .call(Method::DELETE, &format!("/api/v1/gateways/{}", id(&gw)), None)
        .await;
    assert_eq!(status, 409, "a gateway in use by a board cannot be deleted");

    // Agents: created on a board, token issued once, agent side works with it.
    let (agent, token) = svc.create_agent(&bid, "Scout").await;
    assert!(
        agent["gateway_id"].is_null(),
        "an agent on a board without gateway has none"
    );
    assert_eq!(agent["status"], "provisioning");
    let (status, _) = svc
        .call(
            Method::POST,
            "/api/v1/agents",
            Some(json!({"name": "scout", "board_id": bid})),
        )
        .await;
    assert_eq!(status, 409, "names are unique per board, case-insensitively");
    let (gw_agent, _) = svc.create_agent(&id(&on_gw), "Pilot").await;
    assert_eq!(gw_agent["gateway_id"], gw["id"]);
    let agents = ok(svc, Method::GET, &format!("/api/v1/agents?board_id={bid}"), None).await;
    assert_eq!(agents["total"], 1);
    let health = svc
        .agent(Method::GET, "/api/v1/agent/healthz", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let health: Value = health.json().await.unwrap();
    assert_eq!(health["agent_id"], agent["id"]);
    assert_eq!(health["ok"], true);
    // A bearer agent token works too.
    let res = svc
        .http
        .get(svc.url("/api/v1/agent/healthz"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let beat: Value = svc
        .agent(Method::POST, "/api/v1/agent/heartbeat", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(beat["status"], "online");
    assert!(beat["last_seen_at"].is_string());
    let seen = ok(svc, Method::GET, &format!("/api/v1/agents/{}", id(&agent)), None).await;
    assert_eq!(seen["status"], "online");
    // The heartbeat is in the activity feed, written with the presence update.
    let activity: Value = svc
        .agent(Method::GET, "/api/v1/activity", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let beats: Vec<&Value> = activity["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event_type"] == "agent.heartbeat")
        .collect();
    assert_eq!(beats.len(), 1, "{activity}");
    assert_eq!(
        beats[0]["message"],
        format!("Heartbeat received from {}.", agent["name"].as_str().unwrap())
    );
    assert_eq!(beats[0]["agent_id"], agent["id"]);
    let agent_boards: Value = svc
        .agent(Method::GET, "/api/v1/agent/boards", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(agent_boards["total"], 1, "a board agent sees its own board only");
    assert_eq!(agent_boards["items"][0]["id"], board["id"]);
    // Rotating the token retires the old one.
    let rotated = ok(svc, Method::POST, &format!("/api/v1/agents/{}/token", id(&agent)), None).await;
    let new_token = rotated["token"].as_str().unwrap().to_owned();
    assert_ne!(new_token, token);
    let res = svc
        .agent(Method::GET, "/api/v1/agent/healthz", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let token = new_token;

    // Tasks: create, dependencies, blocked state, filters, workflow, delete.
    let tasks = format!("/api/v1/boards/{bid}/tasks");
    let first = ok(
        svc,
        Method::POST,
        &tasks,
        Some(json!({"title": "Write the plan", "priority": "high"})),
    )
    .await;
    assert_eq!(first["status"], "inbox");
    assert_eq!(first["created_by_user_id"], me["id"]);
    assert_eq!(first["is_blocked"], false);
    let second = ok(
        svc,
        Method::POST,
        &tasks,
        Some(json!({"title": "Execute", "depends_on_task_ids": [first["id"]]})),
    )
    .await;
    assert_eq!(second["depends_on_task_ids"], json!([first["id"]]));
    assert_eq!(second["blocked_by_task_ids"], json!([first["id"]]));
    assert_eq!(second["is_blocked"], true);
    let (status, body) = svc
        .call(
            Method::POST,
            &tasks,
            Some(json!({"title": "Too eager", "depends_on_task_ids": [first["id"]], "status": "in_progress"})),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(body["detail"]["blocked_by_task_ids"], json!([first["id"]]));
    let (status, body) = svc
        .call(
            Method::POST,
            &tasks,
            Some(json!({"title": "Ghost", "depends_on_task_ids": [uuid::Uuid::new_v4()]})),
        )
        .await;
    assert_eq!(status, 404);
    assert!(body["detail"]["missing_task_ids"].is_array());

    let started = ok(
        svc,
        Method::PATCH,
        &format!("{tasks}/{}", id(&first)),
        Some(json!({"status": "in_progress", "assigned_agent_id": agent["id"]})),
    )
    .await;
    assert_eq!(started["status"], "in_progress");
    assert!(started["in_progress_at"].is_string());
    assert_eq!(started["assigned_agent_id"], agent["id"]);
    let (status, _) = svc
        .call(
            Method::PATCH,
            &format!("{tasks}/{}", id(&first)),
            Some(json!({"assigned_agent_id": gw_agent["id"]})),
        )
        .await;
    assert_eq!(status, 409, "an assignee from another board is refused");
    let done = ok(
        svc,
        Method::PATCH,
        &format!("{tasks}/{}", id(&first)),
        Some(json!({"status": "done"})),
    )
    .await;
    assert_eq!(done["status"], "done");
    let unblocked = ok(svc, Method::GET, &format!("{tasks}?status=inbox"), None).await;
    assert_eq!(unblocked["total"], 1);
    assert_eq!(
        unblocked["items"][0]["is_blocked"], false,
        "a done dependency no longer blocks"
    );
    let both = ok(svc, Method::GET, &format!("{tasks}?status=inbox,done&limit=1"), None).await;
    assert_eq!(both["total"], 2);
    assert_eq!(both["items"].as_array().unwrap().len(), 1);
    assert_eq!(both["items"][0]["id"], second["id"], "newest first");
    let assigned = ok(
        svc,
        Method::GET,
        &format!("{tasks}?assigned_agent_id={}", id(&agent)),
        None,
    )
    .await;
    assert_eq!(assigned["total"], 1);
    let unassigned = ok(svc, Method::GET, &format!("{tasks}?unassigned=true"), None).await;
    assert_eq!(unassigned["total"], 1);

    // The agent's view of the same tasks.
    let res = svc
        .agent(
            Method::GET,
            &format!("/api/v1/agent/boards/{bid}/tasks?status=inbox&limit=10&offset=0"),
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let agent_tasks: Value = res.json().await.unwrap();
    assert_eq!(agent_tasks["total"], 1);
    assert_eq!(agent_tasks["limit"], 10);

    // Deleting the agent unassigns its tasks; deleting a task removes its edges.
    ok(svc, Method::DELETE, &format!("/api/v1/agents/{}", id(&agent)), None).await;
    let (status, _) = svc
        .call(Method::GET, &format!("/api/v1/agents/{}", id(&agent)), None)
        .await;
    assert_eq!(status, 404);
    let feed = ok(svc, Method::GET, "/api/v1/activity?limit=1", None).await;
    assert_eq!(feed["items"][0]["event_type"], "agent.delete.direct", "{feed}");
    assert_eq!(
        feed["items"][0]["message"],
        format!("Deleted agent {}.", agent["name"].as_str().unwrap())
    );
    assert_eq!(feed["items"][0]["board_id"], board["id"]);
    assert!(feed["items"][0]["agent_id"].is_null());
    let after = ok(svc, Method::GET, &format!("{tasks}?status=done"), None).await;
    assert!(after["items"][0]["assigned_agent_id"].is_null());
    ok(svc, Method::DELETE, &format!("{tasks}/{}", id(&first)), None).await;
    let remaining = ok(svc, Method::GET, &tasks, None).await;
    assert_eq!(remaining["total"], 1);
    assert_eq!(remaining["items"][0]["depends_on_task_ids"], json!([]));
    let (status, _) = svc.call(Method::DELETE, &format!("{tasks}/{}", id(&first)), None).await;
    assert_eq!(status, 404);

    // Deleting a board removes everything under it.
    ok(svc, Method::DELETE, &format!("/api/v1/boards/{bid}"), None).await;
    let (status, _) = svc.call(Method::GET, &format!("/api/v1/boards/{bid}"), None).await;
    assert_eq!(status, 404);
    let (status, _) = svc.call(Method::GET, &tasks, None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn reference_examples_work_on_sqlite() {
    let svc = Launch::new().start().await.unwrap();
    run_examples(&svc).await;
}

#[tokio::test]
async fn reference_examples_work_on_postgres_and_leave_no_orphans() {
    let db = TestDb::create().await.unwrap();
    let svc = Launch::new().postgres(&db).start().await.unwrap();
    run_examples(&svc).await;
    let mut conn = db.connect().await.unwrap();
    for table in ["tasks", "task_dependencies", "tag_assignments", "activity_events"] {
        let sql = format!(
            "SELECT count(*) FROM {table} WHERE {} NOT IN (SELECT id FROM boards)",
            if table == "tasks" || table == "task_dependencies" || table == "activity_events" {
                "board_id"
            } else {
                "task_id"
            }
        );
        let orphans: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(orphans, 0, "orphans in {table}");
    }
    let agents: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM agents WHERE board_id IS NOT NULL AND board_id NOT IN (SELECT id FROM boards)",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(agents, 0);
}

#[tokio::test]
async fn migrate_command_prepares_an_empty_postgres_database() {
    let db = TestDb::create().await.unwrap();
    let (code, out) = Launch::new()
        .postgres(&db)
        .args(&["migrate"])
        .run_to_exit()
        .await
        .unwrap();
    assert_eq!(code, Some(0), "{out}");
    let mut conn = db.connect().await.unwrap();
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('boards', 'tasks', 'agents')",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(tables, 3);
    // A service that does not migrate by itself starts on it.
    let svc = Launch::new()
        .postgres(&db)
        .env("DB_AUTO_MIGRATE", "false")
        .start()
        .await
        .unwrap();
    let (status, _) = svc.call(Method::GET, "/api/v1/users/me", None).await;
    assert_eq!(status, 200);
}
