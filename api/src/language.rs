//! The two languages the API speaks, and problem documents in the one the caller prefers.
//!
//! Rules write their messages in English ([`klinik_domain::Message`]); the Indonesian texts are
//! data, in `api/locales/messages.yml`, keyed by the English template. A problem leaves its
//! handler in English; [`localize`] writes it again in Bahasa Indonesia when `Accept-Language`
//! prefers that, and says which language a problem is in with `Content-Language`.

use actix_web::HttpRequest;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, AcceptLanguage, Header, HeaderMap, HeaderValue};
use actix_web::middleware::Next;
use klinik_domain::Message;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::problem::{ApiError, PROBLEM_CONTENT_TYPE};
use crate::routes::token_errors::TokenError;

/// A language the API speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// English.
    En,
    /// Bahasa Indonesia.
    Id,
}

impl Language {
    pub fn tag(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Id => "id",
        }
    }

    /// The language `Accept-Language` prefers among the two (its first ranked tag whose primary
    /// subtag is `id` or `en`); English when it names neither.
    pub fn preferred(request: &HttpRequest) -> Self {
        let ranked = AcceptLanguage::parse(request)
            .map(|accepted| accepted.ranked())
            .unwrap_or_default();
        ranked
            .iter()
            .find_map(|preference| match preference.item()?.primary_language() {
                "id" | "in" => Some(Language::Id),
                "en" => Some(Language::En),
                _ => None,
            })
            .unwrap_or(Language::En)
    }

    /// `message` in this language. A template the catalogue lacks stays English (a test keeps
    /// the catalogue whole).
    pub fn text(self, message: &Message) -> String {
        match self {
            Language::En => message.english(),
            Language::Id => message.translate(&|key| translation(self, key)),
        }
    }

    /// An English text that is a catalogue key as it stands (an HTTP status phrase).
    pub fn phrase(self, english: &str) -> String {
        match self {
            Language::En => english.to_owned(),
            Language::Id => translation(self, english).unwrap_or_else(|| english.to_owned()),
        }
    }
}

/// The catalogue's text for `key` in `language`, if it has one.
pub fn translation(language: Language, key: &str) -> Option<String> {
    crate::_rust_i18n_try_translate(language.tag(), key).map(|text| text.into_owned())
}

/// Writes every problem document in the language the caller prefers and names it in
/// `Content-Language`. Responses that are not problems pass untouched.
pub async fn localize(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let language = Language::preferred(req.request());
    // Innermost middleware: what is inside is routing and handlers, whose errors come back as
    // responses carrying the error, never as `Err`.
    let response = next.call(req).await?.map_into_boxed_body();
    // Problems leave their handlers in English: only Indonesian needs writing again.
    let rewritten = match language {
        Language::En => None,
        Language::Id => response
            .response()
            .error()
            .and_then(|error| written_in(language, error)),
    };
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes() == PROBLEM_CONTENT_TYPE.as_bytes());
    if !is_problem {
        return Ok(response);
    }
    let (request, mut http) = response.into_parts();
    let said = match rewritten {
        Some(bytes) => {
            http = http.set_body(BoxBody::new(bytes));
            language
        }
        // English as written, or a problem that did not travel with its error.
        None => Language::En,
    };
    mark(http.headers_mut(), said);
    Ok(ServiceResponse::new(request, http))
}

/// The problem document of `error` in `language`, if it is one of ours.
fn written_in(language: Language, error: &actix_web::Error) -> Option<Vec<u8>> {
    if let Some(token) = error.as_error::<TokenError>() {
        serde_json::to_vec(&token.body_in(language)).ok()
    } else {
        serde_json::to_vec(&error.as_error::<ApiError>()?.to_problem(language)).ok()
    }
}

/// Says which language a problem is in; caches keep one answer per `Accept-Language`.
fn mark(headers: &mut HeaderMap, language: Language) {
    headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(language.tag()),
    );
    headers.append(header::VARY, HeaderValue::from_static("Accept-Language"));
}
