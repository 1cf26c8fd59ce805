//! Partner institutions: universities, banks, rural banks (BPR), the cooperative council
//! (Dekopinda), associations and government units that lend experts, fund programmes or finance
//! the clinic's subjects.

use chrono::{DateTime, Utc};
use klinik_domain::Violations;
use klinik_domain::clinic::PartnerKind;
use klinik_domain::text::single_line;
use klinik_persistence::clinic::partners::{
    self as store, PartnerFields, PartnerFilter, PartnerRow,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::fields::{present, utc};
use crate::paging::check_q;
use crate::prelude::*;
use crate::registry::cooperatives::query::IncludeArchivedQuery;

const NAME_MAX_CHARS: usize = 200;

/// Registers a partner institution.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Institut Pertanian Bogor", "kind": "university"}))]
pub struct CreatePartner {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
    )]
    pub name: String,
    pub kind: PartnerKind,
}

/// Changes a partner; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "IPB University"}))]
pub struct PatchPartner {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = PartnerKind)]
    pub kind: Option<PartnerKind>,
}

/// A partner institution.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "name": "Institut Pertanian Bogor", "kind": "university", "version": 1,
    "created_at": "2026-11-29T10:00:00Z", "updated_at": "2026-11-29T10:00:00Z", "archived_at": null}))]
pub struct Partner {
    pub id: i64,
    pub name: String,
    pub kind: PartnerKind,
    /// Increases with every change; sent as the `ETag`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
}

impl From<PartnerRow> for Partner {
    fn from(row: PartnerRow) -> Self {
        Partner {
            id: row.id.get(),
            name: row.name,
            kind: row.kind,
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            archived_at: row.archived_at.map(utc),
        }
    }
}

impl Tagged for Partner {
    fn version(&self) -> i64 {
        self.version
    }
}

fn fields(name: String, kind: PartnerKind) -> Result<PartnerFields, Error> {
    let mut violations = Violations::default();
    violations.check(single_line("name", &name, NAME_MAX_CHARS));
    violations.into_result()?;
    Ok(PartnerFields { name, kind })
}

pub struct PartnerEntity;

impl Entity for PartnerEntity {
    type Id = PartnerId;
    type Row = PartnerRow;
    type View = Partner;
    type Changes = PartnerFields;
    const KIND: &'static str = "partner";
    const NAME: Record = Record::Partner;

    fn find(conn: &mut AnyConnection, id: PartnerId) -> Result<PartnerRow, Error> {
        store::find(conn, id, false).map_err(Error::missing(Self::NAME))
    }

    fn view(_: &mut AnyConnection, _: &Ctx, row: PartnerRow) -> Result<Partner, Error> {
        Ok(Partner::from(row))
    }

    fn store(
        conn: &mut AnyConnection,
        id: PartnerId,
        expected_version: i64,
        fields: PartnerFields,
    ) -> Result<(), Error> {
        Ok(store::update(conn, id, expected_version, fields)?)
    }
}

impl Archived for PartnerEntity {
    fn archive(
        conn: &mut AnyConnection,
        id: PartnerId,
        expected_version: i64,
    ) -> Result<(), Error> {
        Ok(store::archive(conn, id, expected_version)?)
    }
}

/// Filters of the partner list; they combine with AND. Unknown parameters are a 400.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PartnerQuery {
    /// Only records changed at or after this time (RFC 3339, e.g. `2026-01-31T00:00:00Z`; by
    /// `updated_at`): a sync's catch-up. Archived records count only with `include_archived`
    /// where the list has it; the change feed (`/changes`) shows archivals too.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Only this kind.
    pub kind: Option<PartnerKind>,
    /// Part of the name, case-insensitive; `%` and `_` match themselves.
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// Include archived partners.
    pub include_archived: Option<bool>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

pub async fn create(
    ctx: &Ctx,
    request: Idempotency,
    input: CreatePartner,
) -> Result<Created, Error> {
    let fields = fields(input.name, input.kind)?;
    ctx.write(move |conn, ctx| {
        create_once(conn, ctx, &request, |conn| {
            let record = Partner::from(store::insert(conn, fields)?);
            versioned::created::<PartnerEntity>(conn, ctx, record.id, &record)?;
            Created::new(&record, format!("/api/v1/partners/{}", record.id))
        })
    })
    .await
}

/// Partners by name.
pub async fn list(ctx: &Ctx, query: PartnerQuery) -> Result<Page<Partner>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    check_q(&query.q)?;
    let filter = PartnerFilter {
        updated_since: query.updated_since.map(|t| t.naive_utc()),
        kind: query.kind,
        q: query.q,
        include_archived: query.include_archived.unwrap_or(false),
    };
    let (rows, total) = ctx
        .read(move |conn, _ctx| Ok::<_, Error>(store::list(conn, &filter, paging(&page))?))
        .await?;
    let items = rows.into_iter().map(Partner::from).collect();
    Ok(page.wrap_capped(items, total))
}

pub async fn get(ctx: &Ctx, id: PartnerId, query: IncludeArchivedQuery) -> Result<Partner, Error> {
    let include_archived = query.include_archived.unwrap_or(false);
    ctx.query(move |conn, _ctx| {
        store::find(conn, id, include_archived).map_err(Error::missing(Record::Partner))
    })
    .await
    .map(Partner::from)
}

pub async fn update(
    ctx: &Ctx,
    id: PartnerId,
    if_match: IfMatch,
    patch: PatchPartner,
) -> Result<Partner, Error> {
    ctx.write(move |conn, ctx| {
        versioned::update::<PartnerEntity>(conn, ctx, id, &if_match, |_, current| {
            let kind = patch.kind.unwrap_or(current.kind);
            fields(patch.name.unwrap_or_else(|| current.name.clone()), kind)
        })
    })
    .await
}
