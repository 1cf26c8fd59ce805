//! The city's economy as reference data: each year's PDRB as published (current and constant
//! prices, its source and whether it is final), the official share of cooperatives and UKM in it
//! where one is published (the article's 25 % for 2017), and the share the office aims for (35 %
//! by default), shown next to every figure that measures it. Entered and corrected by admins and
//! officers, versioned and audited like every record.

pub mod figures;
pub mod import;
mod model;
pub mod table;

pub use model::*;

use chrono::{Datelike, Utc};
use klinik_domain::economy::{PdrbYear, Share, ShareScope, check_pdrb, check_share, check_year};
use klinik_domain::{Violations, text};
use klinik_persistence::StoreError;
use klinik_persistence::economy::{self as store, EconomyYearFields, EconomyYearRow, TargetRow};
use rust_decimal::Decimal;

use crate::audit::diff;
use crate::fields::utc;
use crate::prelude::*;

pub(crate) fn target_of(row: TargetRow) -> EconomicTarget {
    EconomicTarget {
        percent: Share::from_basis_points(row.share)
            .map_or(Decimal::ZERO, Share::percent)
            .normalize(),
        year: row.target_year,
        version: row.version,
        updated_at: utc(row.updated_at),
    }
}

/// The published share a row holds (its three columns are set together or not at all).
pub(crate) fn published_share_of(row: &EconomyYearRow) -> Option<PublishedShare> {
    match (
        row.published_share.and_then(Share::from_basis_points),
        row.published_share_scope,
        &row.published_share_source,
    ) {
        (Some(share), Some(scope), Some(source)) => Some(PublishedShare {
            percent: share.percent().normalize(),
            scope,
            source: source.clone(),
        }),
        _ => None,
    }
}

fn view(row: EconomyYearRow, target: EconomicTarget) -> EconomyYear {
    let published_share = published_share_of(&row);
    EconomyYear {
        id: row.id,
        year: row.year,
        pdrb_current_prices: row.pdrb_current_prices,
        pdrb_constant_prices: row.pdrb_constant_prices,
        pdrb_source: row.pdrb_source,
        pdrb_status: row.pdrb_status,
        published_share,
        target,
        version: row.version,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    }
}

pub(crate) fn this_year() -> i32 {
    Utc::now().year()
}

/// The whole record's rules, each broken one naming its field.
pub(crate) fn violations(fields: &EconomyYearFields, share: Option<&PublishedShare>) -> Violations {
    let pdrb = PdrbYear {
        year: fields.year,
        current_prices: fields.pdrb_current_prices,
        constant_prices: fields.pdrb_constant_prices,
        source: fields.pdrb_source.clone(),
    };
    let mut violations = match check_pdrb(&pdrb, this_year()) {
        Ok(()) => Violations::default(),
        Err(v) => v,
    };
    if let Some(share) = share {
        violations.check(check_share("published_share.percent", share.percent).map(|_| ()));
        violations.check(text::single_line(
            "published_share.source",
            &share.source,
            500,
        ));
    }
    violations
}

/// The whole record's rules (422 naming each field).
fn checked(fields: &EconomyYearFields, share: Option<&PublishedShare>) -> Result<(), Error> {
    Ok(violations(fields, share).into_result()?)
}

/// The stored columns of a year as entered.
pub(crate) fn new_fields(input: CreateEconomyYear) -> (EconomyYearFields, Option<PublishedShare>) {
    let (published_share, scope, source) = share_columns(input.published_share.as_ref());
    let fields = EconomyYearFields {
        year: input.year,
        pdrb_current_prices: input.pdrb_current_prices,
        pdrb_constant_prices: input.pdrb_constant_prices,
        pdrb_source: input.pdrb_source,
        pdrb_status: input.pdrb_status,
        published_share,
        published_share_scope: scope,
        published_share_source: source,
    };
    (fields, input.published_share)
}

fn share_columns(
    share: Option<&PublishedShare>,
) -> (Option<i32>, Option<ShareScope>, Option<String>) {
    match share.and_then(|s| Share::from_percent(s.percent).map(|p| (p, s))) {
        Some((points, s)) => (
            Some(points.basis_points()),
            Some(s.scope),
            Some(s.source.clone()),
        ),
        None => (None, None, None),
    }
}

/// A year's record: found by its year.
pub struct EconomyYearEntity;

impl Entity for EconomyYearEntity {
    type Id = i32;
    type Row = EconomyYearRow;
    type View = EconomyYear;
    type Changes = EconomyYearFields;
    const KIND: &'static str = "economy_year";
    const NAME: Record = Record::EconomyYear;

    fn find(conn: &mut AnyConnection, year: i32) -> Result<EconomyYearRow, Error> {
        store::find(conn, year).map_err(Error::missing(Self::NAME))
    }

    fn view(conn: &mut AnyConnection, _: &Ctx, row: EconomyYearRow) -> Result<EconomyYear, Error> {
        Ok(view(row, target_of(store::target(conn)?)))
    }

    fn store(
        conn: &mut AnyConnection,
        year: i32,
        expected_version: i64,
        fields: EconomyYearFields,
    ) -> Result<(), Error> {
        Ok(store::update(conn, year, expected_version, fields)?)
    }
}

