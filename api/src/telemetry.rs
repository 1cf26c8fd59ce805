//! Logging and the per-request context: request id, span, and one line per finished request.
//!
//! Only the method, the path (ids, never query strings: `q` and later `nik` may carry personal
//! data), the status and the latency are logged.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

use crate::settings::{LogFormat, Settings};

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the current request, as sent by the caller or generated here.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Installs the global tracing subscriber (text or JSON lines on standard error).
pub fn init(settings: &Settings) {
    let filter = EnvFilter::try_new(&settings.log_level).unwrap_or_else(|_| EnvFilter::new("info"));
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour);
    // A second call (tests) keeps the first subscriber.
    let _ = match settings.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// A caller's request id is kept when it is short printable ASCII; otherwise a new one is made.
fn accept_request_id(value: Option<&HeaderValue>) -> Option<String> {
    let text = value?.to_str().ok()?;
    let ok = !text.is_empty() && text.len() <= 128 && text.bytes().all(|b| b.is_ascii_graphic());
    ok.then(|| text.to_owned())
}

/// Middleware: request id in and out, a span around the request, and a closing log line.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let request_id = accept_request_id(req.headers().get(&REQUEST_ID_HEADER))
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %req.method(),
        path = %req.path(),
    );
    let started = Instant::now();
    let mut response = next.call(req).instrument(span.clone()).await?;
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    let status = response.status().as_u16();
    span.in_scope(|| {
        tracing::info!(
            status,
            latency_ms = started.elapsed().as_millis() as u64,
            "request finished"
        )
    });
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_kept_only_when_short_and_printable() {
        let ok = HeaderValue::from_static("abc-123");
        assert_eq!(accept_request_id(Some(&ok)).as_deref(), Some("abc-123"));
        let spaced = HeaderValue::from_static("a b");
        assert_eq!(accept_request_id(Some(&spaced)), None);
        let long = HeaderValue::from_str(&"x".repeat(129)).unwrap();
        assert_eq!(accept_request_id(Some(&long)), None);
        assert_eq!(accept_request_id(None), None);
    }
}
