//! Who a board chat entry would notify (domain §5). A board memory entry tagged `chat` goes to
//! the board lead and to the agents it mentions (`@name`, the first word of a name, `@lead`);
//! an entry that is exactly `/pause` or `/resume` (trimmed, any case) is a control command
//! and goes instead to every agent on the board. Never to the author; an entry without the
//! `chat` tag notifies nobody.

use uuid::Uuid;

use super::group_memory::{is_mentioned, mention_tokens};
use super::notifications::NotifyIntent;

/// One agent on the board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardAgent {
    pub id: Uuid,
    pub name: String,
    pub is_board_lead: bool,
}

/// The event type of a chat message that was not delivered.
pub const CHAT_EVENT: &str = "board.chat.notify_failed";
/// The event type of a `/pause` or `/resume` command that was not delivered.
pub const CONTROL_EVENT: &str = "board.control.notify_failed";

/// `/pause` or `/resume`, lower-cased, when the content is exactly that command.
pub fn control_command(content: &str) -> Option<&'static str> {
    let c = content.trim();
    ["/pause", "/resume"]
        .into_iter()
        .find(|cmd| c.eq_ignore_ascii_case(cmd))
}

/// Whether the tags make an entry board chat (the stored `is_chat`).
pub fn is_chat(tags: &[String]) -> bool {
    tags.iter().any(|t| t == "chat")
}

/// The notifications a board memory entry would send, in the board's agent order.
pub fn recipients(tags: &[String], content: &str, agents: &[BoardAgent], author: Option<Uuid>) -> Vec<NotifyIntent> {
    if !is_chat(tags) {
        return Vec::new();
    }
    let others = agents.iter().filter(|a| Some(a.id) != author);
    if let Some(command) = control_command(content) {
        return others
            .map(|a| {
                NotifyIntent::new(
                    CONTROL_EVENT,
                    a.id,
                    format!("Board control command {command}"),
                    command.to_owned(),
                )
            })
            .collect();
    }
    let tokens = mention_tokens(content);
    others
        .filter_map(|a| {
            let mentioned = is_mentioned(&a.name, a.is_board_lead, &tokens);
            let why = if mentioned {
                "mention"
            } else if a.is_board_lead {
                "lead"
            } else {
                return None;
            };
            Some(NotifyIntent::new(
                CHAT_EVENT,
                a.id,
                format!("Board chat notification ({why})"),
                format!("Board chat ({why}): {content}"),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(n: u128, name: &str, lead: bool) -> BoardAgent {
        BoardAgent {
            id: Uuid::from_u128(n),
            name: name.to_owned(),
            is_board_lead: lead,
        }
    }

    fn crew() -> Vec<BoardAgent> {
        vec![
            agent(1, "Lead Agent", true),
            agent(2, "Ada Lovelace", false),
            agent(3, "bob", false),
            agent(4, "Carol", false),
        ]
    }

    fn chat() -> Vec<String> {
        vec!["chat".to_owned()]
    }

    fn ids(out: &[NotifyIntent]) -> Vec<u128> {
        out.iter().map(|i| i.agent_id.as_u128()).collect()
    }

    #[test]
    fn without_the_chat_tag_nobody_is_notified() {
        assert!(recipients(&["note".to_owned()], "hi @ada", &crew(), None).is_empty());
        assert!(recipients(&[], "/pause", &crew(), None).is_empty());
        // The tag is matched as stored, like `is_chat`.
        assert!(recipients(&["Chat".to_owned()], "hi @ada", &crew(), None).is_empty());
    }

    #[test]
    fn chat_reaches_the_lead_and_the_mentioned_agents() {
        let out = recipients(&chat(), "hello", &crew(), None);
        assert_eq!(ids(&out), [1]);
        assert_eq!(out[0].event_type, CHAT_EVENT);
        assert_eq!(
            out[0].message,
            "Board chat notification (lead) not sent, no gateway is connected."
        );
        // First word of a name, full one-word name, any case.
        let out = recipients(&chat(), "@ADA and @Bob please", &crew(), None);
        assert_eq!(ids(&out), [1, 2, 3]);
        assert!(out[1].message.contains("(mention)"), "{out:?}");
        // An unknown name or a bare `@` reaches only the lead.
        assert_eq!(ids(&recipients(&chat(), "@nobody @ @1ada", &crew(), None)), [1]);
    }

    #[test]
    fn at_lead_names_the_lead_and_the_author_is_never_told() {
        let out = recipients(&chat(), "@lead look", &crew(), None);
        assert_eq!(ids(&out), [1]);
        assert!(out[0].message.contains("(mention)"), "{out:?}");
        // The lead writing: it is not told about its own message.
        assert_eq!(
            ids(&recipients(&chat(), "@carol @lead", &crew(), Some(Uuid::from_u128(1)))),
            [4]
        );
        // A worker mentioning itself.
        assert_eq!(
            ids(&recipients(&chat(), "@carol", &crew(), Some(Uuid::from_u128(4)))),
            [1]
        );
    }

    #[test]
    fn pause_and_resume_go_to_every_agent_but_the_author() {
        for content in ["/pause", "  /PAUSE \n", "/Resume"] {
            let out = recipients(&chat(), content, &crew(), Some(Uuid::from_u128(3)));
            assert_eq!(ids(&out), [1, 2, 4], "{content:?}");
            assert!(out.iter().all(|i| i.event_type == CONTROL_EVENT), "{out:?}");
        }
        let out = recipients(&chat(), "/resume", &crew(), None);
        assert_eq!(ids(&out), [1, 2, 3, 4]);
        assert_eq!(
            out[0].message,
            "Board control command /resume not sent, no gateway is connected."
        );
        // Anything more than the command is ordinary chat.
        assert_eq!(ids(&recipients(&chat(), "/pause now", &crew(), None)), [1]);
        assert_eq!(control_command("/pause please"), None);
    }

    #[test]
    fn a_board_without_agents_notifies_nobody() {
        assert!(recipients(&chat(), "@lead /pause", &[], None).is_empty());
        assert!(recipients(&chat(), "/pause", &[], None).is_empty());
    }
}
