//! Kota Bogor's kecamatan and kelurahan: reference data seeded by migration.

use diesel::prelude::*;

use crate::schema::{kecamatan, kelurahan};
use crate::{AnyConnection, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = kecamatan)]
pub struct KecamatanRow {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = kelurahan)]
pub struct KelurahanRow {
    pub code: String,
    pub name: String,
    pub former_spelling: Option<String>,
    pub kecamatan_code: String,
    pub postal_code: String,
}

/// Every kecamatan and every kelurahan, each ordered by code.
pub fn load_all(
    conn: &mut AnyConnection,
) -> Result<(Vec<KecamatanRow>, Vec<KelurahanRow>), StoreError> {
    let kecamatan = kecamatan::table
        .select(KecamatanRow::as_select())
        .order(kecamatan::code)
        .load(conn)?;
    let kelurahan = kelurahan::table
        .select(KelurahanRow::as_select())
        .order(kelurahan::code)
        .load(conn)?;
    Ok((kecamatan, kelurahan))
}
