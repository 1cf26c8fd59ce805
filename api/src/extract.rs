//! Request extractors that answer with problem+json: JSON bodies, query strings, `If-Match`,
//! `Idempotency-Key`. Their error messages never repeat a submitted value.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::{LocalBoxFuture, Ready, ready};
use klinik_app::created::Idempotency;
use klinik_app::versioned::IfMatch;
use klinik_domain::msg;
use serde::de::DeserializeOwned;

use crate::problem::ApiError;
use klinik_app::FieldError;

/// The body limit in force, registered as app data by the app builder.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON request body, deserialized strictly (unknown fields are errors), with the raw bytes kept
/// for idempotency hashing.
#[derive(Debug)]
pub struct JsonBody<T> {
    pub value: T,
    pub raw: web::Bytes,
}

fn is_json(req: &HttpRequest) -> bool {
    let Some(value) = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Turns a serde error at `path` into a field error, with a message of our own.
fn describe(path: &str, error: &str) -> FieldError {
    let join = |name: &str| {
        if path.is_empty() || path == "." {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    let quoted = error.split('`').nth(1).unwrap_or("");
    let (field, code, message) = if error.starts_with("unknown field") {
        // The path already ends with the unknown field's name.
        let field = if path.ends_with(quoted) {
            path.to_owned()
        } else {
            join(quoted)
        };
        (
            field,
            "unknown_field",
            msg!("is not a field of this request"),
        )
    } else if error.starts_with("missing field") {
        (join(quoted), "required", msg!("is required"))
    } else if error.starts_with("unknown variant") {
        (
            path.to_owned(),
            "invalid_enum_value",
            msg!("is not one of the allowed values"),
        )
    } else if error.starts_with("invalid type") {
        (path.to_owned(), "invalid_type", msg!("has the wrong type"))
    } else if error.contains("input") {
        // chrono's date parse errors all speak of the "input".
        (
            path.to_owned(),
            "invalid_date",
            msg!("must be a date written YYYY-MM-DD"),
        )
    } else {
        (
            path.to_owned(),
            "invalid_value",
            msg!("has a value that cannot be read"),
        )
    };
    let field = if field.is_empty() || field == "." {
        "body".to_owned()
    } else {
        field
    };
    FieldError {
        field,
        code: code.into(),
        message,
    }
}

fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Syntax first, so that broken JSON is a 400 even when its first value would not fit `T`.
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
        return Err(ApiError(klinik_app::Error::BadRequest {
            code: "malformed_json",
            detail: msg!(
                "The body is not valid JSON (line %{line}, column %{column}).",
                line = e.line(),
                column = e.column()
            ),
            errors: Vec::new(),
        }));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize::<_, T>(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_data() {
            klinik_app::Error::Validation {
                errors: vec![describe(&path, &inner.to_string())],
            }
        } else {
            klinik_app::Error::BadRequest {
                code: "malformed_json",
                detail: msg!(
                    "The body is not valid JSON (line %{line}, column %{column}).",
                    line = inner.line(),
                    column = inner.column()
                ),
                errors: Vec::new(),
            }
        }
    })?;
    deserializer
        .end()
        .map_err(|_| klinik_app::Error::BadRequest {
            code: "malformed_json",
            detail: msg!("The body has trailing characters after the JSON value."),
            errors: Vec::new(),
        })?;
    Ok(value)
}

/// Reads the whole body, refusing more than the configured limit (413).
fn read_limited(
    req: &HttpRequest,
    payload: &mut Payload,
) -> LocalBoxFuture<'static, Result<web::Bytes, klinik_app::Error>> {
    let limit = req.app_data::<BodyLimit>().map_or(256 * 1024, |l| l.0);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let mut payload = payload.take();
    Box::pin(async move {
        if declared.is_some_and(|n| n > limit) {
            return Err(klinik_app::Error::PayloadTooLarge { limit });
        }
        let mut body = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|_| klinik_app::Error::BadRequest {
                code: "unreadable_body",
                detail: msg!("The request body could not be read."),
                errors: Vec::new(),
            })?;
            if body.len() + chunk.len() > limit {
                return Err(klinik_app::Error::PayloadTooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    })
}

/// A request body of any media type, within the size limit.
#[derive(Debug)]
pub struct RawBody(pub web::Bytes);

impl FromRequest for RawBody {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let read = read_limited(req, payload);
        Box::pin(async move { read.await.map(RawBody).map_err(ApiError) })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let read = read_limited(req, payload);
        Box::pin(async move {
            if !json {
                return Err(ApiError(klinik_app::Error::UnsupportedMediaType));
            }
            let raw = read.await?;
            if raw.is_empty() {
                return Err(ApiError(klinik_app::Error::BadRequest {
                    code: "malformed_json",
                    detail: msg!("The request body is empty; a JSON object is required."),
                    errors: Vec::new(),
                }));
            }
            let value = parse_json(&raw)?;
            Ok(JsonBody { value, raw })
        })
    }
}

