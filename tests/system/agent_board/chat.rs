//! Board chat (board memory tagged `chat`), written by a user or an agent, records one
//! `board.chat.notify_failed` row per agent it would notify: the board lead and the agents it
//! mentions (`@name`, the first word of a name, `@lead`), never the author. `/pause` and
//! `/resume` record one `board.control.notify_failed` row for every agent of the board but
//! the author. Other boards' agents are never told.

use std::collections::HashSet;

use reqwest::Method;
use serde_json::{Value, json};
use system_tests::{Backend, Service, id, items, on_both_backends};

use super::make_lead;

on_both_backends!(board_chat_records_whom_it_would_notify);

/// The notification rows recorded since the last call: `(event_type, agent_id)`, sorted.
struct Intents {
    seen: HashSet<String>,
}

impl Intents {
    async fn new_since(&mut self, svc: &Service) -> Vec<(String, String)> {
        let page = svc.ok(Method::GET, "/api/v1/activity?limit=200", None).await;
        let mut out = Vec::new();
        for a in items(&page) {
            let kind = a["event_type"].as_str().unwrap();
            if !kind.starts_with("board.chat.") && !kind.starts_with("board.control.") {
                continue;
            }
            if self.seen.insert(id(a)) {
                out.push((kind.to_owned(), a["agent_id"].as_str().unwrap().to_owned()));
            }
        }
        out.sort();
        out
    }
}

fn expect(kind: &str, agents: &[&Value]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = agents.iter().map(|a| (kind.to_owned(), id(a))).collect();
    out.sort();
    out
}

const CHAT: &str = "board.chat.notify_failed";
const CONTROL: &str = "board.control.notify_failed";

async fn board_chat_records_whom_it_would_notify(backend: Backend) {
    let svc = backend.start().await;
    let board = id(&svc.create_board("Crew").await);
    let other = id(&svc.create_board("Other").await);
    let (lead, lead_token) = svc.create_agent(&board, "Lead Agent").await;
    let (ada, ada_token) = svc.create_agent(&board, "Ada Lovelace").await;
    let (bob, bob_token) = svc.create_agent(&board, "bob").await;
    let (carol, carol_token) = svc.create_agent(&board, "Carol").await;
    svc.create_agent(&other, "Dave").await;
    make_lead(&svc, "Lead Agent").await;
    let mut intents = Intents { seen: HashSet::new() };
    let user_path = format!("/api/v1/boards/{board}/memory");
    let agent_path = format!("/api/v1/agent/boards/{board}/memory");
    let chat = |content: &str| json!({"content": content, "tags": ["chat"]});

    // A user's chat message: the lead only.
    svc.ok(Method::POST, &user_path, Some(chat("hello team"))).await;
    assert_eq!(intents.new_since(&svc).await, expect(CHAT, &[&lead]));

    // An agent mentions two others (a first name, any case): the lead and both, not itself.
    svc.ok_as_agent(
        &ada_token,
        Method::POST,
        &agent_path,
        Some(chat("@BOB and @carol, look")),
    )
    .await;
    assert_eq!(intents.new_since(&svc).await, expect(CHAT, &[&lead, &bob, &carol]));

    // `@lead` names the lead (once), `@ada` the first word of "Ada Lovelace"; "@dave" is on
    // another board and is not told.
    svc.ok_as_agent(
        &bob_token,
        Method::POST,
        &agent_path,
        Some(chat("@lead @Lead @ada @dave")),
    )
    .await;
    assert_eq!(intents.new_since(&svc).await, expect(CHAT, &[&lead, &ada]));

    // The lead writing is not told about its own message.
    svc.ok_as_agent(&lead_token, Method::POST, &agent_path, Some(chat("@lead hi @bob")))
        .await;
    assert_eq!(intents.new_since(&svc).await, expect(CHAT, &[&bob]));

    // Notes (no `chat` tag) notify nobody, mentions or not.
    svc.ok(
        Method::POST,
        &user_path,
        Some(json!({"content": "@bob /pause", "tags": ["note"]})),
    )
    .await;
    svc.ok_as_agent(
        &ada_token,
        Method::POST,
        &agent_path,
        Some(json!({"content": "/pause"})),
    )
    .await;
    assert!(intents.new_since(&svc).await.is_empty());

    // `/pause` from an agent: every agent of the board but the author, as a control command.
    svc.ok_as_agent(&carol_token, Method::POST, &agent_path, Some(chat("/pause")))
        .await;
    assert_eq!(intents.new_since(&svc).await, expect(CONTROL, &[&lead, &ada, &bob]));

    // `/resume` from the user, trimmed and in any case: all four.
    let resumed = svc.ok(Method::POST, &user_path, Some(chat("  /RESUME \n"))).await;
    assert_eq!(resumed["is_chat"], true, "{resumed}");
    assert_eq!(
        intents.new_since(&svc).await,
        expect(CONTROL, &[&lead, &ada, &bob, &carol])
    );

    // More than the command is ordinary chat.
    svc.ok(Method::POST, &user_path, Some(chat("/pause for lunch @carol")))
        .await;
    assert_eq!(intents.new_since(&svc).await, expect(CHAT, &[&lead, &carol]));

    // The rows sit on the board and say what was not sent.
    let feed = svc.ok(Method::GET, "/api/v1/activity?limit=200", None).await;
    let rows: Vec<&Value> = items(&feed)
        .iter()
        .filter(|a| a["event_type"] == CHAT || a["event_type"] == CONTROL)
        .collect();
    assert_eq!(rows.len(), 16, "{feed}");
    assert!(rows.iter().all(|a| a["board_id"] == json!(board)), "{feed}");
    let control = rows.iter().find(|a| a["event_type"] == CONTROL).expect("a control row");
    assert_eq!(
        control["message"], "Board control command /resume not sent, no gateway is connected.",
        "{control}"
    );
}
