//! Yearly business figures of a UKM (turnover, workers, assets), to measure growth.

use chrono::{DateTime, Datelike, Utc};
use klinik_domain::{Violation, Violations, annual_report};
use klinik_persistence::ukm::{self as store, YearlyFigures, YearlyFiguresRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::fields::utc;
use crate::prelude::*;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"year": 2025, "turnover": 240000000, "workers": 4, "assets": 60000000}))]
pub struct CreateYearlyFigures {
    /// From 1945 to the current year; one record per year.
    #[schema(minimum = 1945, maximum = 9999)]
    pub year: i32,
    /// Omzet, whole rupiah.
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub turnover: Option<i64>,
    #[schema(minimum = 0, maximum = 10_000_000)]
    pub workers: Option<i64>,
    /// Aset, whole rupiah.
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub assets: Option<i64>,
}

/// One year's figures.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "ukm_id": 1, "year": 2025, "turnover": 240000000, "workers": 4, "assets": 60000000,
    "version": 1, "created_at": "2026-01-15T08:00:00Z", "updated_at": "2026-01-15T08:00:00Z"}))]
pub struct YearlyFiguresRecord {
    pub id: i64,
    pub ukm_id: i64,
    pub year: i32,
    pub turnover: Option<i64>,
    pub workers: Option<i64>,
    pub assets: Option<i64>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<YearlyFiguresRow> for YearlyFiguresRecord {
    fn from(r: YearlyFiguresRow) -> Self {
        YearlyFiguresRecord {
            id: r.id,
            ukm_id: r.ukm_id.get(),
            year: r.year,
            turnover: r.turnover,
            workers: r.workers,
            assets: r.assets,
            version: r.version,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
        }
    }
}

impl Tagged for YearlyFiguresRecord {
    fn version(&self) -> i64 {
        self.version
    }
}

/// A year's figures, found by their id: created once here, replaced by an import.
pub struct YearlyFiguresEntity;

impl Entity for YearlyFiguresEntity {
    type Id = i64;
    type Row = YearlyFiguresRow;
    type View = YearlyFiguresRecord;
    type Changes = YearlyFigures;
    const KIND: &'static str = "ukm_yearly_figures";
    const NAME: Record = Record::YearlyFigures;

    fn find(
        conn: &mut klinik_persistence::AnyConnection,
        id: i64,
    ) -> Result<YearlyFiguresRow, Error> {
        store::figures::find(conn, id).map_err(Error::missing(Self::NAME))
    }

    fn view(
        _conn: &mut klinik_persistence::AnyConnection,
        _ctx: &Ctx,
        row: YearlyFiguresRow,
    ) -> Result<YearlyFiguresRecord, Error> {
        Ok(YearlyFiguresRecord::from(row))
    }

    fn store(
        conn: &mut klinik_persistence::AnyConnection,
        id: i64,
        expected_version: i64,
        figures: YearlyFigures,
    ) -> Result<(), Error> {
        Ok(store::figures::update(
            conn,
            id,
            expected_version,
            &figures,
        )?)
    }
}

/// Records a UKM's figures for one year (409 for a second record of the same year).
pub async fn create(
    ctx: &Ctx,
    ukm_id: UkmId,
    request: Idempotency,
    input: CreateYearlyFigures,
) -> Result<Created, Error> {
    check_figures(&input).into_result()?;
    let figures = YearlyFigures {
        year: input.year,
        turnover: input.turnover,
        workers: input.workers,
        assets: input.assets,
    };
    ctx.write(move |conn, ctx| {
        create_once(conn, ctx, &request, |conn| {
            store::find(conn, ukm_id, false).map_err(Error::missing(Record::Ukm))?;
            let row = store::insert_figures(conn, ukm_id, &figures).map_err(|e| {
                if e.duplicate_of("year") {
                    Error::conflict(
                        "year",
                        "duplicate_year",
                        msg!("This UKM already has figures for this year."),
                    )
                } else {
                    e.into()
                }
            })?;
            let record = YearlyFiguresRecord::from(row);
            versioned::created::<YearlyFiguresEntity>(conn, ctx, record.id, &record)?;
            Created::new(&record, format!("/api/v1/ukm/{ukm_id}/yearly-figures"))
        })
    })
    .await
}

/// How to read a UKM's yearly figures.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FiguresQuery {
    /// Only years whose figures changed at or after this time (RFC 3339): a sync's catch-up.
    pub updated_since: Option<DateTime<Utc>>,
}

/// A UKM's yearly figures, newest year first.
pub async fn list(
    ctx: &Ctx,
    ukm_id: UkmId,
    query: FiguresQuery,
) -> Result<Vec<YearlyFiguresRecord>, Error> {
    let since = query.updated_since.map(|t| t.naive_utc());
    let mut rows = ctx
        .read_nearby(move |conn, _ctx| {
            store::find(conn, ukm_id, false).map_err(Error::missing(Record::Ukm))?;
            Ok::<_, Error>(store::list_figures(conn, ukm_id)?)
        })
        .await?;
    rows.retain(|r| since.is_none_or(|t| r.updated_at >= t));
    Ok(rows.into_iter().map(YearlyFiguresRecord::from).collect())
}

/// The rules of one year's figures: the year from 1945 to this year, amounts and counts in range.
pub fn check_figures(input: &CreateYearlyFigures) -> Violations {
    let mut violations = Violations::default();
    violations.check(annual_report::book_year(
        "year",
        input.year,
        Utc::now().date_naive(),
    ));
    for (field, value) in [("turnover", input.turnover), ("assets", input.assets)] {
        if let Some(v) = value {
            violations.check(annual_report::rupiah(field, v, false));
        }
    }
    if let Some(w) = input.workers {
        violations.check(annual_report::count("workers", w));
    }
    if input.year > Utc::now().year() {
        violations.push(Violation::new(
            "year",
            "year_in_future",
            msg!("must not be after the current year"),
        ));
        violations.0.dedup_by(|a, b| a.field == b.field);
    }
    violations
}
