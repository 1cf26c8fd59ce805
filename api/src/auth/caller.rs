//! The authorization middleware and the `Caller` it leaves for handlers.
//!
//! For every request that reaches a documented operation: look up the operation's rule (none:
//! refused), accept public ones, otherwise verify the bearer token, load the account it names
//! (which must still be active, and a person's session not revoked; `caller_cache` keeps it
//! for a moment) and check role or scope.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{Error, FromRequest, HttpMessage, HttpRequest, ResponseError, web};
use futures_util::future::{Ready, ready};
use klinik_domain::accounts::{Role, Scope, parse_scopes};
use klinik_persistence::{AnyConnection, clients, users};

use super::access::{Access, rule_for};
use super::tokens::{Claims, Subject, TokenKeys};
use crate::openapi::RouteTable;
use crate::problem::ApiError;
use crate::state::AppState;

/// The signed-in account making the request, as it is now in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    User {
        id: i64,
        username: String,
        display_name: String,
        role: Role,
        session: String,
    },
    Client {
        id: i64,
        client_id: String,
        name: String,
        scopes: Vec<Scope>,
    },
}

impl Caller {
    pub fn role(&self) -> Role {
        match self {
            Caller::User { role, .. } => *role,
            Caller::Client { .. } => Role::Integration,
        }
    }

    fn may(&self, access: Access) -> bool {
        match (access, self) {
            (Access::Public | Access::SignedIn, _) => true,
            (Access::People, Caller::User { .. }) => true,
            (Access::People, Caller::Client { .. }) => false,
            (Access::Rule { roles, .. }, Caller::User { role, .. }) => roles.contains(role),
            (Access::Rule { scope, .. }, Caller::Client { scopes, .. }) => {
                scope.is_some_and(|s| scopes.contains(&s))
            }
        }
    }
}

/// Loads the account a verified token names; `None` when it no longer may act.
fn load_caller(
    conn: &mut AnyConnection,
    subject: Subject,
    claims: &Claims,
) -> Result<Option<Caller>, ApiError> {
    match subject {
        Subject::User(id) => {
            let Some(session) = claims.sid.clone() else {
                return Ok(None);
            };
            let Some(user) = users::find_signed_in(conn, id, &session)? else {
                return Ok(None);
            };
            let Ok(role) = user.role.parse() else {
                return Ok(None);
            };
            Ok(Some(Caller::User {
                id,
                username: user.username,
                display_name: user.display_name,
                role,
                session,
            }))
        }
        Subject::Client(id) => {
            let client = match clients::find(conn, id) {
                Ok(client) => client,
                Err(klinik_persistence::StoreError::NotFound) => return Ok(None),
                Err(e) => return Err(e.into()),
            };
            if !client.active {
                return Ok(None);
            }
            // The token's scopes, narrowed to those the client still holds.
            let held = parse_scopes(&client.scopes);
            let scopes = parse_scopes(claims.scope.as_deref().unwrap_or_default())
                .into_iter()
                .filter(|s| held.contains(s))
                .collect();
            Ok(Some(Caller::Client {
                id,
                client_id: client.client_id,
                name: client.name,
                scopes,
            }))
        }
    }
}

fn bearer(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

async fn decide(req: &ServiceRequest) -> Result<Option<Caller>, ApiError> {
    let routes = req
        .app_data::<web::Data<RouteTable>>()
        .ok_or(ApiError::Internal)?;
    let Some(operation) = routes.operation(req.method(), req.path()) else {
        // Not a documented operation: the 404/405 answer or Swagger UI follows.
        return Ok(None);
    };
    let access = rule_for(operation).ok_or_else(|| ApiError::Forbidden {
        detail: "This operation has no access rule and serves nobody.".into(),
    })?;
    if access == Access::Public {
        return Ok(None);
    }
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or(ApiError::Internal)?;
    let keys: &TokenKeys = &state.tokens;
    let token = bearer(req).ok_or_else(ApiError::invalid_token)?;
    let (subject, claims) = keys.verify(&token).ok_or_else(ApiError::invalid_token)?;
    // Read before loading: a write committing meanwhile leaves the entry stale, never wrong.
    let writes = state.writes.get();
    let caller = match state.callers.get(&token, writes) {
        Some(caller) => caller,
        None => {
            let caller = state
                .query(move |conn| load_caller(conn, subject, &claims))
                .await?
                .ok_or_else(ApiError::invalid_token)?;
            state.callers.put(token, writes, caller.clone());
            caller
        }
    };
    if !caller.may(access) {
        return Err(ApiError::Forbidden {
            detail: "Your role or scopes do not allow this operation.".into(),
        });
    }
    Ok(Some(caller))
}

/// Middleware: applies the access rule of the operation the request is for.
pub async fn authorize(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    match decide(&req).await {
        Ok(caller) => {
            if let Some(caller) = caller {
                req.extensions_mut().insert(caller);
            }
            next.call(req)
                .await
                .map(ServiceResponse::map_into_left_body)
        }
        Err(error) => Ok(req
            .into_response(error.error_response())
            .map_into_right_body()),
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<Caller>()
                .cloned()
                .ok_or_else(ApiError::invalid_token),
        )
    }
}
