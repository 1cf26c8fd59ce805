//! `POST /api/v1/imports`: a spreadsheet into a registry, checked row by row, all or nothing;
//! every import is recorded and readable at `/api/v1/imports/{id}`. The multipart form is read
//! here, within its size limits; checking and applying are the use case's.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use futures_util::StreamExt;
use klinik_app::registry::imports::{self, ImportReport, MAX_IMPORT_BYTES, Upload};
use klinik_domain::imports::ImportKind;
use klinik_domain::{Message, msg};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::problem::ApiError;
use crate::routes::prelude::*;
use klinik_app::FieldError;

const MAX_TEXT_FIELD_BYTES: usize = 64;
const MAX_FILE_NAME_CHARS: usize = 255;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_import)
        .service(list_imports)
        .service(get_import);
}

// `Deserialize` only gives the contract `additionalProperties: false`: the handler reads the
// multipart stream itself, to enforce the size limit as it reads.
/// The form of `POST /api/v1/imports`: these three fields and no others (400 for another).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ImportForm {
    /// The spreadsheet: CSV (UTF-8, comma or semicolon separated) or XLSX (first sheet), with a
    /// header row in English or Indonesian. At most 32 MiB.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    kind: ImportKind,
    /// `true`: only check and count. Default `false`: apply every row, or none when any has a
    /// problem.
    #[serde(default)]
    dry_run: bool,
}

/// Import a spreadsheet.
///
/// Send `multipart/form-data` with `file` (CSV or XLSX, at most 32 MiB), `kind` and optionally
/// `dry_run`. Each row is checked by the same rules as the create operation and matched to an
/// existing record by its natural key — a cooperative by its registration number; an annual
/// report by that and its book year; a UKM by its NIB, or else the owner's NIK with the business
/// name; yearly figures by their UKM (named the same way) and year; the city's PDRB
/// (`economy_years`, admins and officers only) by year — so importing the same file twice
/// changes nothing. Applying annual reports recomputes the activity status of each
/// cooperative they touch. The layouts are those of the exports (`/api/v1/exports/{kind}.csv`); a cooperative's
/// board and activity status are not part of its sheet. The PDRB layout is `year`,
/// `pdrb_current_prices`, `pdrb_constant_prices`, `pdrb_source`, `pdrb_status`,
/// `published_share_percent`, `published_share_scope`, `published_share_source` (in Indonesian
/// `tahun`, `pdrb_adhb`, `pdrb_adhk`, `sumber_pdrb`, `status_pdrb`, `porsi_kumkm_persen`,
/// `cakupan_porsi`, `sumber_porsi`). Headers may be in English
/// (`business_name`) or Indonesian (`nama_usaha`); columns the file lacks keep their stored values.
///
/// A dry run answers 201 with the counts (to create, to update, unchanged, rejected) and every
/// problem by row and column. A real run applies all rows in one transaction and answers 201, or —
/// when any row has a problem — applies none and answers 422 with each problem as
/// `rows[N].column`. Problems with the file itself (wrong type, empty, broken UTF-8, a formula,
/// missing or unknown columns) are a 422 on the field `file`. Every import that reached the rows
/// is recorded, including rejected ones (`GET /api/v1/imports`).
#[utoipa::path(
    tag = "imports",
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Checked (dry run) or applied.", body = ImportReport,
            headers(("Location" = String, description = "URL of the import record."))),
        (status = 400, response = responses::BadRequest),
        (status = 413, response = responses::ImportTooLarge),
        (status = 415, response = responses::NotMultipart),
    ),
)]
#[post("/imports")]
pub async fn create_import(allowed: Allowed, request: HttpRequest, payload: web::Payload) -> Reply {
    let upload = read_form(&request, payload).await?;
    let report = imports::run(&allowed, upload).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/imports/{}", report.id)))
        .json(report))
}

/// List imports, newest first (problems only in the single record).
#[utoipa::path(
    tag = "imports",
    params(PageQuery),
    responses(
        (status = 200, description = "One page of imports; `problems` is left empty here.", body = Page<ImportReport>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/imports")]
pub async fn list_imports(allowed: Allowed, query: QueryParams<PageQuery>) -> Reply {
    ok(imports::list(&allowed, query.0).await?)
}

/// Read an import: who sent which file, its counts and every problem.
#[utoipa::path(
    tag = "imports",
    params(("id" = i64, Path, description = "The import's id.", minimum = 1)),
    responses(
        (status = 200, description = "The import.", body = ImportReport),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/imports/{id}")]
pub async fn get_import(allowed: Allowed, id: web::Path<ImportId>) -> Reply {
    ok(imports::get(&allowed, *id).await?)
}

fn form_error(field: &str, code: &'static str, message: Message) -> ApiError {
    klinik_app::Error::validation(field, code, message).into()
}

fn too_large() -> ApiError {
    ApiError(klinik_app::Error::PayloadTooLarge {
        limit: MAX_IMPORT_BYTES,
    })
}

async fn read_form(request: &HttpRequest, payload: web::Payload) -> Result<Upload, ApiError> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_IMPORT_BYTES + 64 * 1024) {
        return Err(too_large());
    }
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !is_multipart {
        return Err(ApiError(klinik_app::Error::UnsupportedMediaType));
    }
    let malformed = || klinik_app::Error::BadRequest {
        code: "malformed_multipart",
        detail: msg!("The body is not a well-formed multipart/form-data form."),
        errors: Vec::new(),
    };
    let mut form = Multipart::new(request.headers(), payload);
    let (mut file, mut kind, mut dry_run) = (None, None, None);
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|_| malformed())?;
        let name = field.name().unwrap_or_default().to_owned();
        let limit = if name == "file" {
            MAX_IMPORT_BYTES
        } else {
            MAX_TEXT_FIELD_BYTES
        };
        let file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_owned);
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| malformed())?;
            if bytes.len() + chunk.len() > limit {
                return Err(if name == "file" {
                    too_large()
                } else {
                    form_error(&name, "too_long", msg!("is longer than allowed"))
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "file" => file = Some((file_name.unwrap_or_default(), bytes)),
            "kind" => kind = Some(bytes),
            "dry_run" => dry_run = Some(bytes),
            _ => {
                return Err(ApiError(klinik_app::Error::BadRequest {
                    code: "unknown_field",
                    detail: msg!("The form has a field this operation does not know."),
                    errors: vec![FieldError {
                        field: "form".into(),
                        code: "unknown_field".into(),
                        message: msg!("only file, kind and dry_run are accepted"),
                    }],
                }));
            }
        }
    }
    let (file_name, bytes) =
        file.ok_or_else(|| form_error("file", "required", msg!("is required")))?;
    let kind = match kind.as_deref() {
        None => return Err(form_error("kind", "required", msg!("is required"))),
        Some(text) => parse_kind(text).ok_or_else(|| {
            form_error(
                "kind",
                "invalid_enum_value",
                msg!("is not one of the allowed values"),
            )
        })?,
    };
    let dry_run = match dry_run.as_deref() {
        None | Some(b"false") => false,
        Some(b"true") => true,
        Some(_) => {
            return Err(form_error(
                "dry_run",
                "invalid_boolean",
                msg!("must be true or false"),
            ));
        }
    };
    let file_name: String = file_name.chars().take(MAX_FILE_NAME_CHARS).collect();
    let file_name = file_name.replace(|c: char| c.is_control(), "");
    Ok(Upload {
        file_name,
        bytes,
        kind,
        dry_run,
    })
}

fn parse_kind(text: &[u8]) -> Option<ImportKind> {
    std::str::from_utf8(text).ok()?.parse().ok()
}
