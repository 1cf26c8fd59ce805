//! The UKM registry: register, list, read, change and archive UKM, with their owners' personal
//! data protected (encrypted at rest, masked on output, revealed only to staff and audited).

pub mod counts;
pub mod figures;
pub mod model;
pub mod query;
pub mod rules;

use chrono::{Datelike, Utc};
use klinik_domain::size_class::{classify, in_force};
use klinik_persistence::ukm::{self as store, UkmFields, UkmRow};
use klinik_persistence::{StoreError, cooperatives, persons};
use serde::Deserialize;
use utoipa::IntoParams;

use model::{
    CreateUkm, Disclosure, PatchUkm, Ukm, check_business, check_owner, owner_view, person_fields,
    ukm_view,
};
use query::{UkmQuery, list_filter};

use crate::prelude::*;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UkmReadQuery {
    /// Also find the UKM when it is archived.
    pub include_archived: Option<bool>,
    /// `nik`: show the owner's NIK and phone in clear. Admin and officer only (403 for others);
    /// every such read is written to the audit trail.
    #[param(value_type = Option<Reveal>)]
    pub reveal: Option<String>,
}

/// What `reveal` may ask for.
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub enum Reveal {
    #[schema(rename = "nik")]
    Nik,
}

fn duplicate(error: StoreError) -> Error {
    if error.duplicate_of("nib") {
        Error::conflict(
            "nib",
            "duplicate_nib",
            msg!("Another UKM already has this NIB."),
        )
    } else if error.duplicate_of("nik_hash") {
        Error::conflict(
            "owner.nik",
            "duplicate_nik",
            msg!("This NIK belongs to another person."),
        )
    } else {
        error.into()
    }
}

/// Admin and officer handle personal data (birth date, address); everyone else sees it minimised.
pub fn disclosure_for(caller: &Caller) -> Disclosure {
    if caller.is_staff() {
        Disclosure::Staff
    } else {
        Disclosure::Minimal
    }
}

/// Computes size class, basis and regulation from the figures and their date.
pub fn apply_size(app: &App, fields: &mut UkmFields) {
    let date = fields
        .figures_date
        .unwrap_or_else(|| Utc::now().date_naive());
    let sized = in_force(&app.size_thresholds, date).and_then(|t| {
        classify(t, fields.business_capital, fields.annual_sales).map(|c| (c, t.regulation.clone()))
    });
    fields.size_class = sized.as_ref().map(|((class, _), _)| *class);
    fields.size_basis = sized.as_ref().map(|((_, basis), _)| *basis);
    fields.size_regulation = sized.map(|(_, regulation)| regulation);
}

fn check_cooperative(conn: &mut AnyConnection, id: Option<CooperativeId>) -> Result<(), Error> {
    if let Some(id) = id
        && let Err(StoreError::NotFound) = cooperatives::find(conn, id, false)
    {
        return Err(Error::validation(
            "cooperative_id",
            "unknown_cooperative",
            msg!("is not a registered cooperative"),
        ));
    }
    Ok(())
}

/// 422 unless a new record may name the village: stored, in force and in the deployment's area.
pub fn check_kelurahan(app: &App, code: &str) -> Result<(), Error> {
    if !app.regions.accepts_kelurahan(code) {
        return Err(Error::validation(
            "kelurahan_code",
            "unknown_kelurahan",
            crate::registry::regions::kelurahan_refused(&app.regions),
        ));
    }
    Ok(())
}

/// Reads one UKM with its owner, disclosed as `disclosure` allows.
fn load(
    conn: &mut AnyConnection,
    app: &App,
    id: UkmId,
    include_archived: bool,
    disclosure: Disclosure,
) -> Result<Ukm, Error> {
    let (row, person) =
        store::find_with_owner(conn, id, include_archived).map_err(Error::missing(Record::Ukm))?;
    let owner = owner_view(&person, &app.data_key, disclosure)?;
    Ok(ukm_view(row, owner, &app.regions))
}

/// A UKM's business fields; the owner stays. The view discloses the owner as the caller may see.
pub struct UkmEntity;

impl Entity for UkmEntity {
    type Id = UkmId;
    type Row = UkmRow;
    type View = Ukm;
    type Changes = UkmFields;
    const KIND: &'static str = "ukm";
    const NAME: Record = Record::Ukm;
    /// The owner is a person: in the audit trail they show only as changed.
    const PERSONAL: &'static [&'static str] = &["owner"];

    fn find(conn: &mut AnyConnection, id: UkmId) -> Result<UkmRow, Error> {
        store::find(conn, id, false).map_err(Error::missing(Self::NAME))
    }

    fn view(conn: &mut AnyConnection, ctx: &Ctx, row: UkmRow) -> Result<Ukm, Error> {
        load(conn, &ctx.app, row.id, true, disclosure_for(&ctx.caller))
    }

    fn store(
        conn: &mut AnyConnection,
        id: UkmId,
        expected_version: i64,
        fields: UkmFields,
    ) -> Result<(), Error> {
        store::update(conn, id, expected_version, fields).map_err(duplicate)?;
        Ok(())
    }
}

impl Archived for UkmEntity {
    fn archive(conn: &mut AnyConnection, id: UkmId, expected_version: i64) -> Result<(), Error> {
        Ok(store::archive(conn, id, expected_version)?)
    }
}

