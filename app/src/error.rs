//! The one error a use case ends with. Each variant is one meaning a caller can act on; the HTTP
//! layer maps each to a status and a problem document. None carries a submitted value, a
//! database message or any other internal detail: the cause of an internal failure is logged
//! once, where it is converted.

use klinik_domain::{Message, Violations, msg};
use klinik_persistence::{StoreError, WorkError};

/// One field that broke a rule; the HTTP layer writes it in the caller's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The offending field, as a path into the request (`board_members[0].name`), or the query
    /// parameter's name.
    pub field: String,
    /// Stable machine-readable rule code.
    pub code: String,
    /// Explanation for people; never repeats the submitted value.
    pub message: Message,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: Message) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message,
        }
    }
}

/// The kinds of record a 404 can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    Activity,
    AnnualReport,
    Case,
    Client,
    ClinicSession,
    Cooperative,
    Diagnosis,
    DissolutionProposal,
    Document,
    EconomyYear,
    Evaluation,
    Expert,
    Import,
    Instrument,
    Notification,
    Partner,
    Programme,
    Recommendation,
    Reminder,
    Ukm,
    User,
    WebhookDelivery,
    WebhookSubscription,
    YearlyFigures,
}

impl Record {
    fn not_found(self) -> Message {
        match self {
            Record::Activity => msg!("Activity not found."),
            Record::AnnualReport => msg!("Annual report not found."),
            Record::Case => msg!("Case not found."),
            Record::Client => msg!("Client not found."),
            Record::ClinicSession => msg!("Clinic session not found."),
            Record::Cooperative => msg!("Cooperative not found."),
            Record::Diagnosis => msg!("Diagnosis not found."),
            Record::DissolutionProposal => msg!("Dissolution proposal not found."),
            Record::Document => msg!("Document not found."),
            Record::EconomyYear => msg!("No economic figures for that year."),
            Record::Evaluation => msg!("Evaluation not found."),
            Record::Expert => msg!("Expert not found."),
            Record::Import => msg!("Import not found."),
            Record::Instrument => msg!("Instrument not found."),
            Record::Notification => msg!("Notification not found."),
            Record::Partner => msg!("Partner not found."),
            Record::Programme => msg!("Programme not found."),
            Record::Recommendation => msg!("Recommendation not found."),
            Record::Reminder => msg!("Reminder not found."),
            Record::Ukm => msg!("UKM not found."),
            Record::User => msg!("User not found."),
            Record::WebhookDelivery => msg!("Webhook delivery not found."),
            Record::WebhookSubscription => msg!("Webhook subscription not found."),
            Record::YearlyFigures => msg!("Yearly figures not found."),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A query or header parameter that is unknown or breaks a rule.
    #[error("bad request: {code}")]
    BadRequest {
        code: &'static str,
        detail: Message,
        errors: Vec<FieldError>,
    },
    /// No valid credentials. The detail never says which part was wrong.
    #[error("unauthorized")]
    Unauthorized { code: &'static str, detail: Message },
    #[error("forbidden")]
    Forbidden { detail: Message },
    #[error("too many requests")]
    TooManyRequests {
        retry_after_seconds: u64,
        reason: TooMany,
    },
    #[error("not found")]
    NotFound { detail: Message },
    /// A known path asked with another method; `allow` lists the methods it has.
    #[error("method not allowed")]
    MethodNotAllowed { allow: String },
    #[error("conflict: {code}")]
    Conflict {
        code: &'static str,
        detail: Message,
        errors: Vec<FieldError>,
    },
    /// What the caller asks for existed once and is gone for good (a change feed cursor older
    /// than the feed keeps).
    #[error("gone: {code}")]
    Gone { code: &'static str, detail: Message },
    /// The record changed since the caller read it (`If-Match`).
    #[error("precondition failed")]
    PreconditionFailed,
    #[error("payload too large")]
    PayloadTooLarge { limit: usize },
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// An uploaded file whose content is not an accepted type (whatever its name says).
    #[error("unsupported file type")]
    UnsupportedFileType,
    #[error("validation failed")]
    Validation { errors: Vec<FieldError> },
    #[error("service unavailable")]
    Unavailable,
    /// The document store (a directory or a bucket) failed or does not answer.
    #[error("document store unavailable")]
    StoreUnavailable,
    #[error("internal error")]
    Internal,
}

/// Why a request was refused with 429.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooMany {
    /// Failed sign-ins for one account from one address (the lockout).
    LockedOut,
    /// Sign-in attempts from one address beyond `quota` per `window_seconds`.
    SignInRate { quota: u32, window_seconds: u32 },
    /// Every password-hashing slot stayed busy.
    Busy,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The one answer to any bad or missing token: it does not say what was wrong.
    pub fn invalid_token() -> Self {
        Error::Unauthorized {
            code: "invalid_token",
            detail: msg!("The access token is missing or not valid."),
        }
    }

    /// For `map_err`: a missing record becomes a 404 naming `what`; any other storage error maps
    /// as usual.
    pub fn missing(what: Record) -> impl Fn(StoreError) -> Error {
        move |error| match error {
            StoreError::NotFound => Error::not_found(what),
            other => other.into(),
        }
    }

    pub fn not_found(what: Record) -> Self {
        Error::NotFound {
            detail: what.not_found(),
        }
    }

    /// A path that names no resource (or a record id that cannot be one).
    pub fn not_found_path() -> Self {
        Error::NotFound {
            detail: msg!("No such resource."),
        }
    }

    pub fn forbidden(detail: Message) -> Self {
        Error::Forbidden { detail }
    }

    pub fn validation(field: &str, code: &'static str, message: Message) -> Self {
        Error::Validation {
            errors: vec![FieldError::new(field, code, message)],
        }
    }

    pub fn conflict(field: &str, code: &'static str, detail: Message) -> Self {
        Error::Conflict {
            code,
            detail: detail.clone(),
            errors: vec![FieldError::new(field, code, detail)],
        }
    }

    /// A query parameter rule broken after parsing (a range, a length): reported like parse errors.
    pub fn query(field: &str, code: &str, message: Message) -> Self {
        Error::BadRequest {
            code: "invalid_query",
            detail: msg!("A query parameter is unknown or has an invalid value."),
            errors: vec![FieldError::new(field, code, message)],
        }
    }

    /// Logs an unexpected failure once and hides it behind a 500.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "request failed");
        Error::Internal
    }

    /// The stable machine-readable code of the problem.
    pub fn code(&self) -> &'static str {
        match self {
            Error::BadRequest { code, .. } | Error::Conflict { code, .. } => code,
            Error::Unauthorized { code, .. } | Error::Gone { code, .. } => code,
            Error::Forbidden { .. } => "forbidden",
            Error::TooManyRequests { .. } => "too_many_requests",
            Error::NotFound { .. } => "not_found",
            Error::MethodNotAllowed { .. } => "method_not_allowed",
            Error::PreconditionFailed => "precondition_failed",
            Error::PayloadTooLarge { .. } => "payload_too_large",
            Error::UnsupportedMediaType => "unsupported_media_type",
            Error::Validation { .. } => "validation_failed",
            Error::Unavailable => "service_unavailable",
            Error::UnsupportedFileType => "unsupported_file_type",
            Error::StoreUnavailable => "storage_unavailable",
            Error::Internal => "internal_error",
        }
    }

    /// What went wrong, for people; never a submitted value or an internal detail.
    pub fn detail(&self) -> Message {
        match self {
            Error::BadRequest { detail, .. }
            | Error::Unauthorized { detail, .. }
            | Error::Forbidden { detail }
            | Error::NotFound { detail }
            | Error::Gone { detail, .. }
            | Error::Conflict { detail, .. } => detail.clone(),
            Error::TooManyRequests {
                retry_after_seconds,
                reason,
            } => match reason {
                TooMany::LockedOut => msg!(
                    "Too many failed sign-ins for this account from this address. Try again in %{seconds} seconds.",
                    seconds = retry_after_seconds
                ),
                TooMany::SignInRate { .. } => msg!(
                    "Too many sign-in attempts from this address. Try again in %{seconds} seconds.",
                    seconds = retry_after_seconds
                ),
                TooMany::Busy => msg!(
                    "The server is checking too many passwords at once. Try again in a moment."
                ),
            },
            Error::MethodNotAllowed { allow } => {
                msg!("This resource supports only: %{allow}.", allow = allow)
            }
            Error::PreconditionFailed => msg!(
                "The record has changed since you read it (If-Match does not match its ETag). Read it again and retry."
            ),
            Error::PayloadTooLarge { limit } => msg!(
                "The request body is larger than the limit of %{limit} bytes.",
                limit = limit
            ),
            Error::UnsupportedMediaType => msg!(
                "The request body's media type is not the one this operation documents (application/json; a form for /auth/token; multipart/form-data for /imports)."
            ),
            Error::Validation { errors } => match errors.len() {
                1 => msg!("The request has 1 invalid field."),
                n => msg!("The request has %{count} invalid fields.", count = n),
            },
            Error::Unavailable => {
                msg!("The database is not reachable right now. Try again shortly.")
            }
            Error::UnsupportedFileType => msg!(
                "The file is not an accepted type (PDF, PNG, JPEG, WebP, XLSX, DOCX, ODT, ODS). The type is decided by the file's content, not its name."
            ),
            Error::StoreUnavailable => {
                msg!(
                    "The document store is not reachable right now. Nothing was saved; try again shortly."
                )
            }
            Error::Internal => msg!("An unexpected error occurred. It has been logged."),
        }
    }

    /// The fields at fault, for a bad request, a conflict or a validation failure.
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            Error::BadRequest { errors, .. }
            | Error::Conflict { errors, .. }
            | Error::Validation { errors } => errors.clone(),
            _ => Vec::new(),
        }
    }
}

