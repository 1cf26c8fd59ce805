//! Programmes, the clinic's yearly cohorts, with their targets (by default the article's 30
//! cooperatives helped and 10 good a year) and funding partners.

pub mod model;

use klinik_persistence::clinic::partners;
use klinik_persistence::clinic::programmes::{
    self as store, ProgrammeFields, ProgrammeFilter, ProgrammeRow,
};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::paging::check_q;
use crate::prelude::*;
use crate::registry::cooperatives::query::IncludeArchivedQuery;
pub use model::{CreateProgramme, Funder, PatchProgramme, Programme};

fn with_funders(
    conn: &mut AnyConnection,
    rows: Vec<ProgrammeRow>,
) -> Result<Vec<Programme>, Error> {
    let ids: Vec<ProgrammeId> = rows.iter().map(|r| r.id).collect();
    let links = store::funders_of(conn, &ids)?;
    let partner_ids: Vec<PartnerId> = links.iter().map(|(_, p)| *p).collect();
    let names = partners::names(conn, &partner_ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let funders = links
                .iter()
                .filter(|(programme, _)| *programme == row.id)
                .map(|(_, partner)| Funder {
                    id: partner.get(),
                    name: names
                        .iter()
                        .find(|(id, _)| id == partner)
                        .map(|(_, name)| name.clone())
                        .unwrap_or_default(),
                })
                .collect();
            Programme::from_row(row, funders)
        })
        .collect())
}

fn load(
    conn: &mut AnyConnection,
    id: ProgrammeId,
    include_archived: bool,
) -> Result<Programme, Error> {
    let row = store::find(conn, id, include_archived).map_err(Error::missing(Record::Programme))?;
    with_funders(conn, vec![row])?
        .pop()
        .ok_or_else(|| Error::not_found(Record::Programme))
}

fn partner_ids(ids: &[i64]) -> Vec<PartnerId> {
    ids.iter().copied().map(PartnerId).collect()
}

/// A programme; a change is its columns and, when the request names them, its funders.
pub struct ProgrammeEntity;

impl Entity for ProgrammeEntity {
    type Id = ProgrammeId;
    type Row = ProgrammeRow;
    type View = Programme;
    type Changes = (ProgrammeFields, Option<Vec<i64>>);
    const KIND: &'static str = "programme";
    const NAME: Record = Record::Programme;

    fn find(conn: &mut AnyConnection, id: ProgrammeId) -> Result<ProgrammeRow, Error> {
        store::find(conn, id, false).map_err(Error::missing(Self::NAME))
    }

    fn view(conn: &mut AnyConnection, _: &Ctx, row: ProgrammeRow) -> Result<Programme, Error> {
        load(conn, row.id, true)
    }

    fn store(
        conn: &mut AnyConnection,
        id: ProgrammeId,
        expected_version: i64,
        (fields, funders): Self::Changes,
    ) -> Result<(), Error> {
        store::update(conn, id, expected_version, &fields)?;
        if let Some(funders) = funders {
            store::replace_funders(conn, id, &partner_ids(&funders))?;
        }
        Ok(())
    }
}

impl Archived for ProgrammeEntity {
    fn archive(
        conn: &mut AnyConnection,
        id: ProgrammeId,
        expected_version: i64,
    ) -> Result<(), Error> {
        Ok(store::archive(conn, id, expected_version)?)
    }
}

/// Filters of the programme list; they combine with AND. Unknown parameters are a 400.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProgrammeQuery {
    /// Only records changed at or after this time (RFC 3339, e.g. `2026-01-31T00:00:00Z`; by
    /// `updated_at`): a sync's catch-up. Archived records count only with `include_archived`
    /// where the list has it; the change feed (`/changes`) shows archivals too.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Only programmes of this year.
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    /// Part of the name, case-insensitive; `%` and `_` match themselves.
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// Include archived programmes.
    pub include_archived: Option<bool>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

pub async fn create(
    ctx: &Ctx,
    request: Idempotency,
    body: CreateProgramme,
) -> Result<Created, Error> {
    let (fields, funders) = body.into_fields()?;
    ctx.write(move |conn, ctx| {
        create_once(conn, ctx, &request, |conn| {
            model::check_references(conn, &fields, Some(&funders))?;
            let row = store::insert(conn, &fields)?;
            store::replace_funders(conn, row.id, &partner_ids(&funders))?;
            let record = load(conn, row.id, false)?;
            versioned::created::<ProgrammeEntity>(conn, ctx, row.id, &record)?;
            Created::new(&record, format!("/api/v1/programmes/{}", record.id))
        })
    })
    .await
}

/// Programmes, newest year first.
pub async fn list(ctx: &Ctx, query: ProgrammeQuery) -> Result<Page<Programme>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    check_q(&query.q)?;
    if query.year.is_some_and(|y| !(2000..=2100).contains(&y)) {
        return Err(Error::query(
            "year",
            "year_range",
            msg!("must lie within 2000–2100"),
        ));
    }
    let filter = ProgrammeFilter {
        updated_since: query.updated_since.map(|t| t.naive_utc()),
        year: query.year,
        q: query.q,
        include_archived: query.include_archived.unwrap_or(false),
    };
    let (items, total) = ctx
        .read(move |conn, _ctx| {
            let (rows, total) = store::list(conn, &filter, paging(&page))?;
            Ok::<_, Error>((with_funders(conn, rows)?, total))
        })
        .await?;
    Ok(page.wrap_capped(items, total))
}

pub async fn get(
    ctx: &Ctx,
    id: ProgrammeId,
    query: IncludeArchivedQuery,
) -> Result<Programme, Error> {
    let include_archived = query.include_archived.unwrap_or(false);
    ctx.read(move |conn, _ctx| load(conn, id, include_archived))
        .await
}

pub async fn update(
    ctx: &Ctx,
    id: ProgrammeId,
    if_match: IfMatch,
    patch: PatchProgramme,
) -> Result<Programme, Error> {
    ctx.write(move |conn, ctx| {
        versioned::update::<ProgrammeEntity>(conn, ctx, id, &if_match, |conn, current| {
            let (fields, funders) = patch.merge(current)?;
            model::check_references(conn, &fields, funders.as_deref())?;
            Ok((fields, funders))
        })
    })
    .await
}
