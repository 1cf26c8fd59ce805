//! What browsers and their frontends need around every route: CORS for pages on other origins,
//! and conditional and HEAD requests (a frontend revalidates what it holds instead of
//! downloading it again).

use actix_cors::Cors;
use actix_web::Error;
use actix_web::HttpResponse;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use klinik_app::settings::protection::CorsOrigins;

/// CORS for the configured origins: the methods and headers the API uses, the response headers
/// a frontend reads, and preflights cached for 10 minutes.
pub fn cors(origins: CorsOrigins) -> Cors {
    Cors::default()
        .allowed_origin_fn(move |origin, _| origin.to_str().is_ok_and(|o| origins.allows(o)))
        .allowed_methods(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::ACCEPT_LANGUAGE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::CONTENT_DISPOSITION,
            header::HeaderName::from_static("x-request-id"),
            header::HeaderName::from_static("idempotent-replayed"),
            header::HeaderName::from_static("ratelimit"),
            header::HeaderName::from_static("ratelimit-policy"),
        ])
        .max_age(600)
}

/// Whether an `If-None-Match` value names `etag` (weak comparison, RFC 9110 §13.1.2).
fn none_match(if_none_match: &str, etag: &str) -> bool {
    let strip = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    if_none_match.trim() == "*"
        || if_none_match
            .split(',')
            .any(|tag| strip(tag) == strip(etag))
}

/// HEAD is answered as GET without the body; a GET (or HEAD) whose `If-None-Match` names the
/// current ETag is answered 304 with no body (records' ETags are their versions; the contract's
/// is its content's hash, see `contract_file`).
pub async fn conditional(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let head = req.method() == Method::HEAD;
    if head {
        req.head_mut().method = Method::GET;
    }
    let reading = req.method() == Method::GET;
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let res = next.call(req).await?.map_into_boxed_body();
    if !reading || res.status() != StatusCode::OK {
        return Ok(res);
    }
    let etag = res
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let (Some(asked), Some(etag)) = (&if_none_match, &etag)
        && none_match(asked, etag)
    {
        let mut not_modified = HttpResponse::build(StatusCode::NOT_MODIFIED);
        for name in [header::ETAG, header::CACHE_CONTROL, header::VARY] {
            if let Some(value) = res.headers().get(&name) {
                not_modified.insert_header((name, value.clone()));
            }
        }
        return Ok(res.into_response(not_modified.finish()));
    }
    if head {
        let mut empty = HttpResponse::build(res.status());
        for (name, value) in res.headers() {
            if name != header::CONTENT_LENGTH {
                empty.append_header((name.clone(), value.clone()));
            }
        }
        return Ok(res.into_response(empty.finish()));
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_star_matches_anything() {
        assert!(none_match("\"3\"", "\"3\""));
        assert!(none_match("W/\"3\"", "\"3\""));
        assert!(none_match("\"1\", \"3\"", "\"3\""));
        assert!(none_match("*", "\"9\""));
        assert!(!none_match("\"4\"", "\"3\""));
        assert!(!none_match("\"30\"", "\"3\""));
    }
}
