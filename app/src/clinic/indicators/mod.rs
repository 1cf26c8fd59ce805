//! Programme indicators: per programme year and cumulative, for the city and each kecamatan; as
//! counted figures (JSON) or one long table (CSV, XLSX).

mod build;
pub mod cache;
pub mod dto;
mod table;

use chrono::{Datelike, Utc};
use klinik_persistence::clinic::indicators as store;
use klinik_persistence::clinic::programmes;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::prelude::*;
use crate::spreadsheet::{self, Format};
use build::Scope;
use cache::Counted;
use dto::Indicators;

/// The longest range of years one request counts.
pub const MAX_YEARS: i32 = 30;

/// How to break the figures down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Kecamatan,
    KabupatenKota,
}

impl GroupBy {
    fn level(group_by: Option<GroupBy>) -> Option<klinik_domain::regions::Level> {
        group_by.map(|g| match g {
            GroupBy::Kecamatan => klinik_domain::regions::Level::Kecamatan,
            GroupBy::KabupatenKota => klinik_domain::regions::Level::KabupatenKota,
        })
    }
}

/// Parameters of a programme's indicators.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProgrammeIndicatorsQuery {
    /// `kecamatan`: add the figures of each kecamatan (`by_kecamatan`); `kabupaten_kota`: of
    /// each kabupaten/kota (`by_kabupaten_kota`).
    pub group_by: Option<GroupBy>,
}

/// Parameters of the indicators of every programme.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IndicatorsQuery {
    /// First year counted; defaults to the earliest programme's year (this year without one).
    #[param(minimum = 1945, maximum = 9999)]
    pub from_year: Option<i32>,
    /// Last year counted; defaults to this year. At most 30 years from `from_year`.
    #[param(minimum = 1945, maximum = 9999)]
    pub to_year: Option<i32>,
    /// `kecamatan`: add the figures of each kecamatan (`by_kecamatan`); `kabupaten_kota`: of
    /// each kabupaten/kota (`by_kabupaten_kota`).
    pub group_by: Option<GroupBy>,
}

/// Parameters of the indicator tables.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IndicatorsExportQuery {
    /// One programme over its horizon (then `from_year` and `to_year` are refused).
    #[param(minimum = 1)]
    pub programme_id: Option<i64>,
    /// As for `get_indicators`.
    #[param(minimum = 1945, maximum = 9999)]
    pub from_year: Option<i32>,
    /// As for `get_indicators`.
    #[param(minimum = 1945, maximum = 9999)]
    pub to_year: Option<i32>,
    /// `kecamatan` or `kabupaten_kota`: add a block of rows per place of that level.
    pub group_by: Option<GroupBy>,
}

fn programme_scope(
    conn: &mut klinik_persistence::AnyConnection,
    id: ProgrammeId,
    group_by: Option<klinik_domain::regions::Level>,
) -> Result<Scope, Error> {
    let programme = programmes::find(conn, id, false).map_err(Error::missing(Record::Programme))?;
    let from_year = programme.year;
    let to_year = programme.year + programme.horizon_years - 1;
    Ok(Scope {
        programme: Some(programme),
        from_year,
        to_year,
        group_by,
    })
}

fn range_scope(
    conn: &mut klinik_persistence::AnyConnection,
    from_year: Option<i32>,
    to_year: Option<i32>,
    group_by: Option<klinik_domain::regions::Level>,
) -> Result<Scope, Error> {
    let this_year = Utc::now().date_naive().year();
    let from_year = match from_year {
        Some(year) => year,
        None => store::programmes(conn)?
            .first()
            .map_or(this_year, |p| p.year.min(to_year.unwrap_or(this_year))),
    };
    let to_year = to_year.unwrap_or(this_year.max(from_year));
    if to_year < from_year {
        return Err(Error::query(
            "to_year",
            "invalid_range",
            msg!("must not be before from_year"),
        ));
    }
    if to_year - from_year >= MAX_YEARS {
        return Err(Error::query(
            "to_year",
            "invalid_range",
            msg!("at most 30 years from from_year"),
        ));
    }
    Ok(Scope {
        programme: None,
        from_year,
        to_year,
        group_by,
    })
}