/// Enters a year; one record per year (409 for a second).
pub async fn create(
    ctx: &Ctx,
    request: Idempotency,
    input: CreateEconomyYear,
) -> Result<Created, Error> {
    let (fields, share) = new_fields(input);
    checked(&fields, share.as_ref())?;
    ctx.write(move |conn, ctx| {
        create_once(conn, ctx, &request, |conn| {
            let row = store::insert(conn, fields.clone()).map_err(|e| match e {
                StoreError::Duplicate { .. } => Error::conflict(
                    "year",
                    "duplicate_year",
                    msg!("This year is already entered; correct it instead."),
                ),
                other => other.into(),
            })?;
            let record = view(row, target_of(store::target(conn)?));
            versioned::created::<EconomyYearEntity>(conn, ctx, record.id, &record)?;
            Created::new(&record, format!("/api/v1/economy/years/{}", record.year))
        })
    })
    .await
}

pub async fn list(ctx: &Ctx, query: EconomyYearQuery) -> Result<Page<EconomyYear>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    for (field, year) in [("from_year", query.from_year), ("to_year", query.to_year)] {
        if year.is_some_and(|y| !(2000..=2100).contains(&y)) {
            return Err(Error::query(
                field,
                "year_range",
                msg!("must lie within 2000–2100"),
            ));
        }
    }
    let (from, to) = (query.from_year, query.to_year);
    let (rows, total, target) = ctx
        .read(move |conn, _| {
            let (rows, total) = store::list(conn, from, to, page.limit(), page.offset())?;
            Ok::<_, Error>((rows, total, target_of(store::target(conn)?)))
        })
        .await?;
    let items = rows.into_iter().map(|r| view(r, target.clone())).collect();
    Ok(page.wrap(items, total))
}

pub async fn get(ctx: &Ctx, year: i32) -> Result<EconomyYear, Error> {
    ctx.read(move |conn, ctx| {
        let row = EconomyYearEntity::find(conn, year)?;
        EconomyYearEntity::view(conn, ctx, row)
    })
    .await
}

/// Corrects a year; the result must satisfy every rule as a whole.
pub async fn update(
    ctx: &Ctx,
    year: i32,
    if_match: IfMatch,
    patch: PatchEconomyYear,
) -> Result<EconomyYear, Error> {
    ctx.write(move |conn, ctx| {
        versioned::update::<EconomyYearEntity>(conn, ctx, year, &if_match, |_, current| {
            let mut fields = current.fields();
            if let Some(v) = patch.pdrb_current_prices {
                fields.pdrb_current_prices = v;
            }
            if let Some(v) = patch.pdrb_constant_prices {
                fields.pdrb_constant_prices = v;
            }
            if let Some(v) = patch.pdrb_source.clone() {
                fields.pdrb_source = v;
            }
            if let Some(v) = patch.pdrb_status {
                fields.pdrb_status = v;
            }
            let share = match &patch.published_share {
                Some(share) => share.clone(),
                None => published_share_of(current),
            };
            let (points, scope, source) = share_columns(share.as_ref());
            fields.published_share = points;
            fields.published_share_scope = scope;
            fields.published_share_source = source;
            checked(&fields, share.as_ref())?;
            Ok(fields)
        })
    })
    .await
}

/// Deletes a year entered by mistake, so that it can be entered again. Audited.
pub async fn delete(ctx: &Ctx, year: i32, if_match: IfMatch) -> Result<(), Error> {
    ctx.write(move |conn, ctx| {
        let current = EconomyYearEntity::find(conn, year)?;
        if_match.check(current.version)?;
        store::delete(conn, year, current.version)?;
        let before = view(current, target_of(store::target(conn)?));
        let changes = diff::<EconomyYear, EconomyYear>(Some(&before), None, &[]);
        versioned::committed(
            conn,
            ctx,
            "delete",
            EconomyYearEntity::KIND,
            &before.id.to_string(),
            Some(changes),
        )
    })
    .await
}

pub async fn target(ctx: &Ctx) -> Result<EconomicTarget, Error> {
    ctx.read(|conn, _| Ok::<_, Error>(target_of(store::target(conn)?)))
        .await
}

/// Sets the deployment's target (admin). Audited.
pub async fn set_target(
    ctx: &Ctx,
    if_match: IfMatch,
    input: PutTarget,
) -> Result<EconomicTarget, Error> {
    let mut violations = Violations::default();
    let share = check_share("percent", input.percent);
    if let Err(v) = &share {
        violations.push(v.clone());
    }
    violations.check(check_year("year", input.year, 2100));
    violations.into_result()?;
    let points = share.map(Share::basis_points).unwrap_or_default();
    ctx.write(move |conn, ctx| {
        let before = target_of(store::target(conn)?);
        if_match.check(before.version)?;
        store::set_target(conn, points, input.year, before.version)?;
        let after = target_of(store::target(conn)?);
        versioned::committed(
            conn,
            ctx,
            "update",
            "economic_target",
            "1",
            Some(diff(Some(&before), Some(&after), &[])),
        )?;
        Ok(after)
    })
    .await
}
