//! The deployment's regions as reference data: kecamatan with their villages, villages, and a
//! search over every level (`search`). Read from memory ([`RegionIndex`]); public.

mod search;

use klinik_domain::regions::{RegionCode, VillageKind as DomainVillageKind};
use klinik_persistence::regions::{KelurahanRow, RegionRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub use super::region_codes::{
    KabupatenKotaCode, KecamatanCode, RegionFilter, check_filter, kelurahan_refused,
};
use crate::prelude::*;
use crate::state::RegionIndex;
pub use search::{Region, RegionLevel, RegionQuery, list_regions};

/// Whether a village is a kelurahan (urban, led by an appointed lurah) or a desa (led by an
/// elected kepala desa).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VillageKind {
    Kelurahan,
    Desa,
}

/// A kelurahan or desa.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"code": "32.71.01.1006", "name": "Rangga Mekar", "kind": "kelurahan",
    "former_spelling": "Ranggamekar", "kecamatan_code": "32.71.01", "kecamatan_name": "Bogor Selatan",
    "kabupaten_kota_code": "32.71", "postal_code": "16136", "retired": false}))]
pub struct Kelurahan {
    /// Kemendagri code.
    pub code: String,
    pub name: String,
    /// `null` for the rare code whose last part begins with neither 1 nor 2.
    pub kind: Option<VillageKind>,
    /// An older or alternative spelling, matched by `q` as well.
    pub former_spelling: Option<String>,
    pub kecamatan_code: String,
    pub kecamatan_name: String,
    pub kabupaten_kota_code: String,
    /// Postal code (kode pos); `null` where the office has not recorded one.
    pub postal_code: Option<String>,
    /// The region list in force no longer has it: stored records still name it, new ones may not.
    pub retired: bool,
}

/// A kecamatan (district) with its villages.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"code": "32.71.01", "name": "Bogor Selatan", "kabupaten_kota_code": "32.71",
    "retired": false, "kelurahan": [
    {"code": "32.71.01.1001", "name": "Batu Tulis", "kind": "kelurahan", "former_spelling": null,
     "kecamatan_code": "32.71.01", "kecamatan_name": "Bogor Selatan", "kabupaten_kota_code": "32.71",
     "postal_code": "16133", "retired": false}]}))]
pub struct Kecamatan {
    /// Kemendagri code.
    #[schema(example = "32.71.01")]
    pub code: String,
    #[schema(example = "Bogor Selatan")]
    pub name: String,
    pub kabupaten_kota_code: String,
    pub retired: bool,
    /// Its kelurahan and desa, ordered by code (retired ones only with `include_retired`).
    pub kelurahan: Vec<Kelurahan>,
}

fn kelurahan_dto(index: &RegionIndex, row: &KelurahanRow) -> Kelurahan {
    let code = RegionCode::parse(&row.code);
    Kelurahan {
        code: row.code.clone(),
        name: row.name.clone(),
        kind: code
            .as_ref()
            .and_then(RegionCode::village_kind)
            .map(|k| match k {
                DomainVillageKind::Kelurahan => VillageKind::Kelurahan,
                DomainVillageKind::Desa => VillageKind::Desa,
            }),
        former_spelling: row.former_spelling.clone(),
        kecamatan_code: row.kecamatan_code.clone(),
        kecamatan_name: index
            .kecamatan(&row.kecamatan_code)
            .map(|k| k.name.clone())
            .unwrap_or_default(),
        kabupaten_kota_code: row.code.get(..5).unwrap_or_default().to_owned(),
        postal_code: Some(row.postal_code.clone()).filter(|p| !p.is_empty()),
        retired: row.retired_at.is_some(),
    }
}

/// The villages of one kecamatan, by code (the index keeps them in code order, so they are one run).
fn villages_of<'a>(index: &'a RegionIndex, kecamatan: &str) -> &'a [KelurahanRow] {
    let start = index
        .kelurahan
        .partition_point(|k| k.kecamatan_code.as_str() < kecamatan);
    let len = index.kelurahan[start..].partition_point(|k| k.kecamatan_code == kecamatan);
    &index.kelurahan[start..start + len]
}

/// Parameters of the kecamatan list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct KecamatanQuery {
    /// Only the kecamatan of this kabupaten/kota.
    pub kabupaten_kota_code: Option<KabupatenKotaCode>,
    /// Also regions the list in force no longer has (default false).
    pub include_retired: Option<bool>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// The area's kecamatan, each with its villages, by code.
