//! `GET /api/v1/exports/ukm.csv` and `.xlsx`: the registry in exactly the layout an import reads.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use klinik_persistence::persons;
use klinik_persistence::ukm as store;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::audit::AuditContext;
use crate::auth::Caller;
use crate::extract::QueryParams;
use crate::imports;
use crate::problem::{ApiError, responses};
use crate::region_codes::KelurahanCode;
use crate::routes::regions::KecamatanCode;
use crate::routes::ukm::dto::{Sector, UkmStatus};
use crate::routes::ukm::handlers::handles_personal_data;
use crate::routes::ukm::list::{Filters, list_filter};
use crate::spreadsheet::{self, Format};
use crate::state::AppState;

/// Most rows one export holds; narrow the filters beyond it.
pub const MAX_EXPORT_ROWS: i64 = 100_000;

/// The UKM list's filters (no paging: the export holds every match).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UkmExportQuery {
    /// Only UKM in this kecamatan.
    pub kecamatan_code: Option<KecamatanCode>,
    /// Only UKM in this kelurahan.
    #[param(value_type = Option<KelurahanCode>)]
    pub kelurahan_code: Option<String>,
    /// Only this sector.
    pub sector: Option<Sector>,
    /// Only this size class (as computed).
    #[param(value_type = Option<klinik_domain::size_class::SizeClass>)]
    pub size_class: Option<klinik_domain::size_class::SizeClass>,
    /// Only this status.
    pub status: Option<UkmStatus>,
    /// Only those with (or without) a NIB.
    pub has_nib: Option<bool>,
    /// Only this KBLI code (5 digits).
    #[param(pattern = "^[0-9]{5}$")]
    pub kbli_code: Option<String>,
    /// Only members of this cooperative.
    #[param(minimum = 1)]
    pub cooperative_id: Option<i64>,
    /// Part of the business name (case-insensitive), or an exact NIB.
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// The owner's NIK, exact match; admin and officer only (403 for others).
    #[param(
        pattern = r"^(1[1-9]|21|3[1-6]|5[1-3]|6[1-5]|7[1-6]|8[12]|9[1-6])[0-9]{4}(0[1-9]|[12][0-9]|3[01]|4[1-9]|[56][0-9]|7[01])(0[1-9]|1[0-2])[0-9]{2}([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})$"
    )]
    pub nik: Option<String>,
    /// Include archived UKM.
    pub include_archived: Option<bool>,
}

async fn export_ukm(
    state: web::Data<AppState>,
    caller: Caller,
    audit: AuditContext,
    q: UkmExportQuery,
    format: Format,
) -> Result<HttpResponse, ApiError> {
    let filter = list_filter(
        &state,
        &caller,
        Filters {
            kecamatan_code: q.kecamatan_code,
            kelurahan_code: q.kelurahan_code,
            sector: q.sector,
            size_class: q.size_class,
            status: q.status,
            has_nib: q.has_nib,
            kbli_code: q.kbli_code,
            cooperative_id: q.cooperative_id,
            q: q.q,
            nik: q.nik,
            include_archived: q.include_archived,
        },
    )?;
    let staff = handles_personal_data(&caller);
    let state2 = state.clone();
    let rows = state
        .write(move |conn| {
            let rows = store::list_all(conn, &filter, MAX_EXPORT_ROWS + 1)?;
            if rows.len() as i64 > MAX_EXPORT_ROWS {
                return Err(ApiError::validation(
                    "filters",
                    "export_too_large",
                    "match more than 100000 UKM; narrow the filters (for example by kecamatan)",
                ));
            }
            let owner_ids: Vec<i64> = rows.iter().map(|r| r.owner_id).collect();
            let owners: HashMap<i64, _> = persons::find_all(conn, &owner_ids)?
                .into_iter()
                .map(|p| (p.id, p))
                .collect();
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                let owner = owners.get(&row.owner_id).ok_or(ApiError::Internal)?;
                let nik = owner
                    .nik_encrypted
                    .as_deref()
                    .map(|n| state2.data_key.decrypt(n))
                    .transpose()?;
                out.push(imports::ukm::cells(row, owner, nik, staff));
            }
            if staff {
                // A staff export carries NIKs in clear: as accountable as a `reveal=nik` read.
                audit.record(
                    conn,
                    "export_personal_data",
                    "ukm",
                    None,
                    Some(serde_json::json!({"rows": out.len(), "format": format.as_str()})),
                )?;
            }
            Ok(out)
        })
        .await?;
    let headers: Vec<&str> = imports::ukm::COLUMNS.iter().map(|c| c.name).collect();
    let body = spreadsheet::write(format, &headers, &imports::ukm::numeric_columns(), &rows)
        .map_err(|e| ApiError::internal(&e))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, format.content_type()))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"ukm.{}\"", format.as_str()),
        ))
        .body(body))
}

/// Export UKM as CSV.
///
/// Every UKM matching the filters (at most 100000; 422 beyond), one row each with its owner, in
/// the layout `POST /api/v1/imports` reads (`kind=ukm`): exporting and re-importing changes
/// nothing. Admins and officers get owners' personal data in clear (the export is audited); other
/// readers get NIK and phone masked and no birth date or home address. Cells that a spreadsheet
/// would run as formulas are written with a leading apostrophe.
#[utoipa::path(
    operation_id = "export_ukm_csv",
    tag = "imports",
    params(UkmExportQuery),
    responses(
        (status = 200, description = "The CSV file (UTF-8, comma-separated, header row in English).", content_type = "text/csv", body = String),
        (status = 400, response = responses::BadRequest),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/exports/ukm.csv")]
pub async fn export_ukm_csv(
    state: web::Data<AppState>,
    caller: Caller,
    audit: AuditContext,
    query: QueryParams<UkmExportQuery>,
) -> Result<HttpResponse, ApiError> {
    export_ukm(state, caller, audit, query.0, Format::Csv).await
}

/// Export UKM as XLSX.
///
/// The same rows and columns as `export_ukm_csv`, as an Excel workbook with one sheet.
#[utoipa::path(
    operation_id = "export_ukm_xlsx",
    tag = "imports",
    params(UkmExportQuery),
    responses(
        (status = 200, description = "The XLSX workbook.", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, response = responses::BadRequest),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/exports/ukm.xlsx")]
pub async fn export_ukm_xlsx(
    state: web::Data<AppState>,
    caller: Caller,
    audit: AuditContext,
    query: QueryParams<UkmExportQuery>,
) -> Result<HttpResponse, ApiError> {
    export_ukm(state, caller, audit, query.0, Format::Xlsx).await
}

pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config.service(export_ukm_csv).service(export_ukm_xlsx);
}
