//! Errors as RFC 9457 `application/problem+json`, one variant per HTTP meaning.
//!
//! Bodies carry a stable `code` for programs and a `detail` for people; they never contain a
//! submitted value, a database message or any other internal detail. The cause of a 500 or 503 is
//! logged once, where it is converted, inside the request's span (which carries the request id).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
pub use klinik_app::FieldError;
use serde::Serialize;
use utoipa::{ToResponse, ToSchema};

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// An error response (RFC 9457 problem details).
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
    /// The HTTP status phrase.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong, for people.
    pub detail: String,
    /// Stable machine-readable code of the problem.
    pub code: String,
    /// The fields at fault, for `400`, `409` and `422`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("bad request: {code}")]
    BadRequest {
        code: &'static str,
        detail: String,
        errors: Vec<FieldError>,
    },
    /// No valid credentials. The detail never says which part was wrong.
    #[error("unauthorized")]
    Unauthorized { code: &'static str, detail: String },
    #[error("forbidden")]
    Forbidden { detail: String },
    #[error("too many requests")]
    TooManyRequests { retry_after_seconds: u64 },
    #[error("not found")]
    NotFound { detail: String },
    #[error("method not allowed")]
    MethodNotAllowed { allow: String },
    #[error("conflict: {code}")]
    Conflict {
        code: &'static str,
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("precondition failed")]
    PreconditionFailed,
    #[error("payload too large")]
    PayloadTooLarge { limit: usize },
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("validation failed")]
    Validation { errors: Vec<FieldError> },
    #[error("service unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal,
}

impl ApiError {
    /// The one answer to any bad or missing token: it does not say what was wrong.
    pub fn invalid_token() -> Self {
        ApiError::Unauthorized {
            code: "invalid_token",
            detail: "The access token is missing or not valid.".into(),
        }
    }

    /// Logs an unexpected failure once and hides it behind a 500.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "request failed");
        ApiError::Internal
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { code, .. } | ApiError::Conflict { code, .. } => code,
            ApiError::Unauthorized { code, .. } => code,
            ApiError::Forbidden { .. } => "forbidden",
            ApiError::TooManyRequests { .. } => "too_many_requests",
            ApiError::NotFound { .. } => "not_found",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::PreconditionFailed => "precondition_failed",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::Validation { .. } => "validation_failed",
            ApiError::Unavailable => "service_unavailable",
            ApiError::Internal => "internal_error",
        }
    }

    fn detail(&self) -> String {
        match self {
            ApiError::BadRequest { detail, .. }
            | ApiError::Unauthorized { detail, .. }
            | ApiError::Forbidden { detail }
            | ApiError::NotFound { detail }
            | ApiError::Conflict { detail, .. } => detail.clone(),
            ApiError::TooManyRequests { retry_after_seconds } => format!(
                "Too many failed sign-ins for this account. Try again in {retry_after_seconds} seconds."
            ),
            ApiError::MethodNotAllowed { allow } => {
                format!("This resource supports only: {allow}.")
            }
            ApiError::PreconditionFailed => {
                "The record has changed since you read it (If-Match does not match its ETag). Read it again and retry.".into()
            }
            ApiError::PayloadTooLarge { limit } => {
                format!("The request body is larger than the limit of {limit} bytes.")
            }
            ApiError::UnsupportedMediaType => {
                "The request body's media type is not the one this operation documents (application/json; a form for /auth/token; multipart/form-data for /imports).".into()
            }
            ApiError::Validation { errors } => match errors.len() {
                1 => "The request has 1 invalid field.".into(),
                n => format!("The request has {n} invalid fields."),
            },
            ApiError::Unavailable => "The database is not reachable right now. Try again shortly.".into(),
            ApiError::Internal => "An unexpected error occurred. It has been logged.".into(),
        }
    }

    fn field_errors(&self) -> Vec<FieldError> {
        match self {
            ApiError::BadRequest { errors, .. }
            | ApiError::Conflict { errors, .. }
            | ApiError::Validation { errors } => errors.clone(),
            _ => Vec::new(),
        }
    }

    pub fn to_problem(&self) -> Problem {
        let status = self.status_code();
        let code = self.code();
        Problem {
            problem_type: format!("urn:klinik-kumkm:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.detail(),
            code: code.to_owned(),
            errors: self.field_errors(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_CONTENT_TYPE));
        if let ApiError::MethodNotAllowed { allow } = self
            && let Ok(value) = HeaderValue::from_str(allow)
        {
            response.insert_header((header::ALLOW, value));
        }
        if matches!(self, ApiError::Unauthorized { .. }) {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"klinik-kumkm\""));
        }
        if let ApiError::TooManyRequests {
            retry_after_seconds,
        } = self
        {
            response.insert_header((header::RETRY_AFTER, retry_after_seconds.to_string()));
        }
        if matches!(self, ApiError::Unavailable) {
            response.insert_header((header::RETRY_AFTER, "5"));
        }
        response.json(self.to_problem())
    }
}

impl From<klinik_app::Error> for ApiError {
    fn from(error: klinik_app::Error) -> Self {
        use klinik_app::Error as E;
        match error {
            E::BadRequest {
                code,
                detail,
                errors,
            } => ApiError::BadRequest {
                code,
                detail,
                errors,
            },
            E::Unauthorized { code, detail } => ApiError::Unauthorized { code, detail },
            E::Forbidden { detail } => ApiError::Forbidden { detail },
            E::TooManyRequests {
                retry_after_seconds,
            } => ApiError::TooManyRequests {
                retry_after_seconds,
            },
            E::NotFound { detail } => ApiError::NotFound { detail },
            E::Conflict {
                code,
                detail,
                errors,
            } => ApiError::Conflict {
                code,
                detail,
                errors,
            },
            E::PreconditionFailed => ApiError::PreconditionFailed,
            E::Validation { errors } => ApiError::Validation { errors },
            E::Unavailable => ApiError::Unavailable,
            E::Internal => ApiError::Internal,
        }
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
        "Five failed sign-ins for this account within 15 minutes; `Retry-After` says when to try again."
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