impl From<Violations> for Error {
    fn from(violations: Violations) -> Self {
        Error::Validation {
            errors: violations
                .0
                .into_iter()
                .map(|v| FieldError::new(v.field, v.code, v.message))
                .collect(),
        }
    }
}

impl From<klinik_domain::Violation> for Error {
    fn from(violation: klinik_domain::Violation) -> Self {
        Violations::from(violation).into()
    }
}

impl From<StoreError> for Error {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Error::NotFound {
                detail: msg!("The record was not found."),
            },
            StoreError::Stale => Error::PreconditionFailed,
            StoreError::Duplicate { .. } => Error::Conflict {
                code: "duplicate",
                detail: msg!("A record with the same unique key already exists."),
                errors: Vec::new(),
            },
            StoreError::MissingReference => Error::validation(
                "",
                "missing_reference",
                msg!("refers to a record that does not exist"),
            ),
            StoreError::Busy => Error::Unavailable,
            StoreError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "database unavailable");
                Error::Unavailable
            }
            other => Error::internal(&other),
        }
    }
}

impl From<diesel::result::Error> for Error {
    fn from(error: diesel::result::Error) -> Self {
        Error::from(StoreError::from(error))
    }
}

impl WorkError for Error {
    fn connection_suspect(&self) -> bool {
        matches!(self, Error::Unavailable | Error::Internal)
    }
}
