//! Indonesia's regions on four levels: reference data. Start-up adds the configured area's
//! regions from the list that ships with the binary; `klinik regions apply` brings a new list in.
//! Nothing here deletes a region: a record may name it.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use klinik_domain::regions::{Level, ListedRegion};

use crate::schema::{kabupaten_kota, kecamatan, kelurahan, provinces, region_lists};
use crate::{AnyConnection, StoreError};

/// A province, kabupaten/kota or kecamatan.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct RegionRow {
    pub code: String,
    pub name: String,
    /// Set when the list in force no longer has the region.
    pub retired_at: Option<NaiveDateTime>,
}

/// A desa or kelurahan.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = kelurahan)]
pub struct KelurahanRow {
    pub code: String,
    pub name: String,
    pub former_spelling: Option<String>,
    pub kecamatan_code: String,
    /// Empty when not known (the national list has none).
    pub postal_code: String,
    pub retired_at: Option<NaiveDateTime>,
}

/// Every stored region, each level ordered by code.
#[derive(Debug, Default)]
pub struct StoredRegions {
    pub provinces: Vec<RegionRow>,
    pub kabupaten_kota: Vec<RegionRow>,
    pub kecamatan: Vec<RegionRow>,
    pub kelurahan: Vec<KelurahanRow>,
}

impl StoredRegions {
    /// The rows of one of the three upper levels.
    pub fn level(&self, level: Level) -> Option<&[RegionRow]> {
        match level {
            Level::Province => Some(&self.provinces),
            Level::KabupatenKota => Some(&self.kabupaten_kota),
            Level::Kecamatan => Some(&self.kecamatan),
            Level::DesaKelurahan => None,
        }
    }
}

pub fn load_all(conn: &mut AnyConnection) -> Result<StoredRegions, StoreError> {
    Ok(StoredRegions {
        provinces: provinces::table
            .select((provinces::code, provinces::name, provinces::retired_at))
            .order(provinces::code)
            .load(conn)?,
        kabupaten_kota: kabupaten_kota::table
            .select((
                kabupaten_kota::code,
                kabupaten_kota::name,
                kabupaten_kota::retired_at,
            ))
            .order(kabupaten_kota::code)
            .load(conn)?,
        kecamatan: kecamatan::table
            .select((kecamatan::code, kecamatan::name, kecamatan::retired_at))
            .order(kecamatan::code)
            .load(conn)?,
        kelurahan: kelurahan::table
            .select(KelurahanRow::as_select())
            .order(kelurahan::code)
            .load(conn)?,
    })
}

/// Adds regions not stored yet, parents first (the list is in code order).
pub fn insert(conn: &mut AnyConnection, regions: &[ListedRegion]) -> Result<usize, StoreError> {
    let of = |level| {
        regions
            .iter()
            .filter(move |r: &&ListedRegion| r.code.level() == level)
    };
    // Three bound values a row (five for a village): 300 rows stay under both backends' limits.
    let upper = |level| -> Vec<_> {
        of(level)
            .map(|r| (r.code.to_string(), r.name.clone()))
            .collect()
    };
    for chunk in upper(Level::Province).chunks(300) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(c, n)| (provinces::code.eq(c), provinces::name.eq(n)))
            .collect();
        crate::per_backend!(conn, |c| diesel::insert_into(provinces::table)
            .values(rows)
            .execute(c))?;
    }
    for chunk in upper(Level::KabupatenKota).chunks(300) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(c, n)| (kabupaten_kota::code.eq(c), kabupaten_kota::name.eq(n)))
            .collect();
        crate::per_backend!(conn, |c| diesel::insert_into(kabupaten_kota::table)
            .values(rows)
            .execute(c))?;
    }
    for chunk in upper(Level::Kecamatan).chunks(300) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(c, n)| (kecamatan::code.eq(c), kecamatan::name.eq(n)))
            .collect();
        crate::per_backend!(conn, |c| diesel::insert_into(kecamatan::table)
            .values(rows)
            .execute(c))?;
    }
    let villages: Vec<_> = of(Level::DesaKelurahan)
        .map(|r| {
            (
                kelurahan::code.eq(r.code.to_string()),
                kelurahan::name.eq(r.name.clone()),
                kelurahan::kecamatan_code.eq(r
                    .code
                    .parent()
                    .map(|p| p.to_string())
                    .unwrap_or_default()),
                kelurahan::postal_code.eq(String::new()),
            )
        })
        .collect();
    for chunk in villages.chunks(300) {
        let rows = chunk.to_vec();
        crate::per_backend!(conn, |c| diesel::insert_into(kelurahan::table)
            .values(rows)
            .execute(c))?;
    }
    Ok(regions.len())
}

/// Gives a stored region the name a newer list has for it.
pub fn rename(
    conn: &mut AnyConnection,
    level: Level,
    code: &str,
    name: &str,
) -> Result<(), StoreError> {
    match level {
        Level::Province => diesel::update(provinces::table.find(code))
            .set(provinces::name.eq(name))
            .execute(conn)?,
        Level::KabupatenKota => diesel::update(kabupaten_kota::table.find(code))
            .set(kabupaten_kota::name.eq(name))
            .execute(conn)?,
        Level::Kecamatan => diesel::update(kecamatan::table.find(code))
            .set(kecamatan::name.eq(name))
            .execute(conn)?,
        Level::DesaKelurahan => diesel::update(kelurahan::table.find(code))
            .set(kelurahan::name.eq(name))
            .execute(conn)?,
    };
    Ok(())
}

/// Marks a region retired (`Some`) or in force again (`None`).
pub fn set_retired(
    conn: &mut AnyConnection,
    level: Level,
    code: &str,
    retired_at: Option<NaiveDateTime>,
) -> Result<(), StoreError> {
    match level {
        Level::Province => diesel::update(provinces::table.find(code))
            .set(provinces::retired_at.eq(retired_at))
            .execute(conn)?,
        Level::KabupatenKota => diesel::update(kabupaten_kota::table.find(code))
            .set(kabupaten_kota::retired_at.eq(retired_at))
            .execute(conn)?,
        Level::Kecamatan => diesel::update(kecamatan::table.find(code))
            .set(kecamatan::retired_at.eq(retired_at))
            .execute(conn)?,
        Level::DesaKelurahan => diesel::update(kelurahan::table.find(code))
            .set(kelurahan::retired_at.eq(retired_at))
            .execute(conn)?,
    };
    Ok(())
}

/// What applying a list changed, kept in `region_lists`.
#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = region_lists)]
pub struct AppliedList {
    pub source: String,
    pub sha256: String,
    pub applied_at: NaiveDateTime,
    pub added: i32,
    pub renamed: i32,
    pub retired: i32,
    pub restored: i32,
}

pub fn record_applied(conn: &mut AnyConnection, applied: &AppliedList) -> Result<(), StoreError> {
    diesel::insert_into(region_lists::table)
        .values(applied)
        .execute(conn)?;
    Ok(())
}
