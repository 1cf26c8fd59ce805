//! Who acts: the signed-in person or integration client behind a request, and where the request
//! came from, as every use case receives them.

use klinik_domain::accounts::{Role, Scope};
use klinik_persistence::{AnyConnection, ClientId, UserId, WorkError};

use crate::audit::AuditContext;
use crate::state::App;

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

    /// The key of this caller's write mark (read-your-writes on replicas).
    pub fn writer_key(&self) -> String {
        match self {
            Caller::User { id, .. } => format!("user:{}", id.get()),
            Caller::Client { id, .. } => format!("client:{}", id.get()),
        }
    }
}

/// Where a request came from: what the audit trail records beside the actor.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub request_id: Option<String>,
    pub client_address: Option<String>,
}

/// An authorized caller, the request's origin and the application they act on: what every
/// protected use case takes first.
#[derive(Clone)]
pub struct Ctx {
    pub app: App,
    pub caller: Caller,
    pub audit: AuditContext,
}

impl Ctx {
    pub fn new(app: App, caller: Caller, origin: &Origin) -> Self {
        let audit = AuditContext::of(&caller, origin);
        Self { app, caller, audit }
    }

    /// The system itself (`seed-demo`): acts with an admin's rights on every record and is
    /// recorded as actor type `system` under `name`. Never the caller of a request.
    pub fn system(app: App, name: &str) -> Self {
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
        Self { app, caller, audit }
    }

    /// Runs `work` that only reads, in one transaction, off the async workers (see [`App::read`]).
    pub async fn read<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: WorkError,
        F: FnOnce(&mut AnyConnection, &Ctx) -> Result<T, E> + Send + 'static,
    {
        let ctx = self.clone();
        self.app.read(move |conn| work(conn, &ctx)).await
    }

    /// Runs `work` that reads with one statement, outside a transaction.
    /// Reads that may go to a read replica (lists, searches, exports, indicators): there when it
    /// has replayed this caller's last write, else on the primary.
    pub async fn read_nearby<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: WorkError,
        F: FnOnce(&mut AnyConnection, &Ctx) -> Result<T, E> + Clone + Send + 'static,
    {
        let ctx = self.clone();
        self.app
            .db
            .read_nearby(Some(self.caller.writer_key()), move |conn| work(conn, &ctx))
            .await
    }

    /// As [`Ctx::read_nearby`] for one statement outside a transaction.
    pub async fn query_nearby<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: WorkError,
        F: FnOnce(&mut AnyConnection, &Ctx) -> Result<T, E> + Clone + Send + 'static,
    {
        let ctx = self.clone();
        self.app
            .db
            .query_nearby(Some(self.caller.writer_key()), move |conn| work(conn, &ctx))
            .await
    }

    pub async fn query<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: WorkError,
        F: FnOnce(&mut AnyConnection, &Ctx) -> Result<T, E> + Send + 'static,
    {
        let ctx = self.clone();
        self.app.query(move |conn| work(conn, &ctx)).await
    }

    /// Runs `work` that writes, as one transaction: all of it commits or none of it does.
    pub async fn write<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: WorkError,
        F: FnOnce(&mut AnyConnection, &Ctx) -> Result<T, E> + Send + 'static,
    {
        let ctx = self.clone();
        let mark = self
            .app
            .db
            .keeps_write_marks()
            .then(|| self.caller.writer_key());
        self.app
            .write(move |conn| {
                let value = work(conn, &ctx)?;
                if let Some(writer) = &mark {
                    klinik_persistence::replicas::mark_write(conn, writer)?;
                }
                Ok(value)
            })
            .await
    }
}
