//! Versioned health-assessment instruments. A stored version never changes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::instruments;
use crate::{AnyConnection, StoreError, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = instruments)]
pub struct InstrumentRow {
    pub id: crate::ids::InstrumentId,
    pub code: String,
    pub version: i32,
    pub name: String,
    #[diesel(deserialize_as = crate::Parsed<klinik_domain::clinic::SubjectKind>)]
    pub subject_kind: klinik_domain::clinic::SubjectKind,
    pub source: Option<String>,
    /// The definition as JSON (aspects, components, rules, cut-offs).
    pub definition: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = instruments, treat_none_as_null = true)]
pub struct NewInstrument {
    pub code: String,
    pub version: i32,
    pub name: String,
    #[diesel(serialize_as = crate::EnumText)]
    pub subject_kind: klinik_domain::clinic::SubjectKind,
    pub source: Option<String>,
    pub definition: String,
}

pub fn insert(conn: &mut AnyConnection, new: NewInstrument) -> Result<InstrumentRow, StoreError> {
    Ok(diesel::insert_into(instruments::table)
        .values((new, instruments::created_at.eq(now_utc())))
        .returning(instruments::all_columns)
        .get_result(conn)?)
}

/// Stores each shipped instrument whose code and version are not stored yet; returns how many.
pub fn ensure(conn: &mut AnyConnection, shipped: &[NewInstrument]) -> Result<usize, StoreError> {
    let mut added = 0;
    for new in shipped {
        let stored: i64 = instruments::table
            .filter(instruments::code.eq(&new.code))
            .filter(instruments::version.eq(new.version))
            .count()
            .get_result(conn)?;
        if stored == 0 {
            insert(conn, new.clone())?;
            added += 1;
        }
    }
    Ok(added)
}

pub fn find(
    conn: &mut AnyConnection,
    id: crate::ids::InstrumentId,
) -> Result<InstrumentRow, StoreError> {
    Ok(instruments::table
        .filter(instruments::id.eq(id))
        .select(InstrumentRow::as_select())
        .first(conn)?)
}

/// The highest stored version of `code`, if any.
pub fn latest_version(conn: &mut AnyConnection, code: &str) -> Result<Option<i32>, StoreError> {
    Ok(instruments::table
        .filter(instruments::code.eq(code))
        .select(diesel::dsl::max(instruments::version))
        .first(conn)?)
}

/// Every instrument (there are a handful), by code and version; optionally one subject kind or
/// one code.
pub fn list(
    conn: &mut AnyConnection,
    subject_kind: Option<klinik_domain::clinic::SubjectKind>,
    code: Option<&str>,
) -> Result<Vec<InstrumentRow>, StoreError> {
    let mut query = instruments::table.into_boxed();
    if let Some(kind) = subject_kind {
        query = query.filter(instruments::subject_kind.eq(kind.as_str()));
    }
    if let Some(code) = code {
        query = query.filter(instruments::code.eq(code.to_owned()));
    }
    Ok(query
        .order((instruments::code.asc(), instruments::version.asc()))
        .select(InstrumentRow::as_select())
        .load(conn)?)
}
