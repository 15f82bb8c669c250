//! Gateways: a create or a change of how to reach one first connects and checks the release
//! (`GATEWAY_MIN_VERSION`), then the gateway's main agent is created or refreshed on it.

use uuid::Uuid;

use super::identity::UserCaller;
use super::provisioning::{self, Run, gateway_error, target_of};
use super::{Error, FieldError, Result, deleted, non_blank};
use crate::app::AppState;
use crate::domain::{Page, Paged, now};
use crate::store::{AgentRow, GatewayRow, Store};

#[derive(Debug, Clone)]
pub struct GatewayInput {
    pub name: Option<String>,
    pub url: Option<String>,
    pub token: Option<Option<String>>,
    pub workspace_root: Option<String>,
    pub disable_device_pairing: Option<bool>,
    pub allow_insecure_tls: Option<bool>,
}

/// The documented gateway URL pattern (`wire::schema::GATEWAY_URL`), compiled once.
static GATEWAY_URL: std::sync::LazyLock<Option<regex::Regex>> =
    std::sync::LazyLock::new(|| regex::Regex::new(crate::wire::schema::GATEWAY_URL).ok());

pub(super) fn check_url(raw: &str) -> Result<String> {
    let url = non_blank("url", raw)?;
    let documented = GATEWAY_URL.as_ref().is_some_and(|pattern| pattern.is_match(raw));
    match url::Url::parse(&url).ok().filter(|_| documented) {
        Some(u) if ["ws", "wss", "http", "https"].contains(&u.scheme()) && u.host_str().is_some() => Ok(url),
        _ => Err(Error::Invalid(vec![FieldError::body(
            "url",
            "url must be a ws://, wss://, http:// or https:// URL",
        )])),
    }
}

pub async fn list(store: &Store, caller: &UserCaller, page: Page) -> Result<Paged<GatewayRow>> {
    caller.require_admin()?;
    Ok(store.list_gateways(caller.organization_id(), page).await?)
}

pub async fn create(app: &AppState, caller: &UserCaller, input: GatewayInput) -> Result<GatewayRow> {
    caller.require_admin()?;
    let now = now();
    let row = GatewayRow {
        id: Uuid::new_v4(),
        organization_id: caller.organization_id(),
        name: non_blank("name", input.name.as_deref().unwrap_or_default())?,
        url: check_url(input.url.as_deref().unwrap_or_default())?,
        token: input.token.flatten().filter(|t| !t.trim().is_empty()),
        workspace_root: non_blank("workspace_root", input.workspace_root.as_deref().unwrap_or_default())?,
        disable_device_pairing: input.disable_device_pairing.unwrap_or(false),
        allow_insecure_tls: input.allow_insecure_tls.unwrap_or(false),
        created_at: now,
        updated_at: now,
    };
    app.gateways.check(&target_of(&row)).await.map_err(gateway_error)?;
    app.store.insert_gateway(&row).await?;
    refresh_main_agent(app, &row).await?;
    Ok(row)
}

/// The gateway's main agent name.
fn main_agent_name(gateway: &GatewayRow) -> String {
    format!("{} Gateway Agent", gateway.name)
}

/// Creates the gateway's main agent (or renames it) and provisions it on the gateway.
async fn refresh_main_agent(app: &AppState, gateway: &GatewayRow) -> Result<AgentRow> {
    let existing = app
        .store
        .gateway_agents(gateway.id)
        .await?
        .into_iter()
        .find(|a| a.board_id.is_none());
    let (agent, run) = match existing {
        Some(mut agent) => {
            if agent.name != main_agent_name(gateway) {
                agent.name = main_agent_name(gateway);
                agent.updated_at = now();
                app.store.update_agent(&agent).await?;
            }
            (agent, Run::Update)
        }
        None => {
            let t = now();
            let agent = AgentRow {
                id: Uuid::new_v4(),
                organization_id: gateway.organization_id,
                board_id: None,
                gateway_id: Some(gateway.id),
                name: main_agent_name(gateway),
                status: "provisioning".to_owned(),
                openclaw_session_id: Some(crate::gateway::session_key(&crate::gateway::main_agent_key(gateway.id))),
                heartbeat_config: Some(
                    serde_json::json!({"every": "10m", "target": "last", "includeReasoning": false}),
                ),
                identity_profile: None,
                identity_template: None,
                soul_template: None,
                last_seen_at: None,
                is_board_lead: false,
                created_at: t,
                updated_at: t,
            };
            app.store.insert_agent(&agent).await?;
            (agent, Run::Provision)
        }
    };
    provisioning::run(app, &agent, run).await?;
    Ok(agent)
}

pub async fn get(store: &Store, caller: &UserCaller, id: Uuid) -> Result<GatewayRow> {
    caller.require_admin()?;
    store
        .get_gateway(caller.organization_id(), id)
        .await?
        .ok_or(Error::NotFound("Gateway not found"))
}

pub async fn update(app: &AppState, caller: &UserCaller, id: Uuid, input: GatewayInput) -> Result<GatewayRow> {
    let mut row = get(&app.store, caller, id).await?;
    let before = (
        row.url.clone(),
        row.token.clone(),
        row.disable_device_pairing,
        row.allow_insecure_tls,
    );
    if let Some(name) = input.name {
        row.name = non_blank("name", &name)?;
    }
    if let Some(url) = input.url {
        row.url = check_url(&url)?;
    }
    if let Some(token) = input.token {
        row.token = token.filter(|t| !t.trim().is_empty());
    }
    if let Some(root) = input.workspace_root {
        row.workspace_root = non_blank("workspace_root", &root)?;
    }
    if let Some(v) = input.disable_device_pairing {
        row.disable_device_pairing = v;
    }
    if let Some(v) = input.allow_insecure_tls {
        row.allow_insecure_tls = v;
    }
    row.updated_at = now();
    let reach_changed = before
        != (
            row.url.clone(),
            row.token.clone(),
            row.disable_device_pairing,
            row.allow_insecure_tls,
        );
    if reach_changed {
        app.gateways.check(&target_of(&row)).await.map_err(gateway_error)?;
    }
    app.store.update_gateway(&row).await?;
    refresh_main_agent(app, &row).await?;
    Ok(row)
}

pub async fn delete(store: &Store, caller: &UserCaller, id: Uuid) -> Result<()> {
    caller.require_admin()?;
    deleted(
        store.delete_gateway(caller.organization_id(), id).await?,
        "Gateway not found",
    )
}

#[cfg(test)]
mod tests {
    use super::check_url;

    #[test]
    fn gateway_urls_are_checked_against_the_documented_pattern() {
        for good in ["ws://gw.example:18789", " wss://10.0.0.1/path?x=1 ", "HTTPS://gateway"] {
            assert!(check_url(good).is_ok(), "{good:?}");
        }
        // Url::parse alone accepts all of these (it drops tabs and newlines, allows `*` in a
        // host); the documented pattern does not, and neither does the check.
        for bad in ["https://host.xt*", "ws://gw/pa\tth", "ftp://gw", "ws://", "gw:1"] {
            assert!(check_url(bad).is_err(), "{bad:?}");
        }
    }
}
