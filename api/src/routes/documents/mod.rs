//! Evidence documents: `/api/v1/{record}/{id}/documents` to upload and list a record's
//! documents, `/api/v1/documents/{id}` for one document, its bytes, and its archive and purge.

mod form;

use actix_web::HttpRequest;
use klinik_app::documents::{
    self, Document, DocumentQuery, DocumentReadQuery, OwnerRef, PatchDocument, PurgeDocument,
};

use crate::routes::prelude::*;
pub use form::DocumentForm;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(upload_cooperative_document)
        .service(list_cooperative_documents)
        .service(upload_annual_report_document)
        .service(list_annual_report_documents)
        .service(upload_ukm_document)
        .service(list_ukm_documents)
        .service(upload_diagnosis_document)
        .service(list_diagnosis_documents)
        .service(upload_activity_document)
        .service(list_activity_documents)
        .service(upload_recommendation_document)
        .service(list_recommendation_documents)
        .service(upload_evaluation_document)
        .service(list_evaluation_documents)
        .service(upload_dissolution_proposal_document)
        .service(list_dissolution_proposal_documents)
        .service(get_document)
        .service(download_document)
        .service(update_document)
        .service(archive_document)
        .service(restore_document)
        .service(purge_document);
}

/// The upload and list operations of one kind of record with a single id in its path.
macro_rules! record_documents {
    ($upload:ident, $list:ident, $path:literal, $record:literal, $id:ty, $owner:path, $upload_description:literal) => {
        #[utoipa::path(
            tag = "documents",
            summary = concat!("Attach a document to ", $record, "."),
            description = $upload_description,
            params(("id" = i64, Path, description = "The record's id.", minimum = 1)),
            request_body(content = DocumentForm, content_type = "multipart/form-data"),
            responses(
                (status = 201, description = "Stored.", body = Document,
                    headers(("Location" = String, description = "URL of the new document."), ("ETag" = String, description = "Its version."))),
                (status = 400, response = responses::BadRequest),
                (status = 409, response = responses::Conflict),
                (status = 413, response = responses::DocumentTooLarge),
                (status = 415, response = responses::DocumentTypeRefused),
                (status = 503, response = responses::StoreUnavailable),
            ),
        )]
        #[post($path)]
        pub async fn $upload(
            allowed: Allowed,
            id: web::Path<$id>,
            request: HttpRequest,
            payload: web::Payload,
        ) -> Reply {
            form::receive(&allowed, $owner(*id), &request, payload).await
        }

        #[utoipa::path(
            tag = "documents",
            summary = concat!("List the documents of ", $record, ", oldest first."),
            params(("id" = i64, Path, description = "The record's id.", minimum = 1), DocumentQuery),
            responses(
                (status = 200, description = "One page of documents.", body = Page<Document>),
                (status = 400, response = responses::BadRequest),
            ),
        )]
        #[get($path)]
        pub async fn $list(
            allowed: Allowed,
            id: web::Path<$id>,
            query: QueryParams<DocumentQuery>,
        ) -> Reply {
            ok(documents::list(&allowed, $owner(*id), query.0).await?)
        }
    };
}

