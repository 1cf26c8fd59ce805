//! Errors as RFC 9457 `application/problem+json`, one variant per HTTP meaning.
//!
//! Bodies carry a stable `code` for programs and a `detail` for people; they never contain a
//! submitted value, a database message or any other internal detail. The cause of a 500 or 503 is
//! logged once, where it is converted, inside the request's span (which carries the request id).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use klinik_app::Error;
use klinik_app::error::TooMany;

use crate::language::Language;
use serde::Serialize;
use utoipa::{ToResponse, ToSchema};

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// An error response (RFC 9457 problem details). `title`, `detail` and each error's `message` are
/// in Bahasa Indonesia when `Accept-Language` prefers it, otherwise English; `Content-Language`
/// says which. `type`, `code` and each error's `field` and `code` are the same in both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:klinik-kumkm:problem:validation_failed",
    "title": "Unprocessable Content",
    "status": 422,
    "detail": "The request has 1 invalid field.",
    "code": "validation_failed",
    "errors": [{"field": "nib", "code": "nib_format", "message": "must be exactly 13 digits (NIB)"}]
}))]
pub struct Problem {
    /// URI naming the kind of problem: `urn:klinik-kumkm:problem:` followed by `code`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// The HTTP status phrase, in the language of `Content-Language`.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong, for people, in the language of `Content-Language`.
    pub detail: String,
    /// Stable machine-readable code of the problem.
    pub code: String,
    /// The fields at fault, for `400`, `409` and `422`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// One field that broke a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The offending field, as a path into the request (`board_members[0].name`), or the query
    /// parameter's name.
    #[schema(example = "registration_number")]
    pub field: String,
    /// Stable machine-readable rule code.
    #[schema(example = "registration_number_format")]
    pub code: String,
    /// Explanation for people, in the language of `Content-Language`; never repeats the submitted
    /// value.
    #[schema(example = "must be 13 to 16 digits (nomor induk koperasi)")]
    pub message: String,
}

impl FieldError {
    fn written_in(language: Language, error: klinik_app::FieldError) -> Self {
        FieldError {
            message: language.text(&error.message),
            field: error.field,
            code: error.code,
        }
    }
}

/// An error as the HTTP layer answers it: a use case's [`klinik_app::Error`], written as a
/// problem document with the status and headers its meaning calls for.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ApiError(#[from] pub klinik_app::Error);

impl ApiError {
    /// The problem document, written in `language`.
    pub fn to_problem(&self, language: Language) -> Problem {
        let status = self.status_code();
        let code = self.0.code();
        Problem {
            problem_type: format!("urn:klinik-kumkm:problem:{code}"),
            title: language.phrase(status.canonical_reason().unwrap_or("Error")),
            status: status.as_u16(),
            detail: language.text(&self.0.detail()),
            code: code.to_owned(),
            errors: self
                .0
                .field_errors()
                .into_iter()
                .map(|error| FieldError::written_in(language, error))
                .collect(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match &self.0 {
            Error::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Error::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Error::Forbidden { .. } => StatusCode::FORBIDDEN,
            Error::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::NotFound { .. } => StatusCode::NOT_FOUND,
            Error::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Error::Conflict { .. } => StatusCode::CONFLICT,
            Error::Gone { .. } => StatusCode::GONE,
            Error::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Error::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Error::UnsupportedMediaType | Error::UnsupportedFileType => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            Error::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Unavailable | Error::StoreUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Error::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_CONTENT_TYPE));
        if let Error::MethodNotAllowed { allow } = &self.0
            && let Ok(value) = HeaderValue::from_str(allow)
        {
            response.insert_header((header::ALLOW, value));
        }
        if matches!(self.0, Error::Unauthorized { .. }) {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"klinik-kumkm\""));
        }
        if let Error::TooManyRequests {
            retry_after_seconds,
            reason,
        } = &self.0
        {
            response.insert_header((header::RETRY_AFTER, retry_after_seconds.to_string()));
            // draft-ietf-httpapi-ratelimit-headers: the policy and what is left of it.
            if let TooMany::SignInRate {
                quota,
                window_seconds,
            } = reason
            {
                response.insert_header((
                    "RateLimit-Policy",
                    format!("\"sign-in\";q={quota};w={window_seconds}"),
                ));
                response.insert_header((
                    "RateLimit",
                    format!("\"sign-in\";r=0;t={retry_after_seconds}"),
                ));
            }
        }
        if matches!(self.0, Error::Unavailable | Error::StoreUnavailable) {
            response.insert_header((header::RETRY_AFTER, "5"));
        }
        // In English; `language::localize` writes it again when the caller prefers Indonesian.
        response.json(self.to_problem(Language::En))
    }
}

