//! The workspace files an agent is given on its gateway, rendered from the templates in
//! `templates/` (written for this service; `templates/README.md` lists the placeholders).
//! `{{name}}` is replaced by a value, `{{#lead}}…{{/lead}}` (likewise `worker`, `main`) keeps
//! its text only for that kind of agent. Rendering is pure.

use std::collections::BTreeMap;

/// Which kind of agent the files are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentKind {
    Lead,
    Worker,
    Main,
}

impl AgentKind {
    fn section(self) -> &'static str {
        match self {
            Self::Lead => "lead",
            Self::Worker => "worker",
            Self::Main => "main",
        }
    }

    pub fn role(self) -> &'static str {
        match self {
            Self::Lead => "board lead",
            Self::Worker => "worker",
            Self::Main => "gateway main agent",
        }
    }
}

/// The file names, in the order they are written.
pub const FILES: &[(&str, &str)] = &[
    ("AGENTS.md", include_str!("templates/AGENTS.md")),
    ("SOUL.md", include_str!("templates/SOUL.md")),
    ("IDENTITY.md", include_str!("templates/IDENTITY.md")),
    ("USER.md", include_str!("templates/USER.md")),
    ("TOOLS.md", include_str!("templates/TOOLS.md")),
    ("HEARTBEAT.md", include_str!("templates/HEARTBEAT.md")),
    ("BOOTSTRAP.md", include_str!("templates/BOOTSTRAP.md")),
    ("MEMORY.md", include_str!("templates/MEMORY.md")),
];

/// Files a gateway may refuse (protocol-4 releases accept neither) without failing the
/// provisioning.
pub const OPTIONAL: &[&str] = &["TOOLS.md", "HEARTBEAT.md"];

/// Files only written when missing (the agent keeps its own notes in them).
pub const KEEP_IF_PRESENT: &[&str] = &["MEMORY.md", "USER.md"];

/// Renders one template. Unknown placeholders are left visible rather than guessed.
pub fn render(template: &str, kind: AgentKind, values: &BTreeMap<&str, String>) -> String {
    let mut text = template.to_owned();
    for k in [AgentKind::Lead, AgentKind::Worker, AgentKind::Main] {
        let (open, close) = (format!("{{{{#{}}}}}", k.section()), format!("{{{{/{}}}}}", k.section()));
        while let Some(start) = text.find(&open) {
            let Some(rel_end) = text[start..].find(&close) else {
                break;
            };
            let end = start + rel_end;
            let inner = text[start + open.len()..end].to_owned();
            let keep = if k == kind { inner } else { String::new() };
            text.replace_range(start..end + close.len(), &keep);
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find("{{") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        match after.find("}}") {
            Some(end) if values.contains_key(after[..end].trim()) => {
                out.push_str(&values[after[..end].trim()]);
                rest = &after[end + 2..];
            }
            _ => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    // Blank runs left by removed sections collapse to one empty line.
    let mut cleaned = String::with_capacity(out.len());
    let mut blank = 0;
    for line in out.lines() {
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        cleaned.push_str(line);
        cleaned.push('\n');
    }
    cleaned
}

/// Every file for one agent.
pub fn render_all(kind: AgentKind, values: &BTreeMap<&str, String>) -> Vec<(&'static str, String)> {
    FILES
        .iter()
        .map(|(name, template)| (*name, render(template, kind, values)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> BTreeMap<&'static str, String> {
        [
            "agent_name",
            "agent_id",
            "agent_role",
            "board_name",
            "board_id",
            "board_objective",
            "base_url",
            "auth_token",
            "heartbeat_every",
            "identity_role",
            "identity_style",
            "identity_emoji",
            "user_name",
            "soul",
        ]
        .into_iter()
        .map(|k| (k, format!("<{k}>")))
        .collect()
    }

    #[test]
    fn sections_and_placeholders_render() {
        let v = values();
        let t = "Hi {{agent_name}}.\n{{#lead}}lead only{{/lead}}{{#worker}}worker only{{/worker}}\n{{ nope }}";
        let lead = render(t, AgentKind::Lead, &v);
        assert!(lead.contains("Hi <agent_name>.") && lead.contains("lead only") && !lead.contains("worker only"));
        assert!(lead.contains("{{ nope }}"));
        let worker = render(t, AgentKind::Worker, &v);
        assert!(worker.contains("worker only") && !worker.contains("lead only"));
    }

    #[test]
    fn every_template_uses_only_known_placeholders_and_teaches_the_api() {
        let v = values();
        for kind in [AgentKind::Lead, AgentKind::Worker, AgentKind::Main] {
            for (name, text) in render_all(kind, &v) {
                assert!(!text.contains("{{"), "{name} ({kind:?}) keeps a placeholder:\n{text}");
                assert!(!text.trim().is_empty(), "{name} is empty");
            }
        }
        let agents = render(FILES[0].1, AgentKind::Worker, &v);
        for needle in ["/api/v1/agent/heartbeat", "<auth_token>", "<board_id>", "X-Agent-Token"] {
            assert!(
                agents.contains(needle) || render(FILES[4].1, AgentKind::Worker, &v).contains(needle),
                "{needle}"
            );
        }
    }
}
