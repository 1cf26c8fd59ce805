//! People: personal data, with the NIK stored only encrypted and as a keyed hash.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use klinik_domain::ukm::Sex;

use crate::ids::PersonId;
use crate::schema::persons;
use crate::{AnyConnection, NullableEnumText, ParsedOpt, StoreError, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = persons)]
pub struct PersonRow {
    pub id: PersonId,
    pub full_name: String,
    pub nik_encrypted: Option<String>,
    pub nik_hash: Option<String>,
    #[diesel(deserialize_as = ParsedOpt<Sex>)]
    pub sex: Option<Sex>,
    pub birth_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub home_address: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A person as written: the NIK already encrypted and hashed by the caller.
#[derive(Debug, Clone, PartialEq, Eq, Insertable, AsChangeset)]
#[diesel(table_name = persons, treat_none_as_null = true)]
pub struct PersonFields {
    pub full_name: String,
    pub nik_encrypted: Option<String>,
    pub nik_hash: Option<String>,
    #[diesel(serialize_as = NullableEnumText)]
    pub sex: Option<Sex>,
    pub birth_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub home_address: Option<String>,
}

pub fn insert(conn: &mut AnyConnection, person: PersonFields) -> Result<PersonRow, StoreError> {
    let now = now_utc();
    Ok(diesel::insert_into(persons::table)
        .values((
            person,
            persons::version.eq(1),
            persons::created_at.eq(now),
            persons::updated_at.eq(now),
        ))
        .returning(persons::all_columns)
        .get_result(conn)?)
}

pub fn find(conn: &mut AnyConnection, id: PersonId) -> Result<PersonRow, StoreError> {
    Ok(persons::table
        .find(id)
        .select(PersonRow::as_select())
        .first(conn)?)
}

pub fn find_many(conn: &mut AnyConnection, ids: &[PersonId]) -> Result<Vec<PersonRow>, StoreError> {
    Ok(persons::table
        .filter(persons::id.eq_any(ids))
        .select(PersonRow::as_select())
        .load(conn)?)
}

pub fn find_by_nik_hash(
    conn: &mut AnyConnection,
    hash: &str,
) -> Result<Option<PersonRow>, StoreError> {
    Ok(persons::table
        .filter(persons::nik_hash.eq(hash))
        .select(PersonRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn update(
    conn: &mut AnyConnection,
    id: PersonId,
    person: PersonFields,
) -> Result<PersonRow, StoreError> {
    diesel::update(persons::table.find(id))
        .set((
            person,
            persons::version.eq(persons::version + 1),
            persons::updated_at.eq(now_utc()),
        ))
        .execute(conn)?;
    find(conn, id)
}

/// The persons holding any of the NIK search hashes.
pub fn find_by_nik_hashes(
    conn: &mut AnyConnection,
    hashes: &[String],
) -> Result<Vec<PersonRow>, StoreError> {
    let mut rows = Vec::new();
    for chunk in hashes.chunks(500) {
        rows.extend(
            persons::table
                .filter(persons::nik_hash.eq_any(chunk))
                .select(PersonRow::as_select())
                .load(conn)?,
        );
    }
    Ok(rows)
}

/// Like [`find_many`], for any number of ids.
pub fn find_all(conn: &mut AnyConnection, ids: &[PersonId]) -> Result<Vec<PersonRow>, StoreError> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(500) {
        rows.extend(find_many(conn, chunk)?);
    }
    Ok(rows)
}

/// Inserts many persons with multi-row statements; their ids, in the order given.
pub fn insert_many(
    conn: &mut AnyConnection,
    people: &[PersonFields],
) -> Result<Vec<PersonId>, StoreError> {
    let now = now_utc();
    let mut ids = Vec::with_capacity(people.len());
    // 10 columns a row: 500 rows stay under both backends' limits on bound values.
    for chunk in people.chunks(500) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|p| {
                (
                    p.clone(),
                    persons::version.eq(1_i64),
                    persons::created_at.eq(now),
                    persons::updated_at.eq(now),
                )
            })
            .collect();
        let inserted: Vec<(PersonId, Option<String>)> = crate::per_backend!(conn, |c| {
            diesel::insert_into(persons::table)
                .values(rows)
                .returning((persons::id, persons::nik_hash))
                .get_results(c)
        })?;
        // RETURNING follows the VALUES order on both backends (as Django's bulk_create relies
        // on); checked here so that a change of that behaviour fails loudly instead of mixing
        // people up.
        if inserted.len() != chunk.len()
            || inserted
                .iter()
                .zip(chunk)
                .any(|((_, hash), p)| *hash != p.nik_hash)
        {
            return Err(StoreError::Internal(
                "multi-row insert returned rows out of order".into(),
            ));
        }
        ids.extend(inserted.into_iter().map(|(id, _)| id));
    }
    Ok(ids)
}
