//! Annual reports of a cooperative, one per book year. Each change recomputes the cooperative's
//! activity status in the same transaction.

pub mod model;

use klinik_persistence::annual_reports::{self as store, AnnualReportFields, AnnualReportRow};
use klinik_persistence::cooperatives as cooperative_store;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::audit::diff;
use crate::prelude::*;
use crate::registry::cooperatives::status;
use model::{AnnualReport, CreateAnnualReport, PatchAnnualReport, validate};

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportListQuery {
    /// Also list the reports of an archived cooperative.
    pub include_archived: Option<bool>,
    /// Only reports changed at or after this time (RFC 3339): a sync's catch-up.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportReadQuery {
    /// Also find the report of an archived cooperative.
    pub include_archived: Option<bool>,
}

/// A report is found by its cooperative (which must exist and not be archived) and book year.
pub struct AnnualReportEntity;

impl Entity for AnnualReportEntity {
    type Id = (CooperativeId, i32);
    type Row = AnnualReportRow;
    type View = AnnualReport;
    type Changes = AnnualReportFields;
    const KIND: &'static str = "annual_report";
    const NAME: Record = Record::AnnualReport;

    fn find(
        conn: &mut AnyConnection,
        (cooperative_id, book_year): Self::Id,
    ) -> Result<AnnualReportRow, Error> {
        cooperative_store::find(conn, cooperative_id, false)
            .map_err(Error::missing(Record::Cooperative))?;
        store::find(conn, cooperative_id, book_year).map_err(Error::missing(Self::NAME))
    }

    fn view(
        _conn: &mut AnyConnection,
        _ctx: &Ctx,
        row: AnnualReportRow,
    ) -> Result<AnnualReport, Error> {
        Ok(AnnualReport::from(row))
    }

    /// Stores the report and recomputes its cooperative's status.
    fn store(
        conn: &mut AnyConnection,
        (cooperative_id, book_year): Self::Id,
        expected_version: i64,
        fields: AnnualReportFields,
    ) -> Result<(), Error> {
        let current = store::find(conn, cooperative_id, book_year)?;
        store::update(conn, current.id, expected_version, &fields)?;
        Ok(())
    }
}

/// Recomputes the status of the report's cooperative after its reports changed.
fn refresh_status(app: &App, conn: &mut AnyConnection, id: CooperativeId) -> Result<(), Error> {
    let cooperative = cooperative_store::find(conn, id, true)?;
    Ok(status::refresh(conn, app.activity_rule, &cooperative)?)
}

/// Files the report of one book year (a second for the same year is a 409).
pub async fn create(
    ctx: &Ctx,
    cooperative_id: CooperativeId,
    request: Idempotency,
    body: CreateAnnualReport,
) -> Result<Created, Error> {
    let fields: AnnualReportFields = body.into();
    validate(&fields, today())?;
    ctx
        .write(move |conn, ctx| {
            create_once(conn, ctx, &request, |conn| {
                cooperative_store::find(conn, cooperative_id, false)
                    .map_err(Error::missing(Record::Cooperative))?;
                let row = store::insert(conn, cooperative_id, &fields).map_err(|e| {
                    if e.duplicate_of("book_year") {
                        Error::conflict(
                            "book_year",
                            "duplicate_book_year",
                            msg!("This cooperative already has a report for this book year; change it with PATCH."),
                        )
                    } else {
                        Error::from(e)
                    }
                })?;
                refresh_status(&ctx.app, conn, cooperative_id)?;
                let report = AnnualReport::from(row);
                versioned::created::<AnnualReportEntity>(conn, ctx, report.id, &report)?;
                let location = format!(
                    "/api/v1/cooperatives/{cooperative_id}/annual-reports/{}",
                    report.book_year
                );
                Created::new(&report, location)
            })
        })
        .await
}

/// A cooperative's reports, newest book year first.
pub async fn list(
    ctx: &Ctx,
    cooperative_id: CooperativeId,
    query: ReportListQuery,
) -> Result<Page<AnnualReport>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    let include_archived = query.include_archived.unwrap_or(false);
    let since = query.updated_since.map(|t| t.naive_utc());
    let (rows, total) = ctx
        .read(move |conn, _ctx| {
            cooperative_store::find(conn, cooperative_id, include_archived)
                .map_err(Error::missing(Record::Cooperative))?;
            Ok::<_, Error>(store::list(
                conn,
                cooperative_id,
                since,
                page.limit(),
                page.offset(),
            )?)
        })
        .await?;
    let items = rows.into_iter().map(AnnualReport::from).collect();
    Ok(page.wrap(items, total))
}

/// The report of one book year.
pub async fn get(
    ctx: &Ctx,
    (cooperative_id, book_year): (CooperativeId, i32),
    query: ReportReadQuery,
) -> Result<AnnualReport, Error> {
    let include_archived = query.include_archived.unwrap_or(false);
    let row = ctx
        .read(move |conn, _ctx| {
            cooperative_store::find(conn, cooperative_id, include_archived)
                .map_err(Error::missing(Record::Cooperative))?;
            store::find(conn, cooperative_id, book_year)
                .map_err(Error::missing(Record::AnnualReport))
        })
        .await?;
    Ok(AnnualReport::from(row))
}

/// Corrects a report; the result must satisfy every rule as a whole.
pub async fn update(
    ctx: &Ctx,
    id: (CooperativeId, i32),
    if_match: IfMatch,
    patch: PatchAnnualReport,
) -> Result<AnnualReport, Error> {
    ctx.write(move |conn, ctx| {
        let report =
            versioned::update::<AnnualReportEntity>(conn, ctx, id, &if_match, |_, current| {
                let fields = patch.apply(current);
                validate(&fields, today())?;
                Ok(fields)
            })?;
        refresh_status(&ctx.app, conn, id.0)?;
        Ok(report)
    })
    .await
}

/// Deletes a report entered by mistake, so that its book year can be filed again.
pub async fn delete(ctx: &Ctx, id: (CooperativeId, i32), if_match: IfMatch) -> Result<(), Error> {
    ctx.write(move |conn, ctx| {
        let current = AnnualReportEntity::find(conn, id)?;
        // Erased, not archived: its minutes and statements would be left without a record.
        crate::documents::refuse_erasing_with_documents(
            conn,
            klinik_domain::documents::DocumentOwner::AnnualReport,
            current.id.get(),
        )?;
        if_match.check(current.version)?;
        store::delete(conn, current.id, current.version)?;
        refresh_status(&ctx.app, conn, id.0)?;
        let before = AnnualReport::from(current);
        let changes = diff::<AnnualReport, AnnualReport>(Some(&before), None, &[]);
        versioned::committed(
            conn,
            ctx,
            "delete",
            AnnualReportEntity::KIND,
            &before.id.to_string(),
            Some(changes),
        )
    })
    .await
}
