//! Gateways are stored as data: talking to a gateway belongs to a later issue.

use uuid::Uuid;

use super::identity::UserCaller;
use super::{Error, FieldError, Result, deleted, non_blank};
use crate::domain::{Page, Paged, now};
use crate::store::{GatewayRow, Store};

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

fn check_url(raw: &str) -> Result<String> {
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

pub async fn create(store: &Store, caller: &UserCaller, input: GatewayInput) -> Result<GatewayRow> {
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
    store.insert_gateway(&row).await?;
    Ok(row)
}

pub async fn get(store: &Store, caller: &UserCaller, id: Uuid) -> Result<GatewayRow> {
    caller.require_admin()?;
    store
        .get_gateway(caller.organization_id(), id)
        .await?
        .ok_or(Error::NotFound("Gateway not found"))
}

pub async fn update(store: &Store, caller: &UserCaller, id: Uuid, input: GatewayInput) -> Result<GatewayRow> {
    let mut row = get(store, caller, id).await?;
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
    store.update_gateway(&row).await?;
    Ok(row)
}

pub async fn delete(store: &Store, caller: &UserCaller, id: Uuid) -> Result<()> {
    caller.require_admin()?;
    deleted(
        store.delete_gateway(caller.organization_id(), id).await?,
        "Gateway not found",
    )
}

/// The gateway URL a status check is about, and why it is not connected.
pub async fn status_target(
    store: &Store,
    caller: &UserCaller,
    board_id: Option<Uuid>,
    gateway_url: Option<String>,
) -> Result<(String, String)> {
    caller.require_admin()?;
    const NOT_CONNECTED: &str = "not connected: this service does not open gateway connections yet";
    if let Some(url) = gateway_url {
        return Ok((url, NOT_CONNECTED.to_owned()));
    }
    let Some(board_id) = board_id else {
        return Err(Error::Invalid(vec![FieldError {
            loc: vec!["query".into(), "board_id".into()],
            msg: "board_id or gateway_url is required".into(),
            kind: "missing".into(),
        }]));
    };
    let board = super::identity::board_for_user(store, caller, board_id, super::identity::Access::Read).await?;
    match board.gateway_id {
        None => Ok((String::new(), "not connected: the board has no gateway".to_owned())),
        Some(id) => {
            let gateway = store
                .get_gateway(caller.organization_id(), id)
                .await?
                .ok_or(Error::NotFound("Gateway not found"))?;
            Ok((gateway.url, NOT_CONNECTED.to_owned()))
        }
    }
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