/// The indicators of the scope named by `key`, from the cache when nothing was written since
/// (see [`cache`]), else counted afresh. With read replicas each caller's counts are kept apart:
/// a count is made where that caller's last write is visible (`Ctx::read_nearby`), and another
/// caller's, made on a replica that had not replayed it yet, must not answer them.
async fn cached<F>(ctx: &Ctx, key: String, count: F) -> Result<Counted, Error>
where
    F: FnOnce(&mut klinik_persistence::AnyConnection, &App) -> Result<Indicators, Error>
        + Clone
        + Send
        + 'static,
{
    let app = &ctx.app;
    let key = if app.db.keeps_write_marks() {
        format!("{key}:{}", ctx.caller.writer_key())
    } else {
        key
    };
    if let Some(hit) = app.indicators_cache.get(&key, app.db.writes()) {
        return Ok(hit);
    }
    let _counting = app.indicators_cache.recount.lock().await;
    // Read before counting: a write that commits meanwhile leaves the entry already stale.
    let writes = app.db.writes();
    if let Some(hit) = app.indicators_cache.get(&key, writes) {
        return Ok(hit);
    }
    let indicators = ctx
        .read_nearby(move |conn, ctx| count(conn, &ctx.app))
        .await?;
    let json = serde_json::to_vec(&indicators).map_err(|e| Error::internal(&e))?;
    let counted = Counted {
        indicators: std::sync::Arc::new(indicators),
        json: std::sync::Arc::new(json),
    };
    app.indicators_cache.put(key, writes, counted.clone());
    Ok(counted)
}

fn check_years(years: &[(&str, Option<i32>)]) -> Result<(), Error> {
    match years
        .iter()
        .find(|(_, y)| y.is_some_and(|y| !(1945..=9999).contains(&y)))
    {
        Some((name, _)) => Err(Error::query(
            name,
            "out_of_range",
            msg!("must be from 1945 to 9999"),
        )),
        None => Ok(()),
    }
}

/// A programme's indicators over its horizon, with the cached JSON.
pub async fn of_programme(
    ctx: &Ctx,
    id: ProgrammeId,
    query: ProgrammeIndicatorsQuery,
) -> Result<Counted, Error> {
    let group_by = GroupBy::level(query.group_by);
    let key = format!("programme:{id}:{group_by:?}");
    cached(ctx, key, move |conn, app| {
        let scope = programme_scope(conn, id, group_by)?;
        build::indicators(conn, &app.regions, app.activity_rule, scope)
    })
    .await
}

/// The indicators of every programme over a range of years, with the cached JSON.
pub async fn of_range(ctx: &Ctx, q: IndicatorsQuery) -> Result<Counted, Error> {
    check_years(&[("from_year", q.from_year), ("to_year", q.to_year)])?;
    let group_by = GroupBy::level(q.group_by);
    let key = format!("range:{:?}:{:?}:{group_by:?}", q.from_year, q.to_year);
    cached(ctx, key, move |conn, app| {
        let scope = range_scope(conn, q.from_year, q.to_year, group_by)?;
        build::indicators(conn, &app.regions, app.activity_rule, scope)
    })
    .await
}

/// The indicators as one long table in `format`.
pub async fn export(ctx: &Ctx, q: IndicatorsExportQuery, format: Format) -> Result<Vec<u8>, Error> {
    check_years(&[("from_year", q.from_year), ("to_year", q.to_year)])?;
    check_ids(&[("programme_id", q.programme_id)])?;
    if q.programme_id.is_some() && (q.from_year.is_some() || q.to_year.is_some()) {
        return Err(Error::query(
            "programme_id",
            "invalid_combination",
            msg!("a programme's tables cover its horizon; leave out from_year and to_year"),
        ));
    }
    let group_by = GroupBy::level(q.group_by);
    let key = match q.programme_id {
        Some(id) => format!("programme:{id}:{group_by:?}"),
        None => format!("range:{:?}:{:?}:{group_by:?}", q.from_year, q.to_year),
    };
    let counted = cached(ctx, key, move |conn, app| {
        let scope = match q.programme_id {
            Some(id) => programme_scope(conn, ProgrammeId(id), group_by)?,
            None => range_scope(conn, q.from_year, q.to_year, group_by)?,
        };
        build::indicators(conn, &app.regions, app.activity_rule, scope)
    })
    .await?;
    spreadsheet::write(
        format,
        &table::headers(&counted.indicators),
        table::NUMERIC,
        &table::rows(&counted.indicators),
    )
    .map_err(|e| Error::internal(&e))
}
