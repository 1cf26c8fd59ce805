//! One list over every level: the provinces and kabupaten/kota the area is made of, its kecamatan
//! and its villages, paged and searched by name; what a frontend's region picker needs.

use klinik_domain::regions::{Level, RegionCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{fold, needle};
use crate::prelude::*;

/// The four levels of Indonesia's administration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    Province,
    KabupatenKota,
    Kecamatan,
    DesaKelurahan,
}

impl RegionLevel {
    fn of(level: Level) -> RegionLevel {
        match level {
            Level::Province => RegionLevel::Province,
            Level::KabupatenKota => RegionLevel::KabupatenKota,
            Level::Kecamatan => RegionLevel::Kecamatan,
            Level::DesaKelurahan => RegionLevel::DesaKelurahan,
        }
    }
}

/// A region of any level.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"code": "32.71.01", "level": "kecamatan", "name": "Bogor Selatan",
    "parent_code": "32.71", "parent_name": "Kota Bogor", "retired": false}))]
pub struct Region {
    /// Kemendagri code; its prefixes are its parents' codes.
    pub code: String,
    pub level: RegionLevel,
    pub name: String,
    /// `null` for a province.
    pub parent_code: Option<String>,
    pub parent_name: Option<String>,
    /// The region list in force no longer has it.
    pub retired: bool,
}

/// Parameters of the region search.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RegionQuery {
    /// Only regions of this level.
    pub level: Option<RegionLevel>,
    /// Only regions inside this one (a code of any level, e.g. `32.71` or `32.71.01`).
    #[param(
        pattern = r"^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$",
        example = "32.71"
    )]
    pub within: Option<String>,
    /// Part of the name; case and spaces are ignored.
    #[param(min_length = 1, max_length = 100)]
    pub q: Option<String>,
    /// Also regions the list in force no longer has (default false).
    pub include_retired: Option<bool>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// The area's regions, upper levels first, each level by code.
pub fn list_regions(app: &App, query: RegionQuery) -> Result<Page<Region>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    let needle = needle(query.q.as_deref())?;
    let within = match query.within.as_deref() {
        None => None,
        Some(text) => Some(RegionCode::parse(text).ok_or_else(|| {
            Error::query(
                "within",
                "invalid_format",
                msg!("must be a region code such as 32, 32.71, 32.71.01 or 32.71.01.1001"),
            )
        })?),
    };
    let index = &app.regions;
    if let Some(code) = &within
        && !index.knows(code.as_str(), code.level())
    {
        return Err(Error::query(
            "within",
            "unknown_region",
            msg!("is not a region of %{area}", area = index.area_name()),
        ));
    }
    let retired_too = query.include_retired.unwrap_or(false);
    let upper = [Level::Province, Level::KabupatenKota, Level::Kecamatan]
        .into_iter()
        .flat_map(|level| {
            let rows = match level {
                Level::Province => &index.provinces,
                Level::KabupatenKota => &index.kabupaten_kota,
                _ => &index.kecamatan,
            };
            rows.iter()
                .map(move |r| (level, r.code.as_str(), r.name.as_str(), r.retired_at))
        });
    let villages = index.kelurahan.iter().map(|k| {
        (
            Level::DesaKelurahan,
            k.code.as_str(),
            k.name.as_str(),
            k.retired_at,
        )
    });
    let wanted_level = query.level;
    let matching: Vec<(Level, &str, &str, bool)> = upper
        .chain(villages)
        .filter(|(level, ..)| wanted_level.is_none_or(|w| w == RegionLevel::of(*level)))
        .filter(|(_, _, _, retired_at)| retired_too || retired_at.is_none())
        .filter(|(level, code, ..)| index.knows(code, *level))
        .filter(|(_, code, ..)| {
            within
                .as_ref()
                .is_none_or(|w| RegionCode::parse(code).is_some_and(|c| c.is_within(w) && c != *w))
        })
        .filter(|(_, _, name, _)| {
            needle
                .as_ref()
                .is_none_or(|n| fold(name).contains(n.as_str()))
        })
        .map(|(level, code, name, retired_at)| (level, code, name, retired_at.is_some()))
        .collect();
    let total = matching.len() as i64;
    let items = matching
        .into_iter()
        .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
        .take(page.page_size as usize)
        .map(|(level, code, name, retired)| {
            let parent = RegionCode::parse(code).and_then(|c| c.parent());
            Region {
                code: code.to_owned(),
                level: RegionLevel::of(level),
                name: name.to_owned(),
                parent_name: parent
                    .as_ref()
                    .and_then(|p| index.name_of(p.as_str()))
                    .map(str::to_owned),
                parent_code: parent.map(|p| p.to_string()),
                retired,
            }
        })
        .collect();
    Ok(page.wrap(items, total))
}
