//! The change feed for other systems: `/api/v1/changes`.

use klinik_app::changes::{self, ChangesPage, ChangesQuery};

use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config.service(list_changes);
}

/// Read the change feed.
///
/// Every create, update, archive and status change of cooperatives, annual reports, UKM, yearly
/// figures, programmes, cases (an outcome is part of its case), diagnoses, recommendations,
/// activities, evaluations and dissolution proposals, in the order they committed. Each entry
/// carries the record as its own `GET` shows it to you now, personal data masked as there.
///
/// To keep a copy: note `head` (read with any `after`), copy the lists (with `updated_since` for a
/// later catch-up), then page with `after` = `next_after` for as long as you follow. No entry is
/// ever skipped or repeated by paging, even when writers commit out of order; an entry you see
/// again after a restart (same `position`) is the same change. Integration clients see the kinds
/// their scopes cover: `registry:read` the registries, `clinic:read` the clinic (403 without
/// either); an assessor sees the clinic records of their teams' cases. Entries are kept for
/// `KLINIK_CHANGE_RETENTION_DAYS` (90 by default): an older cursor answers 410.
#[utoipa::path(
    tag = "changes",
    params(ChangesQuery),
    responses(
        (status = 200, description = "A page of the feed, oldest first.", body = ChangesPage),
        (status = 400, response = responses::BadRequest),
        (status = 410, response = responses::CursorExpired),
    ),
)]
#[get("/changes")]
pub async fn list_changes(allowed: Allowed, query: QueryParams<ChangesQuery>) -> Reply {
    ok(changes::list(&allowed, query.0).await?)
}
