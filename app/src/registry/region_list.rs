//! The list of Indonesia's regions (Kepmendagri): the one that ships with the binary
//! (`app/reference/wilayah-indonesia.csv`, with its source and licence beside it), and a newer one an
//! operator applies with `klinik regions apply`.

use std::collections::{HashMap, HashSet};

use anyhow::Context;
use chrono::NaiveDateTime;
use klinik_domain::regions::{Area, Level, ListError, ListedRegion, check_list, listed_region};
use klinik_persistence::regions::{self as store, AppliedList, StoredRegions};
use sha2::{Digest, Sha256};

use crate::prelude::*;

/// Kepmendagri No 300.2.2-2138 Tahun 2025, as `code,level,name`.
pub const SHIPPED: &str = include_str!("../../reference/wilayah-indonesia.csv");

/// Reads a list in the shipped list's form: a header `code,level,name`, then one region a row.
pub fn parse(text: &str) -> Result<Vec<ListedRegion>, ListError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header_ok = reader
        .headers()
        .is_ok_and(|h| h.iter().map(str::trim).eq(["code", "level", "name"]));
    if !header_ok {
        return Err(ListError {
            line: 1,
            problem: "the header must be code,level,name".into(),
        });
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| ListError {
            line,
            problem: e.to_string(),
        })?;
        if record.len() != 3 {
            return Err(ListError {
                line,
                problem: format!("{} fields, not 3", record.len()),
            });
        }
        rows.push(listed_region(line, &record[0], &record[1], &record[2])?);
    }
    check_list(rows)
}

/// The shipped list's regions that touch `area`, each row checked as it is read; the rest of
/// the country is never held in memory (the whole list is checked by a test,
/// `the_shipped_list_reads`). Fails when a part of the area is not in the list.
pub fn shipped_in(area: &Area) -> anyhow::Result<Vec<ListedRegion>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(SHIPPED.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.context("reading the shipped region list")?;
        let (Some(code), Some(level), Some(name)) = (record.get(0), record.get(1), record.get(2))
        else {
            anyhow::bail!("the shipped region list has a short row at line {}", i + 2);
        };
        let Some(parsed) = klinik_domain::regions::RegionCode::parse(code) else {
            anyhow::bail!("the shipped region list has a bad code at line {}", i + 2);
        };
        if area.touches(&parsed) {
            rows.push(listed_region(i + 2, code, level, name)?);
        }
    }
    for part in area.parts() {
        anyhow::ensure!(
            rows.iter().any(|r| &r.code == part),
            "KLINIK_REGIONS names {part}, which is no province or kabupaten/kota of the region list"
        );
    }
    Ok(rows)
}

fn stored_codes(stored: &StoredRegions) -> HashSet<String> {
    let upper = [Level::Province, Level::KabupatenKota, Level::Kecamatan]
        .into_iter()
        .flat_map(|level| stored.level(level).unwrap_or_default())
        .map(|r| r.code.clone());
    upper
        .chain(stored.kelurahan.iter().map(|k| k.code.clone()))
        .collect()
}

/// Adds the regions of `area` (and the provinces around it) that the database does not hold yet;
/// never renames or retires (that is `apply`'s, so that a newer list once applied is not undone by
/// the next start). Returns how many it added.
pub fn add_missing(conn: &mut AnyConnection, area: &Area) -> anyhow::Result<usize> {
    let listed = shipped_in(area)?;
    let stored = stored_codes(&store::load_all(conn).map_err(|e| anyhow::anyhow!("{e}"))?);
    let missing: Vec<ListedRegion> = listed
        .into_iter()
        .filter(|r| !stored.contains(r.code.as_str()))
        .collect();
    store::insert(conn, &missing).map_err(|e| anyhow::anyhow!("storing the regions: {e}"))
}

/// What `apply` did.
pub type Applied = AppliedList;

