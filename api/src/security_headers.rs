//! Response headers for an API that browsers call: no content sniffing, no referrer leaking
//! record URLs, nothing from the API kept by a cache (responses may carry personal data), and a
//! Content-Security-Policy under which Swagger UI still works offline (it is vendored: every
//! script and style comes from this server; it only sets inline styles and uses data: images).

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;

/// For Swagger UI's pages and assets.
pub const SWAGGER_UI_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// For everything else: JSON, CSV and XLSX load nothing.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// The `Cache-Control` a response gets when its handler set none.
fn default_cache_control(path: &str) -> &'static str {
    if path.starts_with("/api/v1/") {
        // Any API answer may hold personal data or access-controlled records.
        "no-store"
    } else {
        // The contract, Swagger UI and health: revalidate each time.
        "no-cache"
    }
}

pub async fn add(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let path = req.path().to_owned();
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    let set = |headers: &mut header::HeaderMap, name: HeaderName, value: &'static str| {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    };
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(headers, header::CACHE_CONTROL, default_cache_control(&path));
    let csp = if path.starts_with("/swagger-ui") {
        SWAGGER_UI_CSP
    } else {
        API_CSP
    };
    set(headers, header::CONTENT_SECURITY_POLICY, csp);
    Ok(response)
}
