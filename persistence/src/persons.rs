//! People: personal data, stored only sealed — NIK, birth date, phone and home address as
//! ciphertext written by the application, the NIK also as a keyed hash for exact search.

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
    pub birth_date_encrypted: Option<String>,
    pub phone_encrypted: Option<String>,
    pub home_address_encrypted: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A person as written: personal data already sealed (and the NIK hashed) by the caller.
#[derive(Debug, Clone, PartialEq, Eq, Insertable, AsChangeset)]
#[diesel(table_name = persons, treat_none_as_null = true)]
pub struct PersonFields {
    pub full_name: String,
    pub nik_encrypted: Option<String>,
    pub nik_hash: Option<String>,
    #[diesel(serialize_as = NullableEnumText)]
    pub sex: Option<Sex>,
    pub birth_date_encrypted: Option<String>,
    pub phone_encrypted: Option<String>,
    pub home_address_encrypted: Option<String>,
}

pub fn insert(conn: &mut AnyConnection, person: PersonFields) -> Result<PersonRow, StoreError> {
    let now = now_utc();
    let id: PersonId = diesel::insert_into(persons::table)
        .values((
            person,
            persons::version.eq(1),
            persons::created_at.eq(now),
            persons::updated_at.eq(now),
        ))
        .returning(persons::id)
        .get_result(conn)?;
    find(conn, id)
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

/// Up to `limit` persons with ids above `after`, in id order: a walk over everyone.
pub fn page_after(
    conn: &mut AnyConnection,
    after: PersonId,
    limit: i64,
) -> Result<Vec<PersonRow>, StoreError> {
    Ok(persons::table
        .filter(persons::id.gt(after))
        .order(persons::id)
        .limit(limit)
        .select(PersonRow::as_select())
        .load(conn)?)
}

/// Replaces how a person's values are sealed (a key rotation): the values stay the same, so the
/// version does not move.
pub fn reseal(
    conn: &mut AnyConnection,
    id: PersonId,
    sealed: &PersonFields,
) -> Result<(), StoreError> {
    diesel::update(persons::table.find(id))
        .set((
            persons::nik_encrypted.eq(&sealed.nik_encrypted),
            persons::nik_hash.eq(&sealed.nik_hash),
            persons::birth_date_encrypted.eq(&sealed.birth_date_encrypted),
            persons::phone_encrypted.eq(&sealed.phone_encrypted),
            persons::home_address_encrypted.eq(&sealed.home_address_encrypted),
        ))
        .execute(conn)?;
    Ok(())
}

/// Personal data still in the clear columns that migration 13 renamed `legacy_*`.
#[derive(Debug, Clone, Queryable)]
pub struct LegacyClear {
    pub id: PersonId,
    pub birth_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub home_address: Option<String>,
}

/// Up to `limit` persons whose clear legacy columns still hold something. On SQLite it also
/// turns on `secure_delete` for this connection, so that the pages the clear values leave are
/// overwritten rather than kept as free space in the file (PostgreSQL keeps old row versions
/// until a `VACUUM`; docs/operations.md says when to run one).
pub fn legacy_clear(conn: &mut AnyConnection, limit: i64) -> Result<Vec<LegacyClear>, StoreError> {
    if let AnyConnection::Sqlite(sqlite) = conn {
        diesel::connection::SimpleConnection::batch_execute(sqlite, "PRAGMA secure_delete = ON")?;
    }
    Ok(persons::table
        .filter(
            persons::legacy_birth_date
                .is_not_null()
                .or(persons::legacy_phone.is_not_null())
                .or(persons::legacy_home_address.is_not_null()),
        )
        .select((
            persons::id,
            persons::legacy_birth_date,
            persons::legacy_phone,
            persons::legacy_home_address,
        ))
        .order(persons::id)
        .limit(limit)
        .load(conn)?)
}

/// Writes a person's sealed values and empties the clear legacy columns.
pub fn replace_legacy(
    conn: &mut AnyConnection,
    id: PersonId,
    birth_date_encrypted: Option<String>,
    phone_encrypted: Option<String>,
    home_address_encrypted: Option<String>,
) -> Result<(), StoreError> {
    diesel::update(persons::table.find(id))
        .set((
            persons::birth_date_encrypted.eq(birth_date_encrypted),
            persons::phone_encrypted.eq(phone_encrypted),
            persons::home_address_encrypted.eq(home_address_encrypted),
            persons::legacy_birth_date.eq(None::<NaiveDate>),
            persons::legacy_phone.eq(None::<String>),
            persons::legacy_home_address.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}
