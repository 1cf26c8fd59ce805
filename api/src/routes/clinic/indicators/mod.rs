//! Programme indicators: `/api/v1/programmes/{id}/indicators`, `/api/v1/indicators` and its
//! CSV and XLSX tables.

mod build;
pub mod cache;
pub mod dto;
mod table;

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use chrono::{Datelike, Utc};
use klinik_persistence::clinic::indicators as store;
use klinik_persistence::clinic::programmes;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::extract::{QueryParams, query_error};
use crate::problem::{ApiError, responses};
use crate::routes::clinic::check_ids;
use crate::spreadsheet::{self, Format};
use crate::state::AppState;
use build::Scope;
use cache::Counted;
use dto::Indicators;

/// The longest range of years one request counts.
pub const MAX_YEARS: i32 = 30;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(get_programme_indicators)
        .service(get_indicators)
        .service(export_indicators_csv)
        .service(export_indicators_xlsx);
}

/// How to break the figures down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Kecamatan,
}

/// Parameters of a programme's indicators.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProgrammeIndicatorsQuery {
    /// `kecamatan`: add the figures of each kecamatan (`by_kecamatan`).
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
    /// `kecamatan`: add the figures of each kecamatan (`by_kecamatan`).
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
    /// `kecamatan`: add a block of rows per kecamatan.
    pub group_by: Option<GroupBy>,
}

fn programme_scope(
    conn: &mut klinik_persistence::AnyConnection,
    id: i64,
    by_kecamatan: bool,
) -> Result<Scope, ApiError> {
    let programme = programmes::find(conn, id, false).map_err(ApiError::missing("Programme"))?;
    let from_year = programme.year;
    let to_year = programme.year + programme.horizon_years - 1;
    Ok(Scope {
        programme: Some(programme),
        from_year,
        to_year,
        by_kecamatan,
    })
}

fn range_scope(
    conn: &mut klinik_persistence::AnyConnection,
    from_year: Option<i32>,
    to_year: Option<i32>,
    by_kecamatan: bool,
) -> Result<Scope, ApiError> {
    let this_year = Utc::now().date_naive().year();
    let from_year = match from_year {
        Some(year) => year,
        None => store::programmes(conn)?
            .first()
            .map_or(this_year, |p| p.year.min(to_year.unwrap_or(this_year))),
    };
    let to_year = to_year.unwrap_or(this_year.max(from_year));
    if to_year < from_year {
        return Err(query_error(
            "to_year",
            "invalid_range",
            "must not be before from_year",
        ));
    }
    if to_year - from_year >= MAX_YEARS {
        return Err(query_error(
            "to_year",
            "invalid_range",
            "at most 30 years from from_year",
        ));
    }
    Ok(Scope {
        programme: None,
        from_year,
        to_year,
        by_kecamatan,
    })
}

/// The indicators of the scope named by `key`, from the cache when nothing was written since
/// (see [`cache`]), else counted afresh.
async fn cached<F>(state: &web::Data<AppState>, key: String, count: F) -> Result<Counted, ApiError>
where
    F: FnOnce(&mut klinik_persistence::AnyConnection, &AppState) -> Result<Indicators, ApiError>
        + Send
        + 'static,
{
    if let Some(hit) = state.indicators_cache.get(&key, state.writes.get()) {
        return Ok(hit);
    }
    let _counting = state.indicators_cache.recount.lock().await;
    // Read before counting: a write that commits meanwhile leaves the entry already stale.
    let writes = state.writes.get();
    if let Some(hit) = state.indicators_cache.get(&key, writes) {
        return Ok(hit);
    }
    let state2 = state.get_ref().clone();
    let indicators = state.read(move |conn| count(conn, &state2)).await?;
    let json = serde_json::to_vec(&indicators).map_err(|e| ApiError::internal(&e))?;
    let counted = Counted {
        indicators: std::sync::Arc::new(indicators),
        json: std::sync::Arc::new(json),
    };
    state.indicators_cache.put(key, writes, counted.clone());
    Ok(counted)
}

/// The counted figures as the JSON answer.
fn json_answer(counted: &Counted) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .body(counted.json.as_ref().clone())
}

fn check_years(years: &[(&str, Option<i32>)]) -> Result<(), ApiError> {
    match years
        .iter()
        .find(|(_, y)| y.is_some_and(|y| !(1945..=9999).contains(&y)))
    {
        Some((name, _)) => Err(query_error(
            name,
            "out_of_range",
            "must be from 1945 to 9999",
        )),
        None => Ok(()),
    }
}

