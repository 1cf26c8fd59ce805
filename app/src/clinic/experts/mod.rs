//! Experts of the diagnosis teams, mentors and speakers, with their areas of expertise. Phone
//! and e-mail are shown in clear to admins and officers only.

pub mod model;

use klinik_domain::clinic::{ExpertRole, ProblemCategory};
use klinik_persistence::StoreError;
use klinik_persistence::clinic::experts::{self as store, ExpertFields, ExpertFilter, ExpertRow};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::paging::check_q;
use crate::prelude::*;
use crate::registry::cooperatives::query::IncludeArchivedQuery;
pub use model::{CreateExpert, Expert, PatchExpert};

/// Phone and e-mail: in the audit trail they show only as changed.
const PERSONAL: &[&str] = &["phone", "email"];

fn with_details(conn: &mut AnyConnection, rows: Vec<ExpertRow>) -> Result<Vec<Expert>, Error> {
    let ids: Vec<ExpertId> = rows.iter().map(|r| r.id).collect();
    let expertise = store::expertise_of(conn, &ids)?;
    let partner_ids: Vec<PartnerId> = rows.iter().filter_map(|r| r.partner_id).collect();
    let partners = klinik_persistence::clinic::partners::names(conn, &partner_ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let categories = expertise
                .iter()
                .filter(|(id, _)| *id == row.id)
                .map(|(_, c)| *c)
                .collect();
            let partner_name = partners
                .iter()
                .find(|(id, _)| Some(*id) == row.partner_id)
                .map(|(_, name)| name.clone());
            Expert::from_row(row, categories, partner_name, true)
        })
        .collect())
}

fn load(conn: &mut AnyConnection, id: ExpertId, include_archived: bool) -> Result<Expert, Error> {
    let row = store::find(conn, id, include_archived).map_err(Error::missing(Record::Expert))?;
    with_details(conn, vec![row])?
        .pop()
        .ok_or_else(|| Error::not_found(Record::Expert))
}

fn duplicate_user(error: StoreError) -> Error {
    if error.duplicate_of("user_id") {
        Error::conflict(
            "user_id",
            "duplicate_user",
            msg!("Another expert is already linked to this user account."),
        )
    } else {
        Error::from(error)
    }
}

/// An expert: the view is the whole record (the audit trail compares it in clear); callers get
/// it through [`Expert::for_caller`].
pub struct ExpertEntity;

impl Entity for ExpertEntity {
    type Id = ExpertId;
    type Row = ExpertRow;
    type View = Expert;
    type Changes = (ExpertFields, Option<Vec<ProblemCategory>>);
    const KIND: &'static str = "expert";
    const NAME: Record = Record::Expert;
    const PERSONAL: &'static [&'static str] = PERSONAL;

    fn find(conn: &mut AnyConnection, id: ExpertId) -> Result<ExpertRow, Error> {
        store::find(conn, id, false).map_err(Error::missing(Self::NAME))
    }

    fn view(conn: &mut AnyConnection, _: &Ctx, row: ExpertRow) -> Result<Expert, Error> {
        load(conn, row.id, true)
    }

    fn store(
        conn: &mut AnyConnection,
        id: ExpertId,
        expected_version: i64,
        (fields, expertise): Self::Changes,
    ) -> Result<(), Error> {
        store::update(conn, id, expected_version, fields).map_err(duplicate_user)?;
        if let Some(expertise) = expertise {
            store::replace_expertise(conn, id, &expertise)?;
        }
        Ok(())
    }
}

impl Archived for ExpertEntity {
    fn archive(conn: &mut AnyConnection, id: ExpertId, expected_version: i64) -> Result<(), Error> {
        Ok(store::archive(conn, id, expected_version)?)
    }
}

/// Filters of the expert list; they combine with AND. Unknown parameters are a 400.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExpertQuery {
    /// Only records changed at or after this time (RFC 3339, e.g. `2026-01-31T00:00:00Z`; by
    /// `updated_at`): a sync's catch-up. Archived records count only with `include_archived`
    /// where the list has it; the change feed (`/changes`) shows archivals too.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Only this role.
    pub role: Option<ExpertRole>,
    /// Only experts from this partner institution.
    #[param(minimum = 1)]
    pub partner_id: Option<i64>,
    /// Only experts with this area of expertise.
    pub expertise: Option<ProblemCategory>,
    /// Only active (or inactive) experts.
    pub active: Option<bool>,
    /// Part of the name, case-insensitive; `%` and `_` match themselves.
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// Include archived experts.
    pub include_archived: Option<bool>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

pub async fn create(ctx: &Ctx, request: Idempotency, body: CreateExpert) -> Result<Created, Error> {
    let (fields, expertise) = body.into_fields()?;
    let clear = ctx.caller.is_staff();
    ctx.write(move |conn, ctx| {
        create_once(conn, ctx, &request, |conn| {
            model::check_references(conn, &fields)?;
            let row = store::insert(conn, fields).map_err(duplicate_user)?;
            store::replace_expertise(conn, row.id, &expertise)?;
            let audited = load(conn, row.id, false)?;
            versioned::created::<ExpertEntity>(conn, ctx, row.id, &audited)?;
            let record = audited.for_caller(clear);
            Created::new(&record, format!("/api/v1/experts/{}", record.id))
        })
    })
    .await
}

/// Experts by name.
pub async fn list(ctx: &Ctx, query: ExpertQuery) -> Result<Page<Expert>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    check_q(&query.q)?;
    check_ids(&[("partner_id", query.partner_id)])?;
    let filter = ExpertFilter {
        updated_since: query.updated_since.map(|t| t.naive_utc()),
        role: query.role,
        partner_id: query.partner_id.map(PartnerId),
        expertise: query.expertise,
        active: query.active,
        q: query.q,
        include_archived: query.include_archived.unwrap_or(false),
    };
    let clear = ctx.caller.is_staff();
    let (items, total) = ctx
        .read(move |conn, _ctx| {
            let (rows, total) = store::list(conn, &filter, paging(&page))?;
            Ok::<_, Error>((with_details(conn, rows)?, total))
        })
        .await?;
    let items = items.into_iter().map(|e| e.for_caller(clear)).collect();
    Ok(page.wrap_capped(items, total))
}

pub async fn get(ctx: &Ctx, id: ExpertId, query: IncludeArchivedQuery) -> Result<Expert, Error> {
    let include_archived = query.include_archived.unwrap_or(false);
    let clear = ctx.caller.is_staff();
    let record = ctx
        .read(move |conn, _ctx| load(conn, id, include_archived))
        .await?;
    Ok(record.for_caller(clear))
}

pub async fn update(
    ctx: &Ctx,
    id: ExpertId,
    if_match: IfMatch,
    patch: PatchExpert,
) -> Result<Expert, Error> {
    let clear = ctx.caller.is_staff();
    let record = ctx
        .write(move |conn, ctx| {
            versioned::update::<ExpertEntity>(conn, ctx, id, &if_match, |conn, current| {
                let (fields, expertise) = patch.merge(current)?;
                model::check_references(conn, &fields)?;
                Ok((fields, expertise))
            })
        })
        .await?;
    Ok(record.for_caller(clear))
}