// What every upload's description says, then the kinds that record takes.
record_documents!(
    upload_cooperative_document,
    list_cooperative_documents,
    "/cooperatives/{id}/documents",
    "a cooperative",
    CooperativeId,
    OwnerRef::Cooperative,
    "Send `multipart/form-data` with `file`, `kind`, `title`, and optionally `document_date` and `personal`. The file streams into the document store; its type is decided by its content (PDF, PNG, JPEG, WebP, XLSX, DOCX, ODT, ODS: a renamed executable is a 415), its SHA-256 is kept, and the same file twice on one record is a 409 naming the document that has it. Nothing is kept of an upload that fails.\n\nKinds a cooperative takes: `akta_pendirian`, `akta_perubahan`, `sk_badan_hukum`, `izin_usaha`, `other`."
);
record_documents!(
    upload_ukm_document,
    list_ukm_documents,
    "/ukm/{id}/documents",
    "a UKM",
    UkmId,
    OwnerRef::Ukm,
    "As for a cooperative's documents.\n\nKinds a UKM takes: `izin_usaha`, `foto_usaha`, `laporan_keuangan`, `other`."
);
record_documents!(
    upload_diagnosis_document,
    list_diagnosis_documents,
    "/diagnoses/{id}/documents",
    "a diagnosis",
    DiagnosisId,
    OwnerRef::Diagnosis,
    "As for a cooperative's documents; an assessor attaches to and reads their teams' cases only (404 for others).\n\nKinds a diagnosis takes: `lembar_kerja`, `daftar_hadir`, `other`."
);
record_documents!(
    upload_activity_document,
    list_activity_documents,
    "/activities/{id}/documents",
    "a mentoring activity",
    ActivityId,
    OwnerRef::Activity,
    "As for a cooperative's documents; an assessor attaches to and reads their teams' cases only (404 for others).\n\nKinds an activity takes: `daftar_hadir`, `foto_kegiatan`, `laporan_kegiatan`, `other`."
);
record_documents!(
    upload_recommendation_document,
    list_recommendation_documents,
    "/recommendations/{id}/documents",
    "a recommendation",
    RecommendationId,
    OwnerRef::Recommendation,
    "As for a cooperative's documents, e.g. a bank's approval or proof of disbursement; an assessor attaches to and reads their teams' cases only (404 for others).\n\nKinds a recommendation takes: `surat_persetujuan`, `bukti_pencairan`, `other`."
);
record_documents!(
    upload_evaluation_document,
    list_evaluation_documents,
    "/evaluations/{id}/documents",
    "an evaluation",
    EvaluationId,
    OwnerRef::Evaluation,
    "As for a cooperative's documents; an assessor attaches to and reads their teams' cases only (404 for others).\n\nKinds an evaluation takes: `lembar_kerja`, `laporan_keuangan`, `other`."
);
record_documents!(
    upload_dissolution_proposal_document,
    list_dissolution_proposal_documents,
    "/dissolution-proposals/{id}/documents",
    "a dissolution proposal",
    DissolutionProposalId,
    OwnerRef::DissolutionProposal,
    "As for a cooperative's documents; an assessor attaches to and reads their teams' cases only (404 for others).\n\nKinds a dissolution proposal takes: `berita_acara`, `surat_usulan`, `other`."
);

/// Attach a document to an annual report.
///
/// As for a cooperative's documents; the report is named by its cooperative and book year.
/// Kinds it takes: `notulen_rat`, `laporan_keuangan`, `daftar_hadir`, `other`.
#[utoipa::path(
    tag = "documents",
    params(
        ("id" = i64, Path, description = "The cooperative's id.", minimum = 1),
        ("book_year" = i32, Path, description = "The book year.", minimum = 1945, maximum = 9999),
    ),
    request_body(content = DocumentForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored.", body = Document,
            headers(("Location" = String, description = "URL of the new document."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
        (status = 413, response = responses::DocumentTooLarge),
        (status = 415, response = responses::DocumentTypeRefused),
        (status = 503, response = responses::StoreUnavailable),
    ),
)]
#[post("/cooperatives/{id}/annual-reports/{book_year}/documents")]
pub async fn upload_annual_report_document(
    allowed: Allowed,
    path: web::Path<(CooperativeId, i32)>,
    request: HttpRequest,
    payload: web::Payload,
) -> Reply {
    let (cooperative, book_year) = *path;
    let owner = OwnerRef::AnnualReport(cooperative, book_year);
    form::receive(&allowed, owner, &request, payload).await
}

