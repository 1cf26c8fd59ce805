//! Writing the audit trail: who did what to which record, with the changed fields.
//! Called inside the transaction of the change, so that both commit or neither does.

use klinik_persistence::audit::{self, NewAuditEvent};
use serde_json::{Map, Value, json};

use crate::context::Origin;
use crate::prelude::*;

/// Shown instead of a personal value in the trail.
pub const MASK: &str = "***";

/// Fields that never enter a diff (they change on every write).
const BOOKKEEPING: &[&str] = &["version", "created_at", "updated_at"];

/// The request's actor and origin, as the audit trail records them.
#[derive(Debug, Clone, Default)]
pub struct AuditContext {
    pub actor_type: &'static str,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub actor_role: Option<String>,
    pub request_id: Option<String>,
    pub client_address: Option<String>,
}

impl AuditContext {
    /// An authorized caller's actions from `origin`.
    pub fn of(caller: &Caller, origin: &Origin) -> Self {
        let (actor_type, actor_id, actor_name, actor_role) = match caller {
            Caller::User {
                id, username, role, ..
            } => (
                "user",
                Some(id.get()),
                Some(username.clone()),
                Some(role.as_str().to_owned()),
            ),
            Caller::Client { id, client_id, .. } => (
                "client",
                Some(id.get()),
                Some(client_id.clone()),
                Some("integration".to_owned()),
            ),
        };
        AuditContext {
            actor_type,
            actor_id,
            actor_name,
            actor_role,
            request_id: origin.request_id.clone(),
            client_address: origin.client_address.clone(),
        }
    }

    /// A request without a signed-in caller (sign-in, token requests).
    pub fn anonymous(origin: &Origin) -> Self {
        AuditContext {
            actor_type: "anonymous",
            request_id: origin.request_id.clone(),
            client_address: origin.client_address.clone(),
            ..AuditContext::default()
        }
    }

    /// The same origin, with another actor (e.g. the user who just signed in).
    pub fn as_user(&self, id: i64, username: &str, role: &str) -> Self {
        AuditContext {
            actor_type: "user",
            actor_id: Some(id),
            actor_name: Some(username.to_owned()),
            actor_role: Some(role.to_owned()),
            ..self.clone()
        }
    }

    pub fn as_client(&self, id: i64, client_id: &str) -> Self {
        AuditContext {
            actor_type: "client",
            actor_id: Some(id),
            actor_name: Some(client_id.to_owned()),
            actor_role: Some("integration".to_owned()),
            ..self.clone()
        }
    }

    /// Appends one event.
    pub fn record(
        &self,
        conn: &mut AnyConnection,
        action: &str,
        entity_type: &str,
        entity_id: Option<String>,
        changes: Option<Value>,
    ) -> Result<(), Error> {
        audit::append(conn, &self.event(action, entity_type, entity_id, changes))?;
        Ok(())
    }

    /// The event `record` would write, for callers that write many at once.
    pub fn event(
        &self,
        action: &str,
        entity_type: &str,
        entity_id: Option<String>,
        changes: Option<Value>,
    ) -> NewAuditEvent {
        NewAuditEvent {
            actor_type: self.actor_type.to_owned(),
            actor_id: self.actor_id,
            actor_name: self.actor_name.clone(),
            actor_role: self.actor_role.clone(),
            action: action.to_owned(),
            entity_type: entity_type.to_owned(),
            entity_id,
            changes: changes.map(|c| c.to_string()),
            request_id: self.request_id.clone(),
            client_address: self.client_address.clone(),
        }
    }
}

fn masked(value: &Value, personal: bool) -> Value {
    if personal && !value.is_null() {
        json!(MASK)
    } else {
        value.clone()
    }
}

/// `{field: {"before": …, "after": …}}` for each top-level field that differs between two
/// serialised records (`None` for a record that did not exist). Fields named in `personal` show
/// only that they changed.
pub fn diff<B: serde::Serialize, A: serde::Serialize>(
    before: Option<&B>,
    after: Option<&A>,
    personal: &[&str],
) -> Value {
    let to_map = |v: Option<Value>| match v {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let before = to_map(before.and_then(|b| serde_json::to_value(b).ok()));
    let after = to_map(after.and_then(|a| serde_json::to_value(a).ok()));
    let mut changes = Map::new();
    let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for key in keys {
        if BOOKKEEPING.contains(&key.as_str()) {
            continue;
        }
        let old = before.get(key).cloned().unwrap_or(Value::Null);
        let new = after.get(key).cloned().unwrap_or(Value::Null);
        if old != new {
            let personal = personal.contains(&key.as_str());
            changes.insert(
                key.clone(),
                json!({"before": masked(&old, personal), "after": masked(&new, personal)}),
            );
        }
    }
    Value::Object(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_names_changed_fields_and_masks_personal_ones() {
        let before = json!({"name": "A", "email": "a@x.id", "version": 1, "same": 3});
        let after = json!({"name": "B", "email": "b@x.id", "version": 2, "same": 3});
        let changes = diff(Some(&before), Some(&after), &["email"]);
        assert_eq!(
            changes,
            json!({"name": {"before": "A", "after": "B"}, "email": {"before": "***", "after": "***"}})
        );
        let created = diff::<Value, Value>(None, Some(&json!({"name": "A"})), &[]);
        assert_eq!(created, json!({"name": {"before": null, "after": "A"}}));
    }
}
