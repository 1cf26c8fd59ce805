//! `POST /api/v1/imports`: a spreadsheet into a registry, checked row by row, all or nothing;
//! every import is recorded and readable at `/api/v1/imports/{id}`.

use actix_multipart::Multipart;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use klinik_persistence::AnyConnection;
use klinik_persistence::imports::{self as store, ImportRow, NewImport};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::audit::AuditContext;
use crate::extract::QueryParams;
use crate::imports::annual_reports::AnnualReportImporter;
use crate::imports::cooperatives::CooperativeImporter;
use crate::imports::ukm::UkmImporter;
use crate::imports::yearly_figures::YearlyFiguresImporter;
use crate::imports::{ImportCounts, ImportProblem, Importer, PlanError};
use crate::problem::{ApiError, FieldError, responses};
use crate::routes::cooperatives::dto::utc;
use crate::routes::{Page, PageRequest};
use crate::spreadsheet::{self, Format};
use crate::state::AppState;

/// Largest file an import accepts: 32 MiB (the 2017 UKM registry is about 5 MB as CSV).
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;
const MAX_TEXT_FIELD_BYTES: usize = 64;
const MAX_FILE_NAME_CHARS: usize = 255;

/// What a spreadsheet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    /// Cooperatives, in the layout of `GET /api/v1/exports/cooperatives.csv`.
    Cooperatives,
    /// Annual reports, in the layout of `GET /api/v1/exports/annual-reports.csv`.
    AnnualReports,
    /// UKM with their owners, in the layout of `GET /api/v1/exports/ukm.csv`.
    Ukm,
    /// UKM yearly figures, in the layout of `GET /api/v1/exports/yearly-figures.csv`.
    YearlyFigures,
}

impl ImportKind {
    fn as_str(self) -> &'static str {
        match self {
            ImportKind::Cooperatives => "cooperatives",
            ImportKind::AnnualReports => "annual_reports",
            ImportKind::Ukm => "ukm",
            ImportKind::YearlyFigures => "yearly_figures",
        }
    }

    fn parse(text: &[u8]) -> Option<Self> {
        match text {
            b"cooperatives" => Some(ImportKind::Cooperatives),
            b"annual_reports" => Some(ImportKind::AnnualReports),
            b"ukm" => Some(ImportKind::Ukm),
            b"yearly_figures" => Some(ImportKind::YearlyFigures),
            _ => None,
        }
    }
}

/// How an import ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportOutcome {
    /// A dry run: checked, nothing written.
    Validated,
    /// Every row applied in one transaction.
    Applied,
    /// A real run that found problems: nothing was applied.
    Rejected,
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

/// One import: the file, what it would change or changed, and every problem found.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 7, "kind": "ukm", "file_name": "ukm-2017.csv", "format": "csv", "dry_run": true,
    "outcome": "validated", "counts": {"rows_read": 3, "to_create": 1, "to_update": 1, "unchanged": 0, "rejected": 1},
    "problems": [{"row": 4, "column": "nik_pemilik", "code": "nik_month", "message": "the birth month must be 01 to 12"}],
    "created_by": "petugas1", "created_at": "2026-11-29T08:00:00Z"}))]
