//! Reading the audit trail. Nothing changes or deletes an event.

use chrono::{DateTime, Utc};
use klinik_persistence::audit::{self as store, AuditEventRow, AuditFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::fields::utc;
use crate::prelude::*;

/// One recorded action.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 7, "occurred_at": "2026-11-28T10:00:00Z", "actor_type": "user", "actor_id": 2,
    "actor_name": "siti", "actor_role": "officer", "action": "update", "entity_type": "cooperative", "entity_id": "1",
    "changes": {"name": {"before": "Koperasi A", "after": "Koperasi B"}}, "request_id": "3b1f…", "client_address": "10.0.0.5"}))]
pub struct AuditEvent {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    /// `user`, `client`, `anonymous` (failed sign-ins) or `system`.
    pub actor_type: String,
    pub actor_id: Option<i64>,
    /// The username or client id as it was at that moment.
    pub actor_name: Option<String>,
    /// The role as it was at that moment.
    pub actor_role: Option<String>,
    /// e.g. `create`, `update`, `archive`, `set_status_override`, `sign_in`, `sign_in_failed`.
    pub action: String,
    /// e.g. `cooperative`, `annual_report`, `user`, `client`, `session`.
    pub entity_type: String,
    pub entity_id: Option<String>,
    /// `{field: {"before": …, "after": …}}`; personal data shows as `***`.
    #[schema(value_type = Option<Object>)]
    pub changes: Option<serde_json::Value>,
    pub request_id: Option<String>,
    pub client_address: Option<String>,
}

impl From<AuditEventRow> for AuditEvent {
    fn from(row: AuditEventRow) -> Self {
        AuditEvent {
            id: row.id,
            occurred_at: utc(row.occurred_at),
            actor_type: row.actor_type,
            actor_id: row.actor_id,
            actor_name: row.actor_name,
            actor_role: row.actor_role,
            action: row.action,
            entity_type: row.entity_type,
            entity_id: row.entity_id,
            changes: row.changes.and_then(|c| serde_json::from_str(&c).ok()),
            request_id: row.request_id,
            client_address: row.client_address,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only events about this kind of record, e.g. `cooperative`.
    #[param(min_length = 1, max_length = 50)]
    pub entity_type: Option<String>,
    /// Only events about this record (with `entity_type`).
    #[param(min_length = 1, max_length = 100)]
    pub entity_id: Option<String>,
    /// Only events by this user or client id.
    #[param(minimum = 1)]
    pub actor_id: Option<i64>,
    /// Only this action, e.g. `update`.
    #[param(min_length = 1, max_length = 50)]
    pub action: Option<String>,
    /// From this time (inclusive), RFC 3339.
    pub from: Option<DateTime<Utc>>,
    /// Before this time (exclusive), RFC 3339.
    pub to: Option<DateTime<Utc>>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

fn text_param(name: &str, value: &Option<String>, max: usize) -> Result<(), Error> {
    if value
        .as_ref()
        .is_some_and(|v| v.is_empty() || v.chars().count() > max)
    {
        return Err(Error::query(
            name,
            "invalid_length",
            msg!("must be 1 to %{max} characters", max = max),
        ));
    }
    Ok(())
}

/// Events matching the filters, newest first.
pub async fn list(ctx: &Ctx, q: AuditQuery) -> Result<Page<AuditEvent>, Error> {
    let page = PageRequest::new(q.page, q.page_size)?;
    text_param("entity_type", &q.entity_type, 50)?;
    text_param("entity_id", &q.entity_id, 100)?;
    text_param("action", &q.action, 50)?;
    if q.actor_id.is_some_and(|id| id < 1) {
        return Err(Error::query(
            "actor_id",
            "out_of_range",
            msg!("must be at least 1"),
        ));
    }
    let filter = AuditFilter {
        entity_type: q.entity_type,
        entity_id: q.entity_id,
        actor_id: q.actor_id,
        action: q.action,
        from: q.from.map(|t| t.naive_utc()),
        to: q.to.map(|t| t.naive_utc()),
        limit: page.limit(),
        offset: page.offset(),
    };
    let (rows, total) = ctx
        .read(move |conn, _ctx| Ok::<_, Error>(store::list(conn, &filter)?))
        .await?;
    Ok(page.wrap(rows.into_iter().map(AuditEvent::from).collect(), total))
}
