//! Integration clients (other government systems), managed by admins. A client's secret is
//! shown once, when it is created or rotated.

use chrono::{DateTime, Utc};
use klinik_domain::accounts::{Scope, format_scopes};
use klinik_domain::{Violation, Violations, text};
use klinik_persistence::StoreError;
use klinik_persistence::clients::{self as store, ClientChanges, ClientRow, NewClient};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::passwords;
use crate::fields::{nullable, present, utc};
use crate::prelude::*;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "SIPD Kota Bogor", "scopes": ["registry:read", "indicators:read"]}))]
pub struct CreateClient {
    /// Which system this is.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
    )]
    pub name: String,
    /// What it may do; write scopes only when granted here.
    #[schema(min_items = 1, max_items = 6)]
    pub scopes: Vec<Scope>,
    /// The partner institution (a bank or BPR) the system speaks for: a bank's client with
    /// `capital:write` reports capital on that bank's recommendations only.
    #[schema(minimum = 1)]
    pub partner_id: Option<i64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct PatchClient {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<Scope>, min_items = 1, max_items = 6)]
    pub scopes: Option<Vec<Scope>>,
    /// `null` unlinks the partner.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub partner_id: Option<Option<i64>>,
    /// An inactive client's tokens stop working at once.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub active: Option<bool>,
}

/// An integration client (never its secret).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "client_id": "kc_3f9a0c1d2e4b5a69", "name": "SIPD Kota Bogor",
    "scopes": ["indicators:read", "registry:read"], "partner_id": null, "active": true, "version": 1,
    "created_at": "2026-11-28T10:00:00Z", "updated_at": "2026-11-28T10:00:00Z"}))]
