//! `GET /api/v1/exports/{kind}.{csv,xlsx}`: the registries in exactly the layouts an import reads,
//! with the filters of the matching lists.

mod cooperatives;
mod ukm;

use actix_web::HttpResponse;
use actix_web::http::header;

use crate::imports;
use crate::problem::{ApiError, FieldError};
use crate::spreadsheet::{self, Format};

/// Most rows one export holds; narrow the filters beyond it.
pub const MAX_EXPORT_ROWS: i64 = 100_000;

/// The rows as a file download in `format`.
pub(super) fn file(
    format: Format,
    name: &str,
    columns: &[imports::Column],
    rows: &[Vec<String>],
) -> Result<HttpResponse, ApiError> {
    let headers: Vec<&str> = columns.iter().map(|c| c.name).collect();
    let body = spreadsheet::write(format, &headers, &imports::numeric_columns(columns), rows)
        .map_err(|e| ApiError::internal(&e))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, format.content_type()))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.{}\"", format.as_str()),
        ))
        .body(body))
}

/// The 422 of an export that would hold more than [`MAX_EXPORT_ROWS`] rows.
pub(super) fn too_many(what: &str) -> ApiError {
    ApiError::Validation {
        errors: vec![FieldError {
            field: "filters".into(),
            code: "export_too_large".into(),
            message: format!(
                "match more than {MAX_EXPORT_ROWS} {what}; narrow the filters (for example by kecamatan)"
            ),
        }],
    }
}

/// A year filter outside the documented 1945–9999 is a 400, like any other bad parameter.
pub(super) fn check_year(name: &str, year: Option<i32>) -> Result<(), ApiError> {
    if year.is_some_and(|y| !(1945..=9999).contains(&y)) {
        return Err(crate::extract::query_error(
            name,
            "out_of_range",
            "must be from 1945 to 9999",
        ));
    }
    Ok(())
}

pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(ukm::export_ukm_csv)
        .service(ukm::export_ukm_xlsx)
        .service(ukm::export_yearly_figures_csv)
        .service(ukm::export_yearly_figures_xlsx)
        .service(cooperatives::export_cooperatives_csv)
        .service(cooperatives::export_cooperatives_xlsx)
        .service(cooperatives::export_annual_reports_csv)
        .service(cooperatives::export_annual_reports_xlsx);
}