/// Brings the stored regions of `area` in line with `list`: adds what is new, renames what the
/// list names differently, retires what it no longer has and restores what it has again. Only
/// regions that touch the area are considered; the rest of the list is not stored.
pub fn apply(
    conn: &mut AnyConnection,
    area: &Area,
    list: &[ListedRegion],
    source: &str,
    text: &str,
    now: NaiveDateTime,
) -> Result<Applied, Error> {
    let stored = store::load_all(conn)?;
    let listed: HashMap<&str, &ListedRegion> = list
        .iter()
        .filter(|r| area.touches(&r.code))
        .map(|r| (r.code.as_str(), r))
        .collect();
    let mut applied = AppliedList {
        source: source.to_owned(),
        sha256: hex::encode(Sha256::digest(text.as_bytes())),
        applied_at: now,
        added: 0,
        renamed: 0,
        retired: 0,
        restored: 0,
    };
    let villages = stored
        .kelurahan
        .iter()
        .map(|k| (k.code.as_str(), k.name.as_str(), k.retired_at));
    let upper = [Level::Province, Level::KabupatenKota, Level::Kecamatan]
        .into_iter()
        .flat_map(|level| stored.level(level).unwrap_or_default())
        .map(|r| (r.code.as_str(), r.name.as_str(), r.retired_at));
    let mut seen = HashSet::new();
    for (code, name, retired_at) in upper.chain(villages) {
        let Some(region) = klinik_domain::regions::RegionCode::parse(code) else {
            continue;
        };
        if !area.touches(&region) {
            continue;
        }
        seen.insert(code.to_owned());
        let level = region.level();
        match listed.get(code) {
            None if retired_at.is_none() => {
                store::set_retired(conn, level, code, Some(now))?;
                applied.retired += 1;
            }
            None => {}
            Some(listed) => {
                if listed.name != name {
                    store::rename(conn, level, code, &listed.name)?;
                    applied.renamed += 1;
                }
                if retired_at.is_some() {
                    store::set_retired(conn, level, code, None)?;
                    applied.restored += 1;
                }
            }
        }
    }
    let mut new: Vec<ListedRegion> = listed
        .values()
        .filter(|r| !seen.contains(r.code.as_str()))
        .map(|r| (*r).clone())
        .collect();
    new.sort_by(|a, b| a.code.cmp(&b.code));
    applied.added = i32::try_from(store::insert(conn, &new)?).unwrap_or(i32::MAX);
    store::record_applied(conn, &applied)?;
    Ok(applied)
}

/// `klinik regions apply [FILE]`: applies the list in FILE (the shipped list without one) to the
/// configured area in one transaction. The server reads the regions at start: restart it after.
pub fn apply_command(app: &App, file: Option<&std::path::Path>) -> anyhow::Result<Applied> {
    let (source, text) = match file {
        Some(path) => (
            path.display().to_string(),
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?,
        ),
        None => ("shipped".to_owned(), SHIPPED.to_owned()),
    };
    let list = parse(&text).map_err(|e| anyhow::anyhow!("{source}: {e}"))?;
    let area = &app.regions.area;
    let mut conn = app.db.pool().get().context("connecting to the database")?;
    let now = klinik_persistence::now_utc();
    klinik_persistence::write_transaction(&mut conn, |conn| {
        apply(conn, area, &list, &source, &text, now)
    })
    .map_err(|e| anyhow::anyhow!("applying the region list: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_reads() {
        let list = parse(SHIPPED).expect("the shipped list");
        let count = |level| list.iter().filter(|r| r.code.level() == level).count();
        assert_eq!(count(Level::Province), 38);
        assert_eq!(count(Level::KabupatenKota), 514);
        assert_eq!(count(Level::Kecamatan), 7_285);
        assert_eq!(count(Level::DesaKelurahan), 83_762);
        let bogor = list.iter().find(|r| r.code.as_str() == "32.71").unwrap();
        assert_eq!(bogor.name, "Kota Bogor");
        // A name with a comma is quoted in the file.
        assert!(list.iter().any(|r| r.name == "Lubuk Pakam I,II"));
    }

    #[test]
    fn a_list_is_refused_with_the_line_at_fault() {
        let header = parse("kode,level,nama\n32,1,Jawa Barat\n").unwrap_err();
        assert_eq!(header.line, 1);
        let level = parse("code,level,name\n32,1,Jawa Barat\n32.71,3,Kota Bogor\n").unwrap_err();
        assert_eq!(level.line, 3);
        let orphan = parse("code,level,name\n32.71,2,Kota Bogor\n").unwrap_err();
        assert!(orphan.problem.contains("parent"), "{orphan}");
    }

    #[test]
    fn only_the_area_is_read_from_the_shipped_list() {
        let bogor = shipped_in(&Area::kota_bogor()).unwrap();
        assert_eq!(bogor.len(), 1 + 1 + 6 + 68);
        let two = shipped_in(&Area::parse("32.71,33").unwrap()).unwrap();
        assert!(two.iter().any(|r| r.code.as_str() == "33.01.01.2001"));
        assert!(shipped_in(&Area::parse("32.99").unwrap()).is_err());
    }
}