/// Reusable responses for the contract: each error status an operation can return.
pub mod responses {
    use super::*;

    macro_rules! problem_response {
        ($name:ident, $description:literal) => {
            #[derive(ToResponse)]
            #[response(description = $description, content_type = "application/problem+json")]
            pub struct $name(#[allow(dead_code)] pub Problem);
        };
    }

    problem_response!(
        Unauthorized,
        "No valid access token (missing, malformed, expired, revoked, or for a deactivated account); the body says only that. Sent with `WWW-Authenticate: Bearer`."
    );
    problem_response!(
        Forbidden,
        "The token is valid but its role or scopes do not allow this operation."
    );
    problem_response!(
        TooManyRequests,
        "Too many attempts: failed sign-ins for this account from this address within 15 minutes (5 by default), sign-in attempts from this address beyond the per-minute limit (10 by default), or every password check busy. `Retry-After` says when to try again."
    );
    problem_response!(
        BadRequest,
        "Malformed JSON, or a query or header parameter that is unknown or invalid (`errors` names each)."
    );
    problem_response!(
        NotFound,
        "No such record (or it is archived and `include_archived=true` was not given)."
    );
    problem_response!(
        Conflict,
        "The request conflicts with existing data, e.g. a duplicate unique key (`errors` names the field)."
    );
    problem_response!(
        CursorExpired,
        "The cursor `after` is older than the change feed keeps (`KLINIK_CHANGE_RETENTION_DAYS`, 90 days by default): sync again from the lists with `updated_since`, then follow the feed from `head`."
    );
    problem_response!(
        PreconditionFailed,
        "`If-Match` does not match the record's current ETag: someone changed it since you read it."
    );
    problem_response!(
        PayloadTooLarge,
        "The request body exceeds the configured limit (`KLINIK_MAX_BODY_BYTES`, 262144 bytes by default)."
    );
    problem_response!(
        UnsupportedMediaType,
        "The request body is not `application/json`."
    );
    problem_response!(
        ImportTooLarge,
        "The uploaded file is larger than 32 MiB (33554432 bytes)."
    );
    problem_response!(NotMultipart, "The body is not `multipart/form-data`.");
    problem_response!(
        DocumentTooLarge,
        "The file is larger than the document limit (`KLINIK_DOCUMENT_MAX_BYTES`, 20 MiB by default)."
    );
    problem_response!(
        DocumentTypeRefused,
        "The body is not `multipart/form-data` (`unsupported_media_type`), or the file's content is not an accepted type (`unsupported_file_type`): PDF, PNG, JPEG, WebP, XLSX, DOCX, ODT or ODS, decided by its bytes, never by its name."
    );
    problem_response!(
        StoreUnavailable,
        "The database or the document store (a directory or an S3-compatible bucket) did not answer; nothing was saved. Retry later (`Retry-After`)."
    );
    problem_response!(
        UnprocessableContent,
        "The body is well-formed JSON but breaks a rule; `errors` lists each field, rule code and message."
    );
    problem_response!(
        ServiceUnavailable,
        "The database is unreachable; retry later."
    );
    problem_response!(
        InternalError,
        "An unexpected error; the cause is logged with the request id."
    );
}
