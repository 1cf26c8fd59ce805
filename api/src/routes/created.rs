//! `201 Created` responses and their safe replay for requests that carry an `Idempotency-Key`.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header;
use klinik_persistence::{AnyConnection, idempotency};
use sha2::{Digest, Sha256};

use crate::problem::ApiError;

/// What a create operation answered: replayed byte for byte on a retry.
#[derive(Debug, Clone)]
pub struct Created {
    pub body: String,
    pub location: String,
    pub etag: String,
}

impl Created {
    pub fn new<T: serde::Serialize>(
        body: &T,
        location: String,
        etag: String,
    ) -> Result<Self, ApiError> {
        let body = serde_json::to_string(body).map_err(|e| ApiError::internal(&e))?;
        Ok(Self {
            body,
            location,
            etag,
        })
    }

    pub fn into_response(self, replayed: bool) -> HttpResponse {
        let mut response = HttpResponse::build(StatusCode::CREATED);
        response
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .insert_header((header::LOCATION, self.location))
            .insert_header((header::ETAG, self.etag));
        if replayed {
            response.insert_header(("Idempotent-Replayed", "true"));
        }
        response.body(self.body)
    }
}

/// Runs `create` unless `key` was already used in `scope`: then the first answer is returned (and
/// `true` says it is a replay), provided the body is byte-identical; another body is a 422.
/// Must run inside the caller's transaction so that the record and the key commit together.
pub fn create_once(
    conn: &mut AnyConnection,
    scope: &str,
    key: Option<&str>,
    raw_body: &[u8],
    create: impl FnOnce(&mut AnyConnection) -> Result<Created, ApiError>,
) -> Result<(Created, bool), ApiError> {
    let Some(key) = key else {
        return Ok((create(conn)?, false));
    };
    let hash = hex::encode(Sha256::digest(raw_body));
    if let Some(stored) = idempotency::find(conn, scope, key)? {
        if stored.request_hash != hash {
            return Err(ApiError::Validation {
                errors: vec![crate::problem::FieldError {
                    field: "Idempotency-Key".into(),
                    code: "idempotency_key_reused".into(),
                    message: "was already used with a different request body".into(),
                }],
            });
        }
        let replay = Created {
            body: stored.response_body,
            location: stored.response_location.unwrap_or_default(),
            etag: stored.response_etag.unwrap_or_default(),
        };
        return Ok((replay, true));
    }
    let created = create(conn)?;
    idempotency::store(
        conn,
        scope,
        key,
        &hash,
        201,
        &created.body,
        Some(&created.location),
        Some(&created.etag),
    )
    .map_err(|e| {
        if e.duplicate_of("idempotency_key") {
            ApiError::Conflict {
                code: "idempotency_key_in_use",
                detail:
                    "Another request with this Idempotency-Key is being processed; retry shortly."
                        .into(),
                errors: Vec::new(),
            }
        } else {
            ApiError::from(e)
        }
    })?;
    Ok((created, false))
}
