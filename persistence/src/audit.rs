//! The append-only audit trail.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::audit_events;
use crate::{AnyConnection, StoreError, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditEventRow {
    pub id: i64,
    pub occurred_at: NaiveDateTime,
    pub actor_type: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub actor_role: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub changes: Option<String>,
    pub request_id: Option<String>,
    pub client_address: Option<String>,
}

/// `treat_none_as_null`: one SQL text whatever is missing, so the statement is prepared once.
#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = audit_events, treat_none_as_null = true)]
pub struct NewAuditEvent {
    pub actor_type: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub actor_role: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    /// JSON object `{field: {"before": …, "after": …}}`, personal data already masked.
    pub changes: Option<String>,
    pub request_id: Option<String>,
    pub client_address: Option<String>,
}

pub fn append(conn: &mut AnyConnection, event: &NewAuditEvent) -> Result<(), StoreError> {
    diesel::insert_into(audit_events::table)
        .values((event, audit_events::occurred_at.eq(now_utc())))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub actor_id: Option<i64>,
    pub action: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    pub limit: i64,
    pub offset: i64,
}

type Backend = <AnyConnection as diesel::Connection>::Backend;

fn filtered(filter: &AuditFilter) -> audit_events::BoxedQuery<'static, Backend> {
    let mut query = audit_events::table.into_boxed();
    if let Some(v) = &filter.entity_type {
        query = query.filter(audit_events::entity_type.eq(v.clone()));
    }
    if let Some(v) = &filter.entity_id {
        query = query.filter(audit_events::entity_id.eq(v.clone()));
    }
    if let Some(v) = filter.actor_id {
        query = query.filter(audit_events::actor_id.eq(v));
    }
    if let Some(v) = &filter.action {
        query = query.filter(audit_events::action.eq(v.clone()));
    }
    if let Some(v) = filter.from {
        query = query.filter(audit_events::occurred_at.ge(v));
    }
    if let Some(v) = filter.to {
        query = query.filter(audit_events::occurred_at.lt(v));
    }
    query
}

/// Newest first.
pub fn list(
    conn: &mut AnyConnection,
    filter: &AuditFilter,
) -> Result<(Vec<AuditEventRow>, i64), StoreError> {
    let total = filtered(filter).count().get_result(conn)?;
    let rows = filtered(filter)
        .order((audit_events::occurred_at.desc(), audit_events::id.desc()))
        .limit(filter.limit)
        .offset(filter.offset)
        .select(AuditEventRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Appends many events with multi-row inserts (an import audits every record it touches).
pub fn append_many(conn: &mut AnyConnection, events: &[NewAuditEvent]) -> Result<(), StoreError> {
    let now = now_utc();
    // 12 columns a row: 400 rows stay under SQLite's and PostgreSQL's limits on bound values.
    for chunk in events.chunks(400) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|e| (e.clone(), audit_events::occurred_at.eq(now)))
            .collect();
        crate::per_backend!(conn, |c| diesel::insert_into(audit_events::table)
            .values(rows)
            .execute(c))?;
    }
    Ok(())
}
