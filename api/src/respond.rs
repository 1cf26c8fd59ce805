//! Turning use-case results into responses: a record with its `ETag`, a page, a created record
//! (replayed or not), no content.

use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use klinik_app::created::Created;
use klinik_app::spreadsheet::{self, Format};
use klinik_app::versioned::{Tagged, etag};
use serde::Serialize;

use crate::problem::ApiError;

pub type Reply = Result<HttpResponse, ApiError>;

/// `200` with a record and its version as the `ETag`.
pub fn tagged<T: Serialize + Tagged>(record: T) -> Reply {
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(record.version())))
        .json(record))
}

/// `200` with a body that has no version (a page, a list, a computed answer).
pub fn ok<T: Serialize>(body: T) -> Reply {
    Ok(HttpResponse::Ok().json(body))
}

/// `201` with the new record, its `Location` and `ETag`; a replay says so.
pub fn created(created: Created) -> Reply {
    let mut response = HttpResponse::build(StatusCode::CREATED);
    response
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .insert_header((header::LOCATION, created.location))
        .insert_header((header::ETAG, created.etag));
    if created.replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    Ok(response.body(created.body))
}

/// `204`.
pub fn no_content() -> Reply {
    Ok(HttpResponse::NoContent().finish())
}

/// `200` with a file to save: its media type and `Content-Disposition: attachment`.
pub fn download(format: Format, name: &str, body: Vec<u8>) -> Reply {
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, spreadsheet::content_type(format)))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.{}\"", format.as_str()),
        ))
        .body(body))
}