/// Query parameters, deserialized strictly: an unknown or repeated parameter is a 400.
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned> FromRequest for QueryParams<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let query = req.query_string();
        let deserializer = serde_urlencoded::Deserializer::new(url_form(query.as_bytes()));
        let result = serde_path_to_error::deserialize::<_, T>(deserializer)
            .map(QueryParams)
            .map_err(|e| {
                let path = e.path().to_string();
                let message = e.into_inner().to_string();
                let mut error = describe(&path, &message);
                if message.starts_with("duplicate field") {
                    error.field = message.split('`').nth(1).unwrap_or("").to_owned();
                    error.code = "duplicate_parameter".into();
                    error.message = msg!("may be given only once");
                } else if error.code == "unknown_field" {
                    error.message = msg!("is not a parameter of this operation");
                }
                ApiError(klinik_app::Error::BadRequest {
                    code: "invalid_query",
                    detail: msg!("A query parameter is unknown or has an invalid value."),
                    errors: vec![error],
                })
            });
        ready(result)
    }
}

fn url_form(bytes: &[u8]) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(bytes)
}

/// The `If-Match` header, read for the versioned write path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Precondition(pub IfMatch);

impl FromRequest for Precondition {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let headers = req.headers();
        let values = headers
            .get_all(header::IF_MATCH)
            .filter_map(|v| v.to_str().ok());
        let present = headers.get(header::IF_MATCH).is_some();
        ready(Ok(Precondition(IfMatch::parse(present, values))))
    }
}

/// The `Idempotency-Key` of a create request, if any: 1 to 255 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(pub Option<String>);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(value) = req.headers().get("idempotency-key") else {
            return ready(Ok(IdempotencyKey(None)));
        };
        let key = value
            .to_str()
            .ok()
            .filter(|k| !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic()));
        ready(match key {
            Some(key) => Ok(IdempotencyKey(Some(key.to_owned()))),
            None => Err(ApiError(klinik_app::Error::BadRequest {
                code: "invalid_header",
                detail: msg!("Idempotency-Key must be 1 to 255 visible ASCII characters."),
                errors: vec![FieldError {
                    field: "Idempotency-Key".into(),
                    code: "idempotency_key_format".into(),
                    message: msg!("must be 1 to 255 visible ASCII characters"),
                }],
            })),
        })
    }
}

/// The body of a create request with its retry identity (`Idempotency-Key`, the operation, and
/// the body's hash), checked in that order: a malformed key is a 400 before the body is read.
#[derive(Debug)]
pub struct CreateBody<T> {
    pub value: T,
    pub idempotency: Idempotency,
}

impl<T: DeserializeOwned + 'static> FromRequest for CreateBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let key = IdempotencyKey::from_request(req, payload).into_inner();
        let scope = format!("{} {}", req.method(), req.path());
        let body = JsonBody::<T>::from_request(req, payload);
        Box::pin(async move {
            let key = key?.0;
            let JsonBody { value, raw } = body.await?;
            Ok(CreateBody {
                value,
                idempotency: Idempotency::new(scope, key, &raw),
            })
        })
    }
}

/// An `application/x-www-form-urlencoded` body (OAuth 2.0 token requests), read from `body`.
pub fn form_body<T: DeserializeOwned>(req: &HttpRequest, body: &[u8]) -> Result<T, ApiError> {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !is_form {
        return Err(ApiError(klinik_app::Error::UnsupportedMediaType));
    }
    let deserializer = serde_urlencoded::Deserializer::new(url_form(body));
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        ApiError(klinik_app::Error::BadRequest {
            code: "invalid_request",
            detail: msg!("The form is missing a field or has an invalid one."),
            errors: vec![describe(&path, &e.into_inner().to_string())],
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        name: String,
        count: i64,
        #[serde(default, deserialize_with = "klinik_app::fields::nullable")]
        note: Option<Option<String>>,
    }

    fn field_error(body: &str) -> FieldError {
        match parse_json::<Sample>(body.as_bytes()) {
            Err(ApiError(klinik_app::Error::Validation { errors })) => errors[0].clone(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn unknown_and_missing_fields_are_named_without_echoing_values() {
        let e = field_error(r#"{"name":"a","count":1,"secret":"hunter2"}"#);
        assert_eq!(
            (e.field.as_str(), e.code.as_str()),
            ("secret", "unknown_field")
        );
        let e = field_error(r#"{"name":"a"}"#);
        assert_eq!((e.field.as_str(), e.code.as_str()), ("count", "required"));
        let e = field_error(r#"{"name":"a","count":"3271010101010001"}"#);
        assert_eq!(
            (e.field.as_str(), e.code.as_str()),
            ("count", "invalid_type")
        );
        assert!(!e.message.english().contains("3271"));
    }

    #[test]
    fn broken_json_is_a_bad_request_not_a_validation_error() {
        assert!(matches!(
            parse_json::<Sample>(b"{\"name\":"),
            Err(ApiError(klinik_app::Error::BadRequest { .. }))
        ));
        assert!(matches!(
            parse_json::<Sample>(br#"{"name":"a","count":1} x"#),
            Err(ApiError(klinik_app::Error::BadRequest { .. }))
        ));
    }
}
