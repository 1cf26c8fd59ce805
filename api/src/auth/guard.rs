//! Who is calling, and whether they may: the authentication middleware and the guard every
//! protected handler takes first.
//!
//! The middleware reads a bearer token on any request that carries one and leaves what it found
//! (a caller, a bad token, or a database that did not answer) for the guard. The guard, an
//! extractor, looks up the rule of the operation its handler serves (the route's name is the
//! operation id) in [`super::access`], and answers 401 or 403 — before any other part of the
//! request is read. A handler cannot reach a use case without the [`Ctx`] the guard yields;
//! an operation without a rule serves nobody.

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{Error, FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::{Ready, ready};
use klinik_app::auth::callers;
use klinik_app::{App, Caller, Ctx, Origin};
use klinik_domain::accounts::Role;
use klinik_domain::msg;

use super::access::{Access, rule_for};
use crate::problem::ApiError;
use crate::telemetry::RequestId;

/// What the middleware found out about the request's credentials.
#[derive(Debug, Clone)]
enum Authentication {
    /// No `Authorization: Bearer` header.
    Missing,
    /// A token that does not verify, or names an account that may no longer act.
    Invalid,
    /// The account could not be checked (the database did not answer).
    Failed(u16),
    Caller(Caller),
}

fn bearer(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

async fn authenticate(req: &ServiceRequest) -> Authentication {
    let Some(token) = bearer(req) else {
        return Authentication::Missing;
    };
    let Some(app) = req.app_data::<web::Data<App>>() else {
        return Authentication::Failed(500);
    };
    match callers::authenticate(app, token).await {
        Ok(Some(caller)) => Authentication::Caller(caller),
        Ok(None) => Authentication::Invalid,
        Err(error) => Authentication::Failed(match error {
            klinik_app::Error::Unavailable => 503,
            _ => 500,
        }),
    }
}

/// Middleware: reads the bearer token, if any, for the guard.
pub async fn identify(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let found = authenticate(&req).await;
    req.extensions_mut().insert(found);
    next.call(req).await
}

/// Where the request came from, as the audit trail records it.
pub fn origin(req: &HttpRequest) -> Origin {
    Origin {
        request_id: req.extensions().get::<RequestId>().map(|r| r.0.clone()),
        client_address: super::client_address::of(req).map(|a| a.to_string()),
    }
}

impl Access {
    fn admits(self, caller: &Caller) -> bool {
        match (self, caller) {
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

/// A caller allowed to run the operation: the first argument of every protected handler.
#[derive(Clone)]
pub struct Allowed(pub Ctx);

impl std::ops::Deref for Allowed {
    type Target = Ctx;
    fn deref(&self) -> &Ctx {
        &self.0
    }
}

impl Allowed {
    /// True for admins and officers.
    pub fn is_staff(&self) -> bool {
        matches!(self.0.caller.role(), Role::Admin | Role::Officer)
    }
}

fn decide(req: &HttpRequest) -> Result<Allowed, ApiError> {
    let access =
        req.match_name()
            .and_then(rule_for)
            .ok_or_else(|| klinik_app::Error::Forbidden {
                detail: msg!("This operation has no access rule and serves nobody."),
            })?;
    let found = req
        .extensions()
        .get::<Authentication>()
        .cloned()
        .unwrap_or(Authentication::Missing);
    let caller = match found {
        Authentication::Caller(caller) => caller,
        Authentication::Missing | Authentication::Invalid => {
            return Err(ApiError(klinik_app::Error::invalid_token()));
        }
        Authentication::Failed(503) => return Err(ApiError(klinik_app::Error::Unavailable)),
        Authentication::Failed(_) => return Err(ApiError(klinik_app::Error::Internal)),
    };
    if !access.admits(&caller) {
        return Err(ApiError(klinik_app::Error::Forbidden {
            detail: msg!("Your role or scopes do not allow this operation."),
        }));
    }
    let app = req
        .app_data::<web::Data<App>>()
        .ok_or(ApiError(klinik_app::Error::Internal))?;
    Ok(Allowed(Ctx::new(
        app.get_ref().clone(),
        caller,
        &origin(req),
    )))
}

impl FromRequest for Allowed {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(decide(req))
    }
}

/// The origin of a request to a public operation (sign-in, tokens), which has no caller.
#[derive(Debug, Clone)]
pub struct Public(pub Origin);

impl FromRequest for Public {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Public(origin(req))))
    }
}
