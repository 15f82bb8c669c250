//! Edits of a gateway's configuration this service makes (pure: the gateway client sends
//! them as a merge patch).

use serde_json::{Value, json};

/// `agents.list` with `heartbeat` of agent `key` set to `wanted`; `None` when it already is
/// (no patch, so no gateway restart). Arrays are replaced whole by a merge patch, so the
/// whole list is returned, every other entry unchanged.
pub fn with_heartbeat(list: &[Value], key: &str, wanted: &Value) -> Option<Vec<Value>> {
    let mut out = list.to_vec();
    match out
        .iter_mut()
        .find(|entry| entry.get("id").and_then(Value::as_str) == Some(key))
    {
        Some(entry) if entry.get("heartbeat") == Some(wanted) => None,
        Some(entry) => {
            if let Some(map) = entry.as_object_mut() {
                map.insert("heartbeat".into(), wanted.clone());
            }
            Some(out)
        }
        None => {
            out.push(json!({"id": key, "heartbeat": wanted}));
            Some(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_change_makes_a_patch_and_other_agents_are_kept() {
        let hb = json!({"every": "10m"});
        let list = vec![json!({"id": "main"}), json!({"id": "mc-1", "workspace": "/w"})];
        let patched = with_heartbeat(&list, "mc-1", &hb).unwrap();
        assert_eq!(patched[0], json!({"id": "main"}));
        assert_eq!(patched[1], json!({"id": "mc-1", "workspace": "/w", "heartbeat": hb}));
        assert_eq!(with_heartbeat(&patched, "mc-1", &hb), None);
        let added = with_heartbeat(&list, "mc-2", &hb).unwrap();
        assert_eq!(added.len(), 3);
    }
}