/// Read a programme's indicators.
///
/// Per calendar year of the programme's horizon and cumulative: cooperatives and UKM helped (a
/// first final diagnosis in the year) against the targets, `bagus` outcomes against the targets,
/// outcomes, the funnel of cases by status, predicate movement, the most frequent problem
/// categories, recommendations done by kind, capital by scheme and by bank, UKM that moved up a
/// size class, the median days from registration to the first final diagnosis; and the
/// registries' active ratios and RAT compliance at each year's end and now. With
/// `group_by=kecamatan`, the same for each kecamatan; they sum to the city's figures. Each count
/// equals the `total` of the matching list (`list_cases`, `list_recommendations`) with the same
/// filters. The figures are kept until the next change through this server; a change through
/// another server instance shows within 10 seconds.
#[utoipa::path(
    operation_id = "get_programme_indicators",
    tag = "indicators",
    params(("id" = i64, Path, description = "The programme's id.", minimum = 1), ProgrammeIndicatorsQuery),
    responses(
        (status = 200, description = "The programme's indicators.", body = Indicators),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/programmes/{id}/indicators")]
pub async fn get_programme_indicators(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: QueryParams<ProgrammeIndicatorsQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let by_kecamatan = query.0.group_by == Some(GroupBy::Kecamatan);
    let key = format!("programme:{id}:{by_kecamatan}");
    let counted = cached(&state, key, move |conn, state| {
        let scope = programme_scope(conn, id, by_kecamatan)?;
        build::indicators(conn, &state.regions, state.activity_rule, scope)
    })
    .await?;
    Ok(json_answer(&counted))
}

/// Read the indicators of every programme.
///
/// The figures of `get_programme_indicators` over all programmes, for each year from `from_year`
/// to `to_year` and cumulative; a year's targets are the sum of its programmes' targets.
#[utoipa::path(
    operation_id = "get_indicators",
    tag = "indicators",
    params(IndicatorsQuery),
    responses(
        (status = 200, description = "The indicators.", body = Indicators),
        (status = 400, response = responses::BadRequest),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/indicators")]
pub async fn get_indicators(
    state: web::Data<AppState>,
    query: QueryParams<IndicatorsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    check_years(&[("from_year", q.from_year), ("to_year", q.to_year)])?;
    let by_kecamatan = q.group_by == Some(GroupBy::Kecamatan);
    let key = format!("range:{:?}:{:?}:{by_kecamatan}", q.from_year, q.to_year);
    let counted = cached(&state, key, move |conn, state| {
        let scope = range_scope(conn, q.from_year, q.to_year, by_kecamatan)?;
        build::indicators(conn, &state.regions, state.activity_rule, scope)
    })
    .await?;
    Ok(json_answer(&counted))
}

async fn export(
    state: web::Data<AppState>,
    q: IndicatorsExportQuery,
    format: Format,
) -> Result<HttpResponse, ApiError> {
    check_years(&[("from_year", q.from_year), ("to_year", q.to_year)])?;
    check_ids(&[("programme_id", q.programme_id)])?;
    if q.programme_id.is_some() && (q.from_year.is_some() || q.to_year.is_some()) {
        return Err(query_error(
            "programme_id",
            "invalid_combination",
            "a programme's tables cover its horizon; leave out from_year and to_year",
        ));
    }
    let by_kecamatan = q.group_by == Some(GroupBy::Kecamatan);
    let key = match q.programme_id {
        Some(id) => format!("programme:{id}:{by_kecamatan}"),
        None => format!("range:{:?}:{:?}:{by_kecamatan}", q.from_year, q.to_year),
    };
    let counted = cached(&state, key, move |conn, state| {
        let scope = match q.programme_id {
            Some(id) => programme_scope(conn, id, by_kecamatan)?,
            None => range_scope(conn, q.from_year, q.to_year, by_kecamatan)?,
        };
        build::indicators(conn, &state.regions, state.activity_rule, scope)
    })
    .await?;
    let body = spreadsheet::write(
        format,
        table::HEADERS,
        table::NUMERIC,
        &table::rows(&counted.indicators),
    )
    .map_err(|e| ApiError::internal(&e))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, format.content_type()))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"indicators.{}\"", format.as_str()),
        ))
        .body(body))
}

/// Download the indicators as CSV.
///
/// One row per figure: `programme_id`, `kecamatan_code` (empty for the city), `year` (`total`
/// for the cumulative figures), `indicator`, `breakdown` (a status, kind, scheme, `bank:{id}`,
/// `count`/`of` of a ratio…) and `value` (empty where a target or median is none).
#[utoipa::path(
    operation_id = "export_indicators_csv",
    tag = "indicators",
    params(IndicatorsExportQuery),
    responses(
        (status = 200, description = "The CSV file (UTF-8, comma-separated, header row).", content_type = "text/csv", body = String),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/indicators.csv")]
pub async fn export_indicators_csv(
    state: web::Data<AppState>,
    query: QueryParams<IndicatorsExportQuery>,
) -> Result<HttpResponse, ApiError> {
    export(state, query.0, Format::Csv).await
}

/// Download the indicators as XLSX.
///
/// The same rows as `export_indicators_csv`, as an Excel workbook with one sheet.
#[utoipa::path(
    operation_id = "export_indicators_xlsx",
    tag = "indicators",
    params(IndicatorsExportQuery),
    responses(
        (status = 200, description = "The XLSX workbook.", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/indicators.xlsx")]
pub async fn export_indicators_xlsx(
    state: web::Data<AppState>,
    query: QueryParams<IndicatorsExportQuery>,
) -> Result<HttpResponse, ApiError> {
    export(state, query.0, Format::Xlsx).await
}
