//! Who a board group memory entry would notify (domain §5). Tagged `broadcast`, or mentioning
//! `@all`: every agent of the group's boards. Tagged `chat` otherwise: the leads of the group's
//! boards plus the agents it mentions. Anything else notifies nobody. Never the author.

use uuid::Uuid;

use super::notifications::NotifyIntent;

/// An agent on one of the group's boards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupAgent {
    pub id: Uuid,
    pub board_id: Uuid,
    pub name: String,
    pub is_board_lead: bool,
}

pub const NOTIFY_EVENT: &str = "board_group_memory.notify_failed";

/// The `@name` tokens of a text, lower-cased: a letter then up to 31 letters, digits, `_` or `-`.
pub fn mention_tokens(content: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = content;
    while let Some(at) = rest.find('@') {
        let after = &rest[at + 1..];
        let token: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
            .take(32)
            .collect();
        if token.chars().next().is_some_and(char::is_alphabetic) {
            out.push(token.to_lowercase());
        }
        rest = after;
    }
    out
}

/// Whether the `@` tokens of a text (see [`mention_tokens`]) name an agent: its full name or
/// the first word of it, case-insensitively; `@lead` names a board lead.
pub fn is_mentioned(name: &str, is_board_lead: bool, tokens: &[String]) -> bool {
    let full = name.trim().to_lowercase();
    let first = full.split_whitespace().next().unwrap_or_default().to_owned();
    tokens
        .iter()
        .any(|t| *t == full || *t == first || (t == "lead" && is_board_lead))
}

fn mentioned(agent: &GroupAgent, tokens: &[String]) -> bool {
    is_mentioned(&agent.name, agent.is_board_lead, tokens)
}

/// The notifications an entry would send, each with the recipient's board.
pub fn recipients(
    tags: &[String],
    content: &str,
    agents: &[GroupAgent],
    author: Option<Uuid>,
) -> Vec<(Uuid, NotifyIntent)> {
    let tokens = mention_tokens(content);
    let has = |t: &str| tags.iter().any(|s| s.eq_ignore_ascii_case(t));
    let broadcast = has("broadcast") || tokens.iter().any(|t| t == "all");
    if !broadcast && !has("chat") {
        return Vec::new();
    }
    let kind = if broadcast { "broadcast" } else { "chat" };
    agents
        .iter()
        .filter(|a| Some(a.id) != author)
        .filter(|a| broadcast || a.is_board_lead || mentioned(a, &tokens))
        .map(|a| {
            let intent = NotifyIntent::new(
                NOTIFY_EVENT,
                a.id,
                format!("Group memory notification ({kind})"),
                format!("Board group memory ({kind}): {content}"),
            );
            (a.board_id, intent)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(n: u128, name: &str, lead: bool) -> GroupAgent {
        GroupAgent {
            id: Uuid::from_u128(n),
            board_id: Uuid::from_u128(100 + n % 2),
            name: name.to_owned(),
            is_board_lead: lead,
        }
    }

    fn ids(out: &[(Uuid, NotifyIntent)]) -> Vec<u128> {
        out.iter().map(|(_, i)| i.agent_id.as_u128()).collect()
    }

    fn tags(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn tokens_are_lowercased_and_need_a_leading_letter() {
        assert_eq!(mention_tokens("hi @Ada and @bob-2, not @1x nor a@"), ["ada", "bob-2"]);
    }

    #[test]
    fn plain_notes_notify_nobody() {
        let agents = [agent(1, "Lead", true), agent(2, "Ada", false)];
        assert!(recipients(&tags(&["note"]), "hello @ada", &agents, None).is_empty());
    }

    #[test]
    fn chat_reaches_leads_and_mentioned_but_not_the_author() {
        let agents = [
            agent(1, "Lead One", true),
            agent(2, "Ada Smith", false),
            agent(3, "Bob", false),
            agent(4, "Lead Two", true),
        ];
        let out = recipients(&tags(&["chat"]), "ping @ada", &agents, Some(Uuid::from_u128(4)));
        assert_eq!(ids(&out), [1, 2]);
        assert_eq!(out[0].0, Uuid::from_u128(101));
        assert_eq!(out[0].1.event_type, NOTIFY_EVENT);
    }

    #[test]
    fn broadcast_and_at_all_reach_everyone_but_the_author() {
        let agents = [agent(1, "Lead", true), agent(2, "Ada", false), agent(3, "Bob", false)];
        assert_eq!(
            ids(&recipients(
                &tags(&["broadcast"]),
                "hi",
                &agents,
                Some(Uuid::from_u128(2))
            )),
            [1, 3]
        );
        assert_eq!(ids(&recipients(&[], "hi @all", &agents, None)), [1, 2, 3]);
    }
}