pub fn list_kecamatan(app: &App, query: KecamatanQuery) -> Result<Page<Kecamatan>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    let index = &app.regions;
    check_filter(
        index,
        RegionFilter {
            kabupaten_kota: query.kabupaten_kota_code.as_ref(),
            ..RegionFilter::default()
        },
    )?;
    let retired_too = query.include_retired.unwrap_or(false);
    let shown = |retired: bool| retired_too || !retired;
    let matching: Vec<&RegionRow> = index
        .kecamatan
        .iter()
        .filter(|k| index.knows(&k.code, klinik_domain::regions::Level::Kecamatan))
        .filter(|k| shown(k.retired_at.is_some()))
        .filter(|k| {
            query
                .kabupaten_kota_code
                .as_ref()
                .is_none_or(|c| k.code.starts_with(c.as_str()))
        })
        .collect();
    let total = matching.len() as i64;
    let items = matching
        .into_iter()
        .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
        .take(page.page_size as usize)
        .map(|k| Kecamatan {
            code: k.code.clone(),
            name: k.name.clone(),
            kabupaten_kota_code: k.code.get(..5).unwrap_or_default().to_owned(),
            retired: k.retired_at.is_some(),
            kelurahan: villages_of(index, &k.code)
                .iter()
                .filter(|l| shown(l.retired_at.is_some()))
                .map(|l| kelurahan_dto(index, l))
                .collect(),
        })
        .collect();
    Ok(page.wrap(items, total))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct KelurahanQuery {
    /// Only the villages of this kabupaten/kota.
    pub kabupaten_kota_code: Option<KabupatenKotaCode>,
    /// Only the villages of this kecamatan.
    pub kecamatan_code: Option<KecamatanCode>,
    /// Part of the name or former spelling; case and spaces are ignored (`rangga mekar`,
    /// `RanggaMekar` and `ranggamekar` all find Rangga Mekar).
    #[param(min_length = 1, max_length = 100)]
    pub q: Option<String>,
    /// Also villages the list in force no longer has (default false).
    pub include_retired: Option<bool>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// Folds case and drops white space, so that spellings compare as people mean them.
pub(crate) fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Checks a `q` of 1 to 100 characters and folds it.
pub(crate) fn needle(q: Option<&str>) -> Result<Option<String>, Error> {
    match q {
        Some(q) if q.is_empty() || q.chars().count() > 100 => Err(Error::query(
            "q",
            "invalid_length",
            msg!("must be 1 to 100 characters"),
        )),
        Some(q) => Ok(Some(fold(q))),
        None => Ok(None),
    }
}

/// The area's villages, of one kecamatan or kabupaten/kota or matching a name, by code.
pub fn list_kelurahan(app: &App, query: KelurahanQuery) -> Result<Page<Kelurahan>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    let needle = needle(query.q.as_deref())?;
    let index = &app.regions;
    check_filter(
        index,
        RegionFilter {
            kabupaten_kota: query.kabupaten_kota_code.as_ref(),
            kecamatan: query.kecamatan_code.as_ref(),
            kelurahan: None,
        },
    )?;
    let retired_too = query.include_retired.unwrap_or(false);
    let matching: Vec<&KelurahanRow> = index
        .kelurahan
        .iter()
        .filter(|k| retired_too || k.retired_at.is_none())
        .filter(|k| index.knows(&k.code, klinik_domain::regions::Level::DesaKelurahan))
        .filter(|k| {
            query
                .kecamatan_code
                .as_ref()
                .is_none_or(|c| k.kecamatan_code == c.as_str())
                && query
                    .kabupaten_kota_code
                    .as_ref()
                    .is_none_or(|c| k.code.starts_with(c.as_str()))
        })
        .filter(|k| {
            needle.as_ref().is_none_or(|n| {
                fold(&k.name).contains(n.as_str())
                    || k.former_spelling
                        .as_deref()
                        .is_some_and(|f| fold(f).contains(n.as_str()))
            })
        })
        .collect();
    let total = matching.len() as i64;
    let items = matching
        .into_iter()
        .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
        .take(page.page_size as usize)
        .map(|k| kelurahan_dto(index, k))
        .collect();
    Ok(page.wrap(items, total))
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folding_ignores_case_and_spaces() {
        assert_eq!(fold("Rangga Mekar"), "ranggamekar");
        assert_eq!(fold(" RANGGA\tmekar "), "ranggamekar");
    }
}
