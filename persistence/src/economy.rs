//! The city's economy as reference data: a row per year (PDRB as published, and the official
//! share of cooperatives and UKM where one is published) and the one row of the target.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use klinik_domain::economy::{PublicationStatus, ShareScope};

use crate::schema::{economic_target, economy_years};
use crate::{AnyConnection, EnumText, NullableEnumText, Parsed, ParsedOpt, StoreError, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = economy_years)]
pub struct EconomyYearRow {
    pub id: i64,
    pub year: i32,
    pub pdrb_current_prices: i64,
    pub pdrb_constant_prices: i64,
    pub pdrb_source: String,
    #[diesel(deserialize_as = Parsed<PublicationStatus>)]
    pub pdrb_status: PublicationStatus,
    /// Basis points.
    pub published_share: Option<i32>,
    #[diesel(deserialize_as = ParsedOpt<ShareScope>)]
    pub published_share_scope: Option<ShareScope>,
    pub published_share_source: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Every column a client sets; an update writes them all (the API merges a patch first).
#[derive(Debug, Clone, PartialEq, Eq, Insertable, AsChangeset)]
#[diesel(table_name = economy_years, treat_none_as_null = true)]
pub struct EconomyYearFields {
    pub year: i32,
    pub pdrb_current_prices: i64,
    pub pdrb_constant_prices: i64,
    pub pdrb_source: String,
    #[diesel(serialize_as = EnumText)]
    pub pdrb_status: PublicationStatus,
    pub published_share: Option<i32>,
    #[diesel(serialize_as = NullableEnumText)]
    pub published_share_scope: Option<ShareScope>,
    pub published_share_source: Option<String>,
}

impl EconomyYearRow {
    pub fn fields(&self) -> EconomyYearFields {
        EconomyYearFields {
            year: self.year,
            pdrb_current_prices: self.pdrb_current_prices,
            pdrb_constant_prices: self.pdrb_constant_prices,
            pdrb_source: self.pdrb_source.clone(),
            pdrb_status: self.pdrb_status,
            published_share: self.published_share,
            published_share_scope: self.published_share_scope,
            published_share_source: self.published_share_source.clone(),
        }
    }
}

pub fn insert(
    conn: &mut AnyConnection,
    fields: EconomyYearFields,
) -> Result<EconomyYearRow, StoreError> {
    let now = now_utc();
    Ok(diesel::insert_into(economy_years::table)
        .values((
            fields,
            economy_years::version.eq(1),
            economy_years::created_at.eq(now),
            economy_years::updated_at.eq(now),
        ))
        .returning(economy_years::all_columns)
        .get_result(conn)?)
}

pub fn find(conn: &mut AnyConnection, year: i32) -> Result<EconomyYearRow, StoreError> {
    Ok(economy_years::table
        .filter(economy_years::year.eq(year))
        .select(EconomyYearRow::as_select())
        .first(conn)?)
}

/// Years from `from` to `to` (both optional), oldest first, and how many there are.
pub fn list(
    conn: &mut AnyConnection,
    from: Option<i32>,
    to: Option<i32>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<EconomyYearRow>, i64), StoreError> {
    let matching = || {
        let mut query = economy_years::table.into_boxed();
        if let Some(from) = from {
            query = query.filter(economy_years::year.ge(from));
        }
        if let Some(to) = to {
            query = query.filter(economy_years::year.le(to));
        }
        query
    };
    let total = matching().count().get_result(conn)?;
    let rows = matching()
        .order(economy_years::year)
        .limit(limit)
        .offset(offset)
        .select(EconomyYearRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Stores `fields` if the year's row is still at `expected_version`.
pub fn update(
    conn: &mut AnyConnection,
    year: i32,
    expected_version: i64,
    fields: EconomyYearFields,
) -> Result<(), StoreError> {
    let updated = diesel::update(
        economy_years::table
            .filter(economy_years::year.eq(year))
            .filter(economy_years::version.eq(expected_version)),
    )
    .set((
        fields,
        economy_years::version.eq(expected_version + 1),
        economy_years::updated_at.eq(now_utc()),
    ))
    .execute(conn)?;
    crate::versioned::one_row(updated)
}

pub fn delete(
    conn: &mut AnyConnection,
    year: i32,
    expected_version: i64,
) -> Result<(), StoreError> {
    let deleted = diesel::delete(
        economy_years::table
            .filter(economy_years::year.eq(year))
            .filter(economy_years::version.eq(expected_version)),
    )
    .execute(conn)?;
    crate::versioned::one_row(deleted)
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = economic_target)]
pub struct TargetRow {
    /// Basis points.
    pub share: i32,
    pub target_year: i32,
    pub version: i64,
    pub updated_at: NaiveDateTime,
}

pub fn target(conn: &mut AnyConnection) -> Result<TargetRow, StoreError> {
    Ok(economic_target::table
        .select(TargetRow::as_select())
        .first(conn)?)
}

/// Sets the target if it is still at `expected_version`.
pub fn set_target(
    conn: &mut AnyConnection,
    share: i32,
    target_year: i32,
    expected_version: i64,
) -> Result<(), StoreError> {
    let updated = diesel::update(
        economic_target::table.filter(economic_target::version.eq(expected_version)),
    )
    .set((
        economic_target::share.eq(share),
        economic_target::target_year.eq(target_year),
        economic_target::version.eq(expected_version + 1),
        economic_target::updated_at.eq(now_utc()),
    ))
    .execute(conn)?;
    crate::versioned::one_row(updated)
}
