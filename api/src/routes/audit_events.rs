//! Reading the audit trail (admin only): `/api/v1/audit-events`.

use klinik_app::accounts::audit_events::{self, AuditEvent, AuditQuery};

use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config.service(list_audit_events);
}

/// List audit events, newest first.
///
/// Filters combine with AND. The trail is append-only: no operation changes or deletes an event,
/// and on PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE.
#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "One page of events.", body = Page<AuditEvent>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/audit-events")]
pub async fn list_audit_events(allowed: Allowed, query: QueryParams<AuditQuery>) -> Reply {
    ok(audit_events::list(&allowed, query.0).await?)
}
