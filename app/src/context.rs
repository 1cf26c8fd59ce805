//! Who acts: the signed-in person or integration client behind a request, and where the request
//! came from, as every use case receives them.

use klinik_domain::accounts::{Role, Scope};
use klinik_persistence::{ClientId, UserId};

use crate::audit::AuditContext;

/// The signed-in account making the request, as it is now in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    User {
        id: UserId,
        username: String,
        display_name: String,
        role: Role,
        session: String,
    },
    Client {
        id: ClientId,
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

    /// Admin and officer: the office staff who act on any record and handle personal data.
    pub fn is_staff(&self) -> bool {
        matches!(self.role(), Role::Admin | Role::Officer)
    }
}

/// Where a request came from: what the audit trail records beside the actor.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub request_id: Option<String>,
    pub client_address: Option<String>,
}

/// An authorized caller and the request's origin: what every protected use case takes.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub caller: Caller,
    pub audit: AuditContext,
}

impl Ctx {
    pub fn new(caller: Caller, origin: &Origin) -> Self {
        let audit = AuditContext::of(&caller, origin);
        Self { caller, audit }
    }

    /// The system itself (`seed-demo`): acts with an admin's rights on every record and is
    /// recorded as actor type `system` under `name`. Never the caller of a request.
    pub fn system(name: &str) -> Self {
        let caller = Caller::User {
            id: UserId(0),
            username: name.to_owned(),
            display_name: name.to_owned(),
            role: Role::Admin,
            session: String::new(),
        };
        let audit = AuditContext {
            actor_type: "system",
            actor_name: Some(name.to_owned()),
            ..AuditContext::default()
        };
        Self { caller, audit }
    }
}
