//! Custom field definitions of the organization, and checking a task's values against the
//! definitions bound to its board.

use std::collections::BTreeMap;

use serde_json::Value;
use uuid::Uuid;

use super::identity::UserCaller;
use super::{Error, FieldError, Result, deleted, non_blank};
use crate::domain::custom_fields::{FieldRule, FieldType, Visibility, check_regex, check_value, resolve_values};
use crate::domain::now;
use crate::store::{CustomFieldRow, CustomFieldView, CustomValueWrite, Store};

/// Definition fields as sent; `None` leaves a field alone (or takes the default on create),
/// `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub struct CustomFieldInput {
    pub field_key: Option<String>,
    pub label: Option<String>,
    pub field_type: Option<FieldType>,
    pub ui_visibility: Option<Visibility>,
    pub validation_regex: Option<Option<String>>,
    pub description: Option<Option<String>>,
    pub required: Option<bool>,
    pub default_value: Option<Option<Value>>,
    pub board_ids: Option<Vec<Uuid>>,
}

fn invalid(field: &str, msg: impl Into<String>) -> Error {
    Error::Invalid(vec![FieldError::body(field, msg)])
}

fn rule_of(row: &CustomFieldRow) -> FieldRule {
    FieldRule {
        id: row.id,
        key: row.field_key.clone(),
        // The CHECK constraint keeps stored types valid.
        field_type: FieldType::parse(&row.field_type).unwrap_or(FieldType::Text),
        validation_regex: row.validation_regex.clone(),
        required: row.required,
        default_value: row.default_value.clone(),
    }
}

/// Checks the `custom_field_values` sent with a task against its board's definitions and
/// returns what to store (defaults filled in on create). Problems answer 422 at
/// `body.custom_field_values.<key>`.
pub async fn task_values(
    store: &Store,
    board_id: Uuid,
    sent: Option<&BTreeMap<String, Value>>,
    creating: bool,
) -> Result<Vec<CustomValueWrite>> {
    let empty = BTreeMap::new();
    let sent = match sent {
        Some(sent) => sent,
        None if creating => &empty,
        None => return Ok(Vec::new()),
    };
    let rules: Vec<FieldRule> = store.board_custom_fields(board_id).await?.iter().map(rule_of).collect();
    match resolve_values(&rules, sent, creating) {
        Ok(writes) => Ok(writes
            .into_iter()
            .map(|(definition_id, value)| CustomValueWrite { definition_id, value })
            .collect()),
        Err(errors) => Err(Error::Invalid(
            errors
                .into_iter()
                .map(|e| FieldError {
                    loc: vec![
                        Value::from("body"),
                        Value::from("custom_field_values"),
                        Value::from(e.key),
                    ],
                    msg: e.msg,
                    kind: "value_error".to_owned(),
                })
                .collect(),
        )),
    }
}

pub async fn list(store: &Store, caller: &UserCaller) -> Result<Vec<CustomFieldView>> {
    Ok(store.list_custom_fields(caller.organization_id()).await?)
}

/// Board ids must all be boards of the caller's organization.
async fn check_boards(store: &Store, caller: &UserCaller, ids: &[Uuid]) -> Result<Vec<Uuid>> {
    let ids = crate::domain::tasks::dedupe(ids);
    let found = store.boards_in_organization(caller.organization_id(), &ids).await?;
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !found.contains(id))
        .map(Uuid::to_string)
        .collect();
    if missing.is_empty() {
        Ok(ids)
    } else {
        Err(invalid(
            "board_ids",
            format!("Boards not found in this organization: {}", missing.join(", ")),
        ))
    }
}

/// Applies the input to a definition and re-checks the parts that depend on each other:
/// the regex against the type, the default against the type and regex.
fn apply(row: &mut CustomFieldRow, input: &CustomFieldInput) -> Result<()> {
    if let Some(label) = &input.label {
        row.label = non_blank("label", label)?;
    }
    if let Some(t) = input.field_type {
        row.field_type = t.as_str().to_owned();
    }
    if let Some(v) = input.ui_visibility {
        row.ui_visibility = v.as_str().to_owned();
    }
    if let Some(regex) = &input.validation_regex {
        row.validation_regex = regex.clone().filter(|r| !r.is_empty());
    }
    if let Some(description) = &input.description {
        row.description = description.clone();
    }
    if let Some(required) = input.required {
        row.required = required;
    }
    if let Some(default) = &input.default_value {
        row.default_value = default.clone().filter(|d| !d.is_null());
    }
    let field_type = FieldType::parse(&row.field_type).unwrap_or(FieldType::Text);
    if let Some(regex) = &row.validation_regex {
        check_regex(field_type, regex).map_err(|msg| invalid("validation_regex", msg))?;
    }
    if let Some(default) = &row.default_value {
        check_value(field_type, row.validation_regex.as_deref(), default)
            .map_err(|msg| invalid("default_value", msg))?;
    }
    Ok(())
}

pub async fn create(store: &Store, caller: &UserCaller, input: CustomFieldInput) -> Result<CustomFieldView> {
    caller.require_admin()?;
    let field_key = non_blank("field_key", input.field_key.as_deref().unwrap_or_default())?;
    let board_ids = input.board_ids.clone().unwrap_or_default();
    if board_ids.is_empty() {
        return Err(invalid("board_ids", "At least one board is required"));
    }
    let board_ids = check_boards(store, caller, &board_ids).await?;
    let at = now();
    let mut definition = CustomFieldRow {
        id: Uuid::new_v4(),
        organization_id: caller.organization_id(),
        label: field_key.clone(),
        field_key,
        field_type: FieldType::Text.as_str().to_owned(),
        ui_visibility: Visibility::Always.as_str().to_owned(),
        validation_regex: None,
        description: None,
        required: false,
        default_value: None,
        created_at: at,
        updated_at: at,
    };
    apply(&mut definition, &input)?;
    let view = CustomFieldView { definition, board_ids };
    match store.insert_custom_field(&view).await {
        Err(crate::store::StoreError::Conflict { .. }) => Err(Error::Conflict(
            "Field key already exists in this organization".to_owned(),
        )),
        other => Ok(other.map(|()| view)?),
    }
}

pub async fn update(store: &Store, caller: &UserCaller, id: Uuid, input: CustomFieldInput) -> Result<CustomFieldView> {
    caller.require_admin()?;
    let mut view = store
        .get_custom_field(caller.organization_id(), id)
        .await?
        .ok_or(Error::NotFound("Custom field not found"))?;
    if let Some(key) = &input.field_key
        && key.trim() != view.definition.field_key
    {
        return Err(invalid("field_key", "field_key cannot be changed"));
    }
    let rebind = match &input.board_ids {
        Some(ids) => {
            view.board_ids = check_boards(store, caller, ids).await?;
            true
        }
        None => false,
    };
    apply(&mut view.definition, &input)?;
    view.definition.updated_at = now();
    store.update_custom_field(&view, rebind).await?;
    Ok(view)
}

pub async fn delete(store: &Store, caller: &UserCaller, id: Uuid) -> Result<()> {
    caller.require_admin()?;
    match store.delete_custom_field(caller.organization_id(), id).await {
        Ok(removed) => deleted(removed, "Custom field not found"),
        Err(crate::store::StoreError::Conflict { .. }) => Err(Error::Conflict(
            "Custom field has stored task values and cannot be deleted".to_owned(),
        )),
        Err(e) => Err(e.into()),
    }
}
