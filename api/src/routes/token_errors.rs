//! The token endpoint's errors in both vocabularies: the problem document every endpoint answers,
//! plus RFC 6749 §5.2's `error` and `error_description`, which OAuth 2.0 client libraries read.

use actix_web::body::BoxBody;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use klinik_app::Error;
use klinik_domain::msg;
use serde::Serialize;
use utoipa::{ToResponse, ToSchema};

use crate::language::Language;
use crate::problem::{ApiError, Problem};

/// RFC 6749 §5.2 error codes (and `temporarily_unavailable`, borrowed from §4.1.2.1 for a busy
/// or rate-limited server, and `server_error` for anything unexpected).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OAuthErrorCode {
    InvalidRequest,
    InvalidClient,
    UnsupportedGrantType,
    TemporarilyUnavailable,
    ServerError,
}

/// A token endpoint error: a problem document with the RFC 6749 members beside it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:klinik-kumkm:problem:invalid_client",
    "title": "Unauthorized",
    "status": 401,
    "detail": "The client credentials are not correct.",
    "code": "invalid_client",
    "error": "invalid_client",
    "error_description": "The client credentials are not correct."
}))]
pub struct TokenProblem {
    #[serde(flatten)]
    pub problem: Problem,
    /// The RFC 6749 §5.2 error code.
    pub error: OAuthErrorCode,
    /// The same text as `detail`.
    pub error_description: String,
}

/// The token endpoint's error responses, as shared components like every other error response.
pub mod responses {
    use super::*;

    macro_rules! token_response {
        ($name:ident, $description:literal) => {
            #[derive(ToResponse)]
            #[response(description = $description, content_type = "application/problem+json")]
            pub struct $name(#[allow(dead_code)] pub TokenProblem);
        };
    }

    token_response!(
        TokenBadRequest,
        "A missing or invalid form field (`error`: `invalid_request`) or another grant type (`unsupported_grant_type`)."
    );
    token_response!(
        TokenUnauthorized,
        "Unknown client, wrong secret or a deactivated client (`error`: `invalid_client`)."
    );
    token_response!(
        TokenUnsupportedMediaType,
        "The body is not `application/x-www-form-urlencoded` (`error`: `invalid_request`)."
    );
    token_response!(
        TokenTooManyRequests,
        "Locked out or over the sign-in rate (`error`: `temporarily_unavailable`); `Retry-After` says when to try again."
    );
}

/// An error of the token endpoint: answered as [`ApiError`] would (status, headers), with the
/// RFC 6749 members added to its body.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct TokenError(#[from] pub ApiError);

impl TokenError {
    pub fn code(&self) -> OAuthErrorCode {
        match &self.0.0 {
            Error::Unauthorized { .. } => OAuthErrorCode::InvalidClient,
            Error::BadRequest {
                code: "unsupported_grant_type",
                ..
            } => OAuthErrorCode::UnsupportedGrantType,
            Error::BadRequest { .. }
            | Error::Validation { .. }
            | Error::UnsupportedMediaType
            | Error::PayloadTooLarge { .. } => OAuthErrorCode::InvalidRequest,
            Error::TooManyRequests { .. } | Error::Unavailable | Error::StoreUnavailable => {
                OAuthErrorCode::TemporarilyUnavailable
            }
            _ => OAuthErrorCode::ServerError,
        }
    }
}

/// Another grant than client credentials.
pub fn unsupported_grant_type() -> TokenError {
    TokenError::from(Error::BadRequest {
        code: "unsupported_grant_type",
        detail: msg!(
            "Only grant_type=client_credentials is supported here; people sign in at /api/v1/auth/login."
        ),
        errors: Vec::new(),
    })
}

/// The contract's example for the shared response named `Token{kind}`.
pub fn example(kind: &str) -> Option<TokenError> {
    Some(match kind {
        "BadRequest" => unsupported_grant_type(),
        "Unauthorized" => klinik_app::auth::sign_in::invalid_client().into(),
        "UnsupportedMediaType" => Error::UnsupportedMediaType.into(),
        "TooManyRequests" => Error::TooManyRequests {
            retry_after_seconds: 42,
            reason: klinik_app::error::TooMany::LockedOut,
        }
        .into(),
        _ => return None,
    })
}

impl TokenError {
    /// The body this error is answered with, in `language`.
    pub fn body_in(&self, language: Language) -> TokenProblem {
        let problem = self.0.to_problem(language);
        TokenProblem {
            error_description: problem.detail.clone(),
            error: self.code(),
            problem,
        }
    }
}

impl ResponseError for TokenError {
    fn status_code(&self) -> StatusCode {
        self.0.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        let response = self.0.error_response();
        match serde_json::to_vec(&self.body_in(Language::En)) {
            Ok(bytes) => response.set_body(BoxBody::new(bytes)),
            // Serialising plain strings cannot fail; the plain problem document is still right.
            Err(_) => response,
        }
    }
}

impl From<klinik_app::Error> for TokenError {
    fn from(error: klinik_app::Error) -> Self {
        TokenError(ApiError(error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_maps_to_the_rfc_6749_code_a_client_library_expects() {
        let cases = [
            (
                klinik_app::auth::sign_in::invalid_client(),
                "invalid_client",
            ),
            (
                Error::BadRequest {
                    code: "unsupported_grant_type",
                    detail: msg!("No such resource."),
                    errors: Vec::new(),
                },
                "unsupported_grant_type",
            ),
            (Error::UnsupportedMediaType, "invalid_request"),
            (Error::Unavailable, "temporarily_unavailable"),
            (Error::Internal, "server_error"),
        ];
        for (error, expected) in cases {
            let code = TokenError::from(error).code();
            assert_eq!(serde_json::to_value(code).unwrap(), expected);
        }
    }
}