/// Registers a UKM with its owner; a NIK already registered links it to that person. The size
/// class is computed under the regulation in force on `figures_date`.
pub async fn create(ctx: &Ctx, request: Idempotency, body: CreateUkm) -> Result<Created, Error> {
    let (mut fields, owner) = body.split();
    let mut violations = check_owner(&owner);
    violations
        .0
        .extend(check_business(&fields, Utc::now().year()).0);
    violations.into_result()?;
    check_kelurahan(&ctx.app, &fields.kelurahan_code)?;
    apply_size(&ctx.app, &mut fields);
    let (person_fields, _) = person_fields(&owner, &ctx.app.data_key)?;
    // Every key's hash: during a key rotation the owner may not be re-sealed yet.
    let nik_hashes = owner
        .nik
        .as_deref()
        .map(|n| ctx.app.data_key.search_hashes(n));
    let disclosure = disclosure_for(&ctx.caller);
    ctx.write(move |conn, ctx| {
        create_once(conn, ctx, &request, |conn| {
            check_cooperative(conn, fields.cooperative_id)?;
            let existing = match &nik_hashes {
                Some(hashes) => persons::find_by_nik_hashes(conn, hashes)?
                    .into_iter()
                    .next(),
                None => None,
            };
            let person = match existing {
                Some(person) => person,
                None => persons::insert(conn, person_fields).map_err(duplicate)?,
            };
            fields.owner_id = person.id;
            let row = store::insert(conn, fields).map_err(duplicate)?;
            let record = load(conn, &ctx.app, row.id, false, disclosure)?;
            versioned::created::<UkmEntity>(conn, ctx, row.id, &record)?;
            Created::new(&record, format!("/api/v1/ukm/{}", record.id))
        })
    })
    .await
}

/// One page of UKM matching the filters, owners disclosed as the caller's role allows.
pub async fn list(ctx: &Ctx, query: UkmQuery) -> Result<Page<Ukm>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    let (sort, descending) = query.order();
    let filter = store::ListFilter {
        updated_since: query.updated_since.map(|t| t.naive_utc()),
        sort,
        descending,
        limit: page.limit(),
        offset: page.offset(),
        ..list_filter(&ctx.app, &ctx.caller, query.filters())?
    };
    let disclosure = disclosure_for(&ctx.caller);
    let (key, writes) = (counts::key(ctx, &filter), ctx.app.db.writes());
    let filter = store::ListFilter {
        known_total: ctx.app.ukm_counts.get(&key, writes),
        ..filter
    };
    let (rows, total) = ctx
        .query_nearby(move |conn, _ctx| Ok::<_, Error>(store::list(conn, &filter)?))
        .await?;
    ctx.app.ukm_counts.put(key, writes, total);
    let mut items = Vec::with_capacity(rows.len());
    for (row, person) in rows {
        let owner = owner_view(&person, &ctx.app.data_key, disclosure)?;
        items.push(ukm_view(row, owner, &ctx.app.regions));
    }
    Ok(page.wrap_capped(items, total))
}

/// One UKM. `reveal=nik` shows the owner's NIK and phone in clear to staff, and is audited.
/// Returns the record and whether it was revealed.
pub async fn get(ctx: &Ctx, id: UkmId, query: UkmReadQuery) -> Result<(Ukm, bool), Error> {
    let reveal = match query.reveal.as_deref() {
        None => false,
        Some("nik") => true,
        Some(_) => {
            return Err(Error::query(
                "reveal",
                "invalid_enum_value",
                msg!("is not one of the allowed values"),
            ));
        }
    };
    if reveal && !ctx.caller.is_staff() {
        return Err(Error::forbidden(msg!(
            "Only admins and officers may see a NIK in clear."
        )));
    }
    let include_archived = query.include_archived.unwrap_or(false);
    if !reveal {
        let (row, person) = ctx
            .app
            .db
            .ukm_with_owner(id, include_archived)
            .await
            .map_err(Error::missing(Record::Ukm))?;
        let owner = owner_view(&person, &ctx.app.data_key, disclosure_for(&ctx.caller))?;
        return Ok((ukm_view(row, owner, &ctx.app.regions), false));
    }
    let record = ctx
        .write(move |conn, ctx| {
            let record = load(conn, &ctx.app, id, include_archived, Disclosure::Revealed)?;
            versioned::committed(
                conn,
                ctx,
                "reveal_nik",
                "person",
                &record.owner.id.to_string(),
                Some(serde_json::json!({"ukm_id": id})),
            )?;
            Ok::<_, Error>(record)
        })
        .await?;
    Ok((record, true))
}

/// Changes some business fields; the result must satisfy every rule as a whole.
pub async fn update(
    ctx: &Ctx,
    id: UkmId,
    if_match: IfMatch,
    patch: PatchUkm,
) -> Result<Ukm, Error> {
    ctx.write(move |conn, ctx| {
        versioned::update::<UkmEntity>(conn, ctx, id, &if_match, |conn, current| {
            let mut f = patch.apply(current);
            check_business(&f, Utc::now().year()).into_result()?;
            // A record keeps a village that was retired or left the area since; a move must
            // name one in force.
            if f.kelurahan_code != current.kelurahan_code {
                check_kelurahan(&ctx.app, &f.kelurahan_code)?;
            }
            check_cooperative(conn, f.cooperative_id)?;
            apply_size(&ctx.app, &mut f);
            Ok(f)
        })
    })
    .await
}

/// Archives a UKM: kept, but gone from lists and reads unless asked for.
pub async fn archive(ctx: &Ctx, id: UkmId, if_match: IfMatch) -> Result<(), Error> {
    ctx.write(move |conn, ctx| versioned::archive::<UkmEntity>(conn, ctx, id, &if_match))
        .await
}
