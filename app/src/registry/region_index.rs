//! The deployment's regions in memory: loaded once at start (reference data changes only by a
//! migration or `klinik regions apply`, followed by a restart), looked up on every request that
//! names a region.

use std::collections::HashMap;

use klinik_domain::regions::{Area, Level, RegionCode};
use klinik_persistence::regions::{KelurahanRow, RegionRow, StoredRegions};

/// Every stored region, and the area this deployment serves.
#[derive(Debug)]
pub struct RegionIndex {
    pub area: Area,
    pub provinces: Vec<RegionRow>,
    pub kabupaten_kota: Vec<RegionRow>,
    pub kecamatan: Vec<RegionRow>,
    pub kelurahan: Vec<KelurahanRow>,
    by_code: HashMap<String, (Level, usize)>,
}

impl Default for RegionIndex {
    fn default() -> Self {
        RegionIndex::new(Area::kota_bogor(), StoredRegions::default())
    }
}

impl RegionIndex {
    pub fn new(area: Area, stored: StoredRegions) -> Self {
        let mut by_code = HashMap::new();
        for level in [Level::Province, Level::KabupatenKota, Level::Kecamatan] {
            for (i, row) in stored.level(level).unwrap_or_default().iter().enumerate() {
                by_code.insert(row.code.clone(), (level, i));
            }
        }
        for (i, row) in stored.kelurahan.iter().enumerate() {
            by_code.insert(row.code.clone(), (Level::DesaKelurahan, i));
        }
        Self {
            area,
            provinces: stored.provinces,
            kabupaten_kota: stored.kabupaten_kota,
            kecamatan: stored.kecamatan,
            kelurahan: stored.kelurahan,
            by_code,
        }
    }

    fn upper(&self, level: Level) -> &[RegionRow] {
        match level {
            Level::Province => &self.provinces,
            Level::KabupatenKota => &self.kabupaten_kota,
            _ => &self.kecamatan,
        }
    }

    fn row(&self, code: &str, level: Level) -> Option<&RegionRow> {
        match self.by_code.get(code) {
            Some(&(found, i)) if found == level => Some(&self.upper(level)[i]),
            _ => None,
        }
    }

    /// A stored desa/kelurahan, in the area or not, retired or not: what a stored record reads.
    pub fn kelurahan(&self, code: &str) -> Option<&KelurahanRow> {
        match self.by_code.get(code) {
            Some(&(Level::DesaKelurahan, i)) => Some(&self.kelurahan[i]),
            _ => None,
        }
    }

    pub fn kecamatan(&self, code: &str) -> Option<&RegionRow> {
        self.row(code, Level::Kecamatan)
    }

    pub fn kabupaten_kota(&self, code: &str) -> Option<&RegionRow> {
        self.row(code, Level::KabupatenKota)
    }

    pub fn province(&self, code: &str) -> Option<&RegionRow> {
        self.row(code, Level::Province)
    }

    /// The name of a stored region of any level.
    pub fn name_of(&self, code: &str) -> Option<&str> {
        match self.by_code.get(code)? {
            (Level::DesaKelurahan, i) => Some(&self.kelurahan[*i].name),
            (level, i) => Some(&self.upper(*level)[*i].name),
        }
    }

    /// Whether a new record may name this desa/kelurahan: stored, in force, and in the area.
    pub fn accepts_kelurahan(&self, code: &str) -> bool {
        self.kelurahan(code).is_some_and(|k| k.retired_at.is_none())
            && RegionCode::parse(code).is_some_and(|c| self.area.contains(&c))
    }

    /// Whether a filter may name this region: stored (a retired one still finds old records) and
    /// inside the area or enclosing it.
    pub fn knows(&self, code: &str, level: Level) -> bool {
        let stored = match level {
            Level::DesaKelurahan => self.kelurahan(code).is_some(),
            level => self.row(code, level).is_some(),
        };
        stored && RegionCode::parse(code).is_some_and(|c| self.area.touches(&c))
    }

    /// The area's regions of one upper level in force, by code: the places figures are broken
    /// down by.
    pub fn places(&self, level: Level) -> impl Iterator<Item = &RegionRow> {
        self.upper(level).iter().filter(move |r| {
            r.retired_at.is_none()
                && RegionCode::parse(&r.code)
                    .is_some_and(|c| c.level() == level && self.area.touches(&c))
        })
    }

    /// The area's desa/kelurahan in force, by code (what the demo spreads records over).
    pub fn villages(&self) -> impl Iterator<Item = &KelurahanRow> {
        self.kelurahan.iter().filter(|k| {
            k.retired_at.is_none()
                && RegionCode::parse(&k.code).is_some_and(|c| self.area.contains(&c))
        })
    }

    /// A short name for the area in messages: `Kota Bogor`, or the names joined.
    pub fn area_name(&self) -> String {
        self.area
            .parts()
            .iter()
            .map(|p| self.name_of(p.as_str()).unwrap_or(p.as_str()).to_owned())
            .collect::<Vec<_>>()
            .join(", ")
    }
}