/// List the documents of an annual report, oldest first.
#[utoipa::path(
    tag = "documents",
    params(
        ("id" = i64, Path, description = "The cooperative's id.", minimum = 1),
        ("book_year" = i32, Path, description = "The book year.", minimum = 1945, maximum = 9999),
        DocumentQuery,
    ),
    responses(
        (status = 200, description = "One page of documents.", body = Page<Document>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/cooperatives/{id}/annual-reports/{book_year}/documents")]
pub async fn list_annual_report_documents(
    allowed: Allowed,
    path: web::Path<(CooperativeId, i32)>,
    query: QueryParams<DocumentQuery>,
) -> Reply {
    let (cooperative, book_year) = *path;
    let owner = OwnerRef::AnnualReport(cooperative, book_year);
    ok(documents::list(&allowed, owner, query.0).await?)
}

/// Read a document's record (not its bytes: see `download_document`).
#[utoipa::path(
    tag = "documents",
    params(("id" = i64, Path, description = "The document's id.", minimum = 1), DocumentReadQuery),
    responses(
        (status = 200, description = "The document.", body = Document,
            headers(("ETag" = String, description = "Its version, for If-Match."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/documents/{id}")]
pub async fn get_document(
    allowed: Allowed,
    id: web::Path<DocumentId>,
    query: QueryParams<DocumentReadQuery>,
) -> Reply {
    tagged(documents::get(&allowed, *id, query.0).await?)
}

/// Download a document's file.
///
/// Streamed as an attachment (`Content-Disposition: attachment`, `X-Content-Type-Options:
/// nosniff`) with its `Repr-Digest` (SHA-256). A document marked personal is downloaded only by
/// admins and officers, and by assessors through their teams' cases (403 for others, viewers
/// always); each such download is written to the audit trail. An archived or purged document is
/// a 404.
#[utoipa::path(
    tag = "documents",
    params(("id" = i64, Path, description = "The document's id.", minimum = 1)),
    responses(
        (status = 200, description = "The file, as stored.",
            content(
                (Vec<u8> = "application/pdf"),
                (Vec<u8> = "image/png"),
                (Vec<u8> = "image/jpeg"),
                (Vec<u8> = "image/webp"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                (Vec<u8> = "application/vnd.oasis.opendocument.text"),
                (Vec<u8> = "application/vnd.oasis.opendocument.spreadsheet"),
            ),
            headers(
                ("Content-Disposition" = String, description = "`attachment` with the file name."),
                ("Repr-Digest" = String, description = "`sha-256=:…:` (RFC 9530) of the bytes."),
            )),
        (status = 503, response = responses::StoreUnavailable),
    ),
)]
#[get("/documents/{id}/content")]
pub async fn download_document(allowed: Allowed, id: web::Path<DocumentId>) -> Reply {
    let download = documents::download::download(&allowed, *id).await?;
    Ok(form::stream(download))
}

/// Change what describes a document: its kind, title, date, or whether it is personal.
///
/// The file itself never changes: upload another and archive this one. Send the `ETag` you read
/// as `If-Match` (412 if it changed since).
#[utoipa::path(
    tag = "documents",
    request_body = PatchDocument,
    params(
        ("id" = i64, Path, description = "The document's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "The changed document.", body = Document,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[patch("/documents/{id}")]
pub async fn update_document(
    allowed: Allowed,
    id: web::Path<DocumentId>,
    if_match: Precondition,
    body: JsonBody<PatchDocument>,
) -> Reply {
    tagged(documents::update(&allowed, *id, if_match.0, body.value).await?)
}

/// Archive a document.
///
/// Set aside with its file kept: gone from lists and reads unless `include_archived=true`, and
/// not downloadable; an admin may restore it. Archiving twice is a 404.
#[utoipa::path(
    tag = "documents",
    params(
        ("id" = i64, Path, description = "The document's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses((status = 204, description = "Archived.")),
)]
#[delete("/documents/{id}")]
pub async fn archive_document(
    allowed: Allowed,
    id: web::Path<DocumentId>,
    if_match: Precondition,
) -> Reply {
    documents::archive(&allowed, *id, if_match.0).await?;
    no_content()
}

/// Restore an archived document (admins).
///
/// A purged document has no file to come back to (409 `document_purged`); one that is not
/// archived is a 409 `not_archived`.
#[utoipa::path(
    tag = "documents",
    params(
        ("id" = i64, Path, description = "The document's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "Restored.", body = Document,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 409, response = responses::Conflict),
    ),
)]
#[post("/documents/{id}/restore")]
pub async fn restore_document(
    allowed: Allowed,
    id: web::Path<DocumentId>,
    if_match: Precondition,
) -> Reply {
    tagged(documents::restore(&allowed, *id, if_match.0).await?)
}

/// Purge a document's file for good (admins), with a reason.
///
/// The bytes are deleted from the store; the record stays, marked purged with the reason, and
/// the audit trail says who purged it. Purging twice is a 409 `document_purged`.
#[utoipa::path(
    tag = "documents",
    request_body = PurgeDocument,
    params(
        ("id" = i64, Path, description = "The document's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the record has changed since."),
    ),
    responses(
        (status = 200, description = "Purged; the record as it stays.", body = Document,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
        (status = 409, response = responses::Conflict),
    ),
)]
#[post("/documents/{id}/purge")]
pub async fn purge_document(
    allowed: Allowed,
    id: web::Path<DocumentId>,
    if_match: Precondition,
    body: JsonBody<PurgeDocument>,
) -> Reply {
    tagged(documents::purge(&allowed, *id, if_match.0, body.value).await?)
}