pub struct ImportReport {
    pub id: i64,
    pub kind: ImportKind,
    pub file_name: String,
    /// `csv` or `xlsx`.
    pub format: String,
    pub dry_run: bool,
    pub outcome: ImportOutcome,
    pub counts: ImportCounts,
    /// Every problem, by row and column. Empty when the import applied.
    pub problems: Vec<ImportProblem>,
    /// The user or client that sent the file.
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl ImportReport {
    fn from_row(row: ImportRow) -> Self {
        let outcome = match row.outcome.as_str() {
            "applied" => ImportOutcome::Applied,
            "rejected" => ImportOutcome::Rejected,
            _ => ImportOutcome::Validated,
        };
        ImportReport {
            id: row.id,
            kind: ImportKind::parse(row.kind.as_bytes()).unwrap_or(ImportKind::Ukm),
            format: row.file_format,
            file_name: row.file_name,
            dry_run: row.dry_run,
            outcome,
            counts: ImportCounts {
                rows_read: row.rows_read,
                to_create: row.to_create,
                to_update: row.to_update,
                unchanged: row.unchanged,
                rejected: row.rejected,
            },
            problems: serde_json::from_str(&row.problems).unwrap_or_default(),
            created_by: row.actor_name,
            created_at: utc(row.created_at),
        }
    }
}

/// The submitted form, read within the size limit.
struct Upload {
    file_name: String,
    bytes: Vec<u8>,
    kind: ImportKind,
    dry_run: bool,
}

fn form_error(field: &str, code: &'static str, message: &str) -> ApiError {
    ApiError::validation(field, code, message)
}

fn too_large() -> ApiError {
    ApiError::PayloadTooLarge {
        limit: MAX_IMPORT_BYTES,
    }
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
        return Err(ApiError::UnsupportedMediaType);
    }
    let malformed = || ApiError::BadRequest {
        code: "malformed_multipart",
        detail: "The body is not a well-formed multipart/form-data form.".into(),
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
                    form_error(&name, "too_long", "is longer than allowed")
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "file" => file = Some((file_name.unwrap_or_default(), bytes)),
            "kind" => kind = Some(bytes),
            "dry_run" => dry_run = Some(bytes),
            _ => {
                return Err(ApiError::BadRequest {
                    code: "unknown_field",
                    detail: "The form has a field this operation does not know.".into(),
                    errors: vec![FieldError {
                        field: "form".into(),
                        code: "unknown_field".into(),
                        message: "only file, kind and dry_run are accepted".into(),
                    }],
                });
            }
        }
    }
    let (file_name, bytes) = file.ok_or_else(|| form_error("file", "required", "is required"))?;
    let kind = match kind.as_deref() {
        None => return Err(form_error("kind", "required", "is required")),
        Some(text) => ImportKind::parse(text).ok_or_else(|| {
            form_error(
                "kind",
                "invalid_enum_value",
                "is not one of the allowed values",
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
                "must be true or false",
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

/// A whole-file problem as a 422 naming the form field `file` and, in words, where it is.
fn file_problems(problems: Vec<ImportProblem>) -> ApiError {
    ApiError::Validation {
        errors: problems
            .into_iter()
            .map(|p| {
                let place = match (p.row, &p.column) {
                    (Some(row), Some(column)) => format!("row {row}, column {column}: "),
                    (Some(row), None) => format!("row {row}: "),
                    _ => String::new(),
                };
                FieldError {
                    field: "file".into(),
                    code: p.code,
                    message: format!("{place}{}", p.message),
                }
            })
            .collect(),
    }
}

fn record(
    conn: &mut AnyConnection,
    audit: &AuditContext,
    upload: &Upload,
    format: Format,
    outcome: ImportOutcome,
    counts: ImportCounts,
    problems: &[ImportProblem],
) -> Result<ImportRow, ApiError> {
    let outcome = match outcome {
        ImportOutcome::Validated => "validated",
        ImportOutcome::Applied => "applied",
        ImportOutcome::Rejected => "rejected",
    };
    let row = store::insert(
        conn,
        &NewImport {
            kind: upload.kind.as_str().into(),
            file_name: upload.file_name.clone(),
            file_format: format.as_str().into(),
            dry_run: upload.dry_run,
            outcome: outcome.into(),
            rows_read: counts.rows_read,
            to_create: counts.to_create,
            to_update: counts.to_update,
            unchanged: counts.unchanged,
            rejected: counts.rejected,
            problems: serde_json::to_string(problems).map_err(|e| ApiError::internal(&e))?,
            actor_type: audit.actor_type.into(),
            actor_id: audit.actor_id,
            actor_name: audit.actor_name.clone(),
            request_id: audit.request_id.clone(),
        },
    )?;
    audit.record(
        conn,
        if upload.dry_run {
            "import_dry_run"
        } else {
            "import"
        },
        "import",
        Some(row.id.to_string()),
        Some(serde_json::json!({
            "kind": upload.kind.as_str(),
            "outcome": outcome,
            "counts": counts,
        })),
    )?;
    Ok(row)
}

/// Checks a table as kind `I` and, for a real run without problems, applies it.
fn check<I: Importer>(
    conn: &mut AnyConnection,
    state: &AppState,
    audit: &AuditContext,
    table: &spreadsheet::Table,
    dry_run: bool,
) -> Result<(ImportCounts, Vec<ImportProblem>, ImportOutcome), ApiError> {
    let plan = match I::plan(conn, state, table) {
        Ok(plan) => plan,
        Err(PlanError::File(problems)) => return Err(file_problems(problems)),
        Err(PlanError::Api(error)) => return Err(error),
    };
    let outcome = if dry_run {
        ImportOutcome::Validated
    } else if !plan.problems.is_empty() {
        ImportOutcome::Rejected
    } else {
        I::apply(conn, state, audit, plan.work)?;
        ImportOutcome::Applied
    };
    Ok((plan.counts, plan.problems, outcome))
}

enum Checked {
    Done(Box<ImportRow>),
    Rejected(ImportCounts, Vec<ImportProblem>),
}

/// Import a spreadsheet.
///
/// Send `multipart/form-data` with `file` (CSV or XLSX, at most 32 MiB), `kind` and optionally
/// `dry_run`. Each row is checked by the same rules as the create operation and matched to an
/// existing record by its natural key — a cooperative by its registration number; an annual
/// report by that and its book year; a UKM by its NIB, or else the owner's NIK with the business
/// name; yearly figures by their UKM (named the same way) and year — so importing the same file
/// twice changes nothing. Applying annual reports recomputes the activity status of each
/// cooperative they touch. The layouts are those of the exports (`/api/v1/exports/{kind}.csv`); a cooperative's
/// board and activity status are not part of its sheet. Headers may be in English
/// (`business_name`) or Indonesian (`nama_usaha`); columns the file lacks keep their stored values.
///
/// A dry run answers 201 with the counts (to create, to update, unchanged, rejected) and every
/// problem by row and column. A real run applies all rows in one transaction and answers 201, or —
/// when any row has a problem — applies none and answers 422 with each problem as
/// `rows[N].column`. Problems with the file itself (wrong type, empty, broken UTF-8, a formula,
/// missing or unknown columns) are a 422 on the field `file`. Every import that reached the rows
/// is recorded, including rejected ones (`GET /api/v1/imports`).
#[utoipa::path(
    operation_id = "create_import",
    tag = "imports",
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Checked (dry run) or applied.", body = ImportReport,
            headers(("Location" = String, description = "URL of the import record."))),
        (status = 400, response = responses::BadRequest),
        (status = 413, response = responses::ImportTooLarge),
        (status = 415, response = responses::NotMultipart),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[post("/imports")]
pub async fn create_import(
    state: web::Data<AppState>,
    request: HttpRequest,
    audit: AuditContext,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let upload = read_form(&request, payload).await?;
    let format = Format::detect(&upload.file_name, &upload.bytes).ok_or_else(|| {
        form_error(
            "file",
            "unsupported_file_type",
            "must be a CSV (.csv) or XLSX (.xlsx) spreadsheet",
        )
    })?;
    let state2 = state.clone();
    let audit2 = audit.clone();
    let (checked, upload) = state
        .write(move |conn| {
            let table = spreadsheet::read(format, &upload.bytes)
                .map_err(|p| file_problems(vec![p.into()]))?;
            let run = match upload.kind {
                ImportKind::Cooperatives => check::<CooperativeImporter>,
                ImportKind::AnnualReports => check::<AnnualReportImporter>,
                ImportKind::Ukm => check::<UkmImporter>,
                ImportKind::YearlyFigures => check::<YearlyFiguresImporter>,
            };
            let (counts, problems, outcome) = run(conn, &state2, &audit2, &table, upload.dry_run)?;
            if outcome == ImportOutcome::Rejected {
                return Ok((Checked::Rejected(counts, problems), upload));
            }
            let row = record(conn, &audit2, &upload, format, outcome, counts, &problems)?;
            Ok((Checked::Done(Box::new(row)), upload))
        })
        .await?;
    match checked {
        Checked::Done(row) => {
            let report = ImportReport::from_row(*row);
            Ok(HttpResponse::build(StatusCode::CREATED)
                .insert_header((header::LOCATION, format!("/api/v1/imports/{}", report.id)))
                .json(report))
        }
        Checked::Rejected(counts, problems) => {
            let errors = problems
                .iter()
                .map(|p| FieldError {
                    field: match (&p.row, &p.column) {
                        (Some(row), Some(column)) => format!("rows[{row}].{column}"),
                        (Some(row), None) => format!("rows[{row}]"),
                        _ => "file".into(),
                    },
                    code: p.code.clone(),
                    message: p.message.clone(),
                })
                .collect();
            // The attempt is recorded after the rollback, so that nothing of it but the record stays.
            state
                .write(move |conn| {
                    record(
                        conn,
                        &audit,
                        &upload,
                        format,
                        ImportOutcome::Rejected,
                        counts,
                        &problems,
                    )
                })
                .await?;
            Err(ApiError::Validation { errors })
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportListQuery {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// List imports, newest first (problems only in the single record).
#[utoipa::path(
    operation_id = "list_imports",
    tag = "imports",
    params(ImportListQuery),
    responses(
        (status = 200, description = "One page of imports; `problems` is left empty here.", body = Page<ImportReport>),
        (status = 400, response = responses::BadRequest),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/imports")]
pub async fn list_imports(
    state: web::Data<AppState>,
    query: QueryParams<ImportListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::new(query.0.page, query.0.page_size)?;
    let (limit, offset) = (page.limit(), page.offset());
    let (rows, total) = state
        .read(move |conn| Ok(store::list(conn, limit, offset)?))
        .await?;
    let items = rows
        .into_iter()
        .map(|row| ImportReport {
            problems: Vec::new(),
            ..ImportReport::from_row(row)
        })
        .collect();
    Ok(HttpResponse::Ok().json(page.wrap(items, total)))
}

/// Read an import: who sent which file, its counts and every problem.
#[utoipa::path(
    operation_id = "get_import",
    tag = "imports",
    params(("id" = i64, Path, description = "The import's id.", minimum = 1)),
    responses(
        (status = 200, description = "The import.", body = ImportReport),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/imports/{id}")]
pub async fn get_import(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let row = state
        .read(move |conn| store::find(conn, id).map_err(ApiError::missing("Import")))
        .await?;
    Ok(HttpResponse::Ok().json(ImportReport::from_row(row)))
}

pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(create_import)
        .service(list_imports)
        .service(get_import);
}