pub struct Client {
    pub id: i64,
    /// The public identifier it signs in with.
    pub client_id: String,
    pub name: String,
    pub scopes: Vec<Scope>,
    /// The partner institution it speaks for, if any.
    pub partner_id: Option<i64>,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A client with its secret: shown once, at creation or rotation, and never again.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientWithSecret {
    #[serde(flatten)]
    pub client: Client,
    /// Keep it safe: it cannot be shown again (rotate it if lost).
    pub client_secret: String,
}

impl From<ClientRow> for Client {
    fn from(row: ClientRow) -> Self {
        Client {
            id: row.id.get(),
            client_id: row.client_id,
            name: row.name,
            scopes: row.scopes.0,
            partner_id: row.partner_id.map(|id| id.get()),
            active: row.active,
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}

fn check(name: Option<&str>, scopes: Option<&[Scope]>) -> Result<(), Violations> {
    let mut violations = Violations::default();
    if let Some(name) = name {
        violations.check(text::single_line("name", name, 200));
    }
    if scopes.is_some_and(|s| s.is_empty()) {
        violations.push(Violation::new(
            "scopes",
            "scopes_required",
            msg!("at least one scope"),
        ));
    }
    if scopes.is_some_and(|s| s.len() > Scope::ALL.len()) {
        violations.push(Violation::new(
            "scopes",
            "too_many_items",
            msg!("at most 6 scopes"),
        ));
    }
    violations.into_result()
}

/// A partner id is at least 1, as the contract says (422 before any stored state is read).
fn check_partner_id(partner_id: Option<i64>) -> Result<(), Error> {
    if partner_id.is_some_and(|id| id < 1) {
        return Err(Error::validation(
            "partner_id",
            "minimum",
            msg!("must be at least 1"),
        ));
    }
    Ok(())
}

/// A linked partner must exist and not be archived (422).
fn check_partner(conn: &mut AnyConnection, partner_id: Option<PartnerId>) -> Result<(), Error> {
    if let Some(id) = partner_id {
        klinik_persistence::clinic::partners::find(conn, id, false).map_err(|e| match e {
            StoreError::NotFound => Error::validation(
                "partner_id",
                "unknown_partner",
                msg!("is not a partner (or it is archived)"),
            ),
            other => other.into(),
        })?;
    }
    Ok(())
}

impl Tagged for Client {
    fn version(&self) -> i64 {
        self.version
    }
}

impl Tagged for ClientWithSecret {
    fn version(&self) -> i64 {
        self.client.version
    }
}

/// A client: found by id; a change is its columns.
pub struct ClientEntity;

impl Entity for ClientEntity {
    type Id = ClientId;
    type Row = ClientRow;
    type View = Client;
    type Changes = ClientChanges;
    const KIND: &'static str = "client";
    const NAME: Record = Record::Client;

    fn find(conn: &mut AnyConnection, id: ClientId) -> Result<ClientRow, Error> {
        store::find(conn, id).map_err(Error::missing(Self::NAME))
    }

    fn view(_: &mut AnyConnection, _: &Ctx, row: ClientRow) -> Result<Client, Error> {
        Ok(Client::from(row))
    }

    fn store(
        conn: &mut AnyConnection,
        id: ClientId,
        expected_version: i64,
        changes: ClientChanges,
    ) -> Result<(), Error> {
        Ok(store::update(conn, id, expected_version, &changes)?)
    }
}

/// A new secret and its hash (hashed off the async workers).
async fn new_secret() -> Result<(String, String), Error> {
    let secret = passwords::random_hex(32)?;
    let for_hash = secret.clone();
    let hash = tokio::task::spawn_blocking(move || passwords::hash(&for_hash))
        .await
        .map_err(|e| Error::internal(&e))??;
    Ok((secret, hash))
}

/// Registers a client; the answer holds its secret, shown this once.
pub async fn create(ctx: &Ctx, input: CreateClient) -> Result<Created, Error> {
    check(Some(&input.name), Some(&input.scopes))?;
    check_partner_id(input.partner_id)?;
    let (secret, hash) = new_secret().await?;
    let new = NewClient {
        client_id: format!("kc_{}", passwords::random_hex(8)?),
        name: input.name,
        scopes: format_scopes(&input.scopes),
        secret_hash: hash,
        active: true,
        partner_id: input.partner_id.map(PartnerId),
    };
    ctx.write(move |conn, ctx| {
        check_partner(conn, new.partner_id)?;
        let client = Client::from(store::insert(conn, &new)?);
        versioned::created::<ClientEntity>(conn, ctx, client.id, &client)?;
        let location = format!("/api/v1/clients/{}", client.id);
        Created::new(
            &ClientWithSecret {
                client,
                client_secret: secret,
            },
            location,
        )
    })
    .await
}

pub async fn list(ctx: &Ctx, query: PageQuery) -> Result<Page<Client>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    let (rows, total) = ctx
        .read(move |conn, _ctx| Ok::<_, Error>(store::list(conn, page.limit(), page.offset())?))
        .await?;
    Ok(page.wrap(rows.into_iter().map(Client::from).collect(), total))
}

pub async fn get(ctx: &Ctx, id: ClientId) -> Result<Client, Error> {
    ctx.read(move |conn, _ctx| ClientEntity::find(conn, id))
        .await
        .map(Client::from)
}

/// Changes a client's name, scopes, partner or active flag.
pub async fn update(
    ctx: &Ctx,
    id: ClientId,
    if_match: IfMatch,
    patch: PatchClient,
) -> Result<Client, Error> {
    check(patch.name.as_deref(), patch.scopes.as_deref())?;
    check_partner_id(patch.partner_id.flatten())?;
    ctx.write(move |conn, ctx| {
        versioned::update::<ClientEntity>(conn, ctx, id, &if_match, |conn, _| {
            let partner_id = patch.partner_id.map(|p| p.map(PartnerId));
            check_partner(conn, partner_id.flatten())?;
            Ok(ClientChanges {
                name: patch.name,
                scopes: patch.scopes.map(|s| format_scopes(&s)),
                active: patch.active,
                secret_hash: None,
                partner_id,
            })
        })
    })
    .await
}

/// Replaces a client's secret; the answer holds the new one, shown this once.
pub async fn rotate_secret(ctx: &Ctx, id: ClientId) -> Result<ClientWithSecret, Error> {
    let (secret, hash) = new_secret().await?;
    let client = ctx
        .write(move |conn, ctx| {
            let current = ClientEntity::find(conn, id)?;
            let changes = ClientChanges {
                secret_hash: Some(hash),
                ..ClientChanges::default()
            };
            store::update(conn, id, current.version, &changes)?;
            versioned::committed(
                conn,
                ctx,
                "rotate_secret",
                "client",
                &id.to_string(),
                Some(serde_json::json!({"client_secret": {"before": "***", "after": "***"}})),
            )?;
            Ok::<_, Error>(Client::from(store::find(conn, id)?))
        })
        .await?;
    Ok(ClientWithSecret {
        client,
        client_secret: secret,
    })
}
