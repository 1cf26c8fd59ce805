//! What a create answered, and its safe replay for requests that carry an `Idempotency-Key`.

use klinik_domain::msg;
use klinik_persistence::{AnyConnection, idempotency};
use serde::Serialize;

use crate::context::{Caller, Ctx};
use crate::error::{Error, FieldError};
use crate::versioned::{Tagged, etag};

/// A create request's retry identity: the operation it is for, the caller's key (if any) and the
/// SHA-256 of its exact body. A retry with the same key and body replays the first answer.
#[derive(Debug, Clone, Default)]
pub struct Idempotency {
    /// The operation and path, e.g. `POST /api/v1/cooperatives`.
    pub scope: String,
    pub key: Option<String>,
    /// Hex SHA-256 of the request body.
    pub body_hash: String,
}

impl Idempotency {
    /// The retry identity of a request to `scope` with `key` and exactly the bytes `body`.
    pub fn new(scope: String, key: Option<String>, body: &[u8]) -> Self {
        use sha2::{Digest, Sha256};
        Self {
            scope,
            key,
            body_hash: hex::encode(Sha256::digest(body)),
        }
    }
}

/// What a create operation answered: replayed byte for byte on a retry.
#[derive(Debug, Clone)]
pub struct Created {
    pub body: String,
    pub location: String,
    pub etag: String,
    /// This answer is the replay of an earlier request's.
    pub replayed: bool,
}

impl Created {
    /// The answer for `record`, found at `location`.
    pub fn new<T: Serialize + Tagged>(record: &T, location: String) -> Result<Self, Error> {
        let body = serde_json::to_string(record).map_err(|e| Error::internal(&e))?;
        Ok(Self {
            body,
            location,
            etag: etag(record.version()),
            replayed: false,
        })
    }
}

/// Whose keys these are: one caller's key never replays another caller's answer (which could
/// hold data the second caller may not see).
fn owner(caller: &Caller) -> String {
    match caller {
        Caller::User { id, .. } => format!("user:{id}"),
        Caller::Client { id, .. } => format!("client:{id}"),
    }
}

/// Runs `create` unless this caller already used the key for this operation within the key's
/// lifetime (`KLINIK_IDEMPOTENCY_TTL_HOURS`): then the first answer is returned (marked
/// `replayed`), provided the body is byte-identical; another body is a 422. An expired key is
/// forgotten and works as new. Must run inside the caller's transaction so that the record and
/// the key commit together.
pub fn create_once(
    conn: &mut AnyConnection,
    ctx: &Ctx,
    request: &Idempotency,
    create: impl FnOnce(&mut AnyConnection) -> Result<Created, Error>,
) -> Result<Created, Error> {
    let Some(key) = request.key.as_deref() else {
        return create(conn);
    };
    let scope = format!("{} {}", owner(&ctx.caller), request.scope);
    let scope = scope.as_str();
    let ttl = chrono::Duration::from_std(ctx.app.protection.idempotency_ttl)
        .map_err(|e| Error::internal(&e))?;
    idempotency::forget_expired(conn, scope, key, klinik_persistence::now_utc() - ttl)?;
    if let Some(stored) = idempotency::find(conn, scope, key)? {
        if stored.request_hash != request.body_hash {
            return Err(Error::Validation {
                errors: vec![FieldError::new(
                    "Idempotency-Key",
                    "idempotency_key_reused",
                    msg!("was already used with a different request body"),
                )],
            });
        }
        return Ok(Created {
            body: stored.response_body,
            location: stored.response_location.unwrap_or_default(),
            etag: stored.response_etag.unwrap_or_default(),
            replayed: true,
        });
    }
    let created = create(conn)?;
    idempotency::store(
        conn,
        scope,
        key,
        &request.body_hash,
        201,
        &created.body,
        Some(&created.location),
        Some(&created.etag),
    )
    .map_err(|e| {
        if e.duplicate_of("idempotency_key") {
            Error::Conflict {
                code: "idempotency_key_in_use",
                detail: msg!(
                    "Another request with this Idempotency-Key is being processed; retry shortly."
                ),
                errors: Vec::new(),
            }
        } else {
            Error::from(e)
        }
    })?;
    Ok(created)
}
