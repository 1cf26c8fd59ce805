//! Indonesia's administrative regions as the Ministry of Home Affairs codes them (Kepmendagri):
//! province `PP`, kabupaten/kota `PP.KK`, kecamatan `PP.KK.CC`, desa/kelurahan `PP.KK.CC.DDDD`.
//! A code names its parents by its prefixes, so nesting is read from the code itself
//! (docs/domain.md, "Regions"). A deployment serves an [`Area`]: one or more provinces or
//! kabupaten/kota; only codes inside it are valid for new records.

use std::fmt;

/// The four levels, from the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Province,
    KabupatenKota,
    Kecamatan,
    DesaKelurahan,
}

impl Level {
    /// The number the ministry's list gives the level (1–4).
    pub fn number(self) -> u8 {
        match self {
            Level::Province => 1,
            Level::KabupatenKota => 2,
            Level::Kecamatan => 3,
            Level::DesaKelurahan => 4,
        }
    }

    pub fn from_number(n: u8) -> Option<Level> {
        match n {
            1 => Some(Level::Province),
            2 => Some(Level::KabupatenKota),
            3 => Some(Level::Kecamatan),
            4 => Some(Level::DesaKelurahan),
            _ => None,
        }
    }

    /// Characters of a code of this level (`32`, `32.71`, `32.71.01`, `32.71.01.1001`).
    pub fn code_len(self) -> usize {
        match self {
            Level::Province => 2,
            Level::KabupatenKota => 5,
            Level::Kecamatan => 8,
            Level::DesaKelurahan => 13,
        }
    }
}

/// Whether a village is an urban kelurahan (led by an appointed lurah) or a desa (led by an
/// elected kepala desa): the first digit of its last part, 1 or 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VillageKind {
    Kelurahan,
    Desa,
}

/// A well-formed region code of any level.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionCode(String);

impl RegionCode {
    /// `Some` when `text` is a code of one of the four levels: parts of 2, 2, 2 and 4 digits
    /// joined by dots.
    pub fn parse(text: &str) -> Option<RegionCode> {
        let parts: Vec<&str> = text.split('.').collect();
        if parts.is_empty() || parts.len() > 4 {
            return None;
        }
        let widths_fit = parts.iter().enumerate().all(|(i, part)| {
            let width = if i == 3 { 4 } else { 2 };
            part.len() == width && part.bytes().all(|b| b.is_ascii_digit())
        });
        widths_fit.then(|| RegionCode(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> Level {
        match self.0.len() {
            2 => Level::Province,
            5 => Level::KabupatenKota,
            8 => Level::Kecamatan,
            _ => Level::DesaKelurahan,
        }
    }

    /// The code of the region one level up; `None` for a province.
    pub fn parent(&self) -> Option<RegionCode> {
        let len = match self.level() {
            Level::Province => return None,
            Level::KabupatenKota => 2,
            Level::Kecamatan => 5,
            Level::DesaKelurahan => 8,
        };
        Some(RegionCode(self.0[..len].to_owned()))
    }

    /// The code of the enclosing region of `level`, or this code itself at its own level;
    /// `None` when `level` is below this code's.
    pub fn ancestor(&self, level: Level) -> Option<&str> {
        (level <= self.level()).then(|| &self.0[..level.code_len()])
    }

    /// For a desa/kelurahan, which of the two it is (`None` for the other levels, and for a
    /// last part that begins with neither 1 nor 2).
    pub fn village_kind(&self) -> Option<VillageKind> {
        if self.level() != Level::DesaKelurahan {
            return None;
        }
        match self.0.as_bytes()[9] {
            b'1' => Some(VillageKind::Kelurahan),
            b'2' => Some(VillageKind::Desa),
            _ => None,
        }
    }

    /// Whether this region is `other` or lies inside it.
    pub fn is_within(&self, other: &RegionCode) -> bool {
        self.ancestor(other.level()) == Some(other.as_str())
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a deployment serves: provinces and kabupaten/kota, none inside another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    parts: Vec<RegionCode>,
}

/// Why an area setting was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AreaError {
    Empty,
    /// Not a code, or a kecamatan or village code (an area is whole provinces or kabupaten/kota).
    NotAnAreaCode(String),
    /// One part lies inside another (`32` and `32.71`), which says nothing the larger one does not.
    Overlapping(String, String),
}

impl fmt::Display for AreaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AreaError::Empty => f.write_str("names no region"),
            AreaError::NotAnAreaCode(code) => write!(
                f,
                "{code:?} is not a province (PP) or kabupaten/kota (PP.KK) code"
            ),
            AreaError::Overlapping(inner, outer) => write!(f, "{inner} already lies in {outer}"),
        }
    }
}

impl std::error::Error for AreaError {}

impl Area {
    /// Kota Bogor, the deployment this software was first written for.
    pub fn kota_bogor() -> Area {
        Area {
            parts: vec![RegionCode("32.71".to_owned())],
        }
    }

    /// Reads a comma-separated list such as `32.71` or `32.71,32.01` or `32`.
    pub fn parse(text: &str) -> Result<Area, AreaError> {
        let mut parts: Vec<RegionCode> = Vec::new();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let code = RegionCode::parse(item)
                .filter(|c| c.level() <= Level::KabupatenKota)
                .ok_or_else(|| AreaError::NotAnAreaCode(item.to_owned()))?;
            if parts.contains(&code) {
                continue;
            }
            if let Some(outer) = parts
                .iter()
                .find(|p| code.is_within(p) || p.is_within(&code))
            {
                let (inner, outer) = if code.is_within(outer) {
                    (code.clone(), outer.clone())
                } else {
                    (outer.clone(), code.clone())
                };
                return Err(AreaError::Overlapping(inner.0, outer.0));
            }
            parts.push(code);
        }
        if parts.is_empty() {
            return Err(AreaError::Empty);
        }
        parts.sort();
        Ok(Area { parts })
    }

    /// The provinces and kabupaten/kota it is made of, by code.
    pub fn parts(&self) -> &[RegionCode] {
        &self.parts
    }

    /// Whether `code` (any level) lies inside the area, or encloses part of it: the province of a
    /// kabupaten/kota area is "touched" but not contained.
    pub fn contains(&self, code: &RegionCode) -> bool {
        self.parts.iter().any(|p| code.is_within(p))
    }

    /// Whether `code` encloses some part of the area or lies in it: the regions a deployment
    /// names and shows.
    pub fn touches(&self, code: &RegionCode) -> bool {
        self.parts
            .iter()
            .any(|p| code.is_within(p) || p.is_within(code))
    }

    /// The setting's own spelling (`32.01,32.71`).
    pub fn to_setting(&self) -> String {
        self.parts
            .iter()
            .map(RegionCode::as_str)
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// One row of a region list (Kepmendagri): code, level and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedRegion {
    pub code: RegionCode,
    pub name: String,
}

/// Why a region list was refused, with its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListError {
    pub line: usize,
    pub problem: String,
}

impl fmt::Display for ListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.problem)
    }
}

impl std::error::Error for ListError {}

/// Checks one row of a list read as `(code, level, name)` text, at `line`: the code is
/// well formed, its level is the one stated, the name is one non-empty line.
pub fn listed_region(
    line: usize,
    code: &str,
    level: &str,
    name: &str,
) -> Result<ListedRegion, ListError> {
    let problem = |problem: String| ListError { line, problem };
    let parsed =
        RegionCode::parse(code.trim()).ok_or_else(|| problem(format!("{code:?} is not a code")))?;
    let stated = level
        .trim()
        .parse::<u8>()
        .ok()
        .and_then(Level::from_number)
        .ok_or_else(|| problem(format!("level {level:?} is not 1 to 4")))?;
    if stated != parsed.level() {
        return Err(problem(format!(
            "{code} is a level {} code, the row says {}",
            parsed.level().number(),
            stated.number()
        )));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(problem(format!(
            "{code} needs a name of 1 to 200 characters on one line"
        )));
    }
    Ok(ListedRegion {
        code: parsed,
        name: name.to_owned(),
    })
}

/// Checks a whole list: no code twice, and every region's parent listed. Returns the list
/// ordered by code (parents before their children).
pub fn check_list(mut rows: Vec<ListedRegion>) -> Result<Vec<ListedRegion>, ListError> {
    rows.sort_by(|a, b| a.code.cmp(&b.code));
    let codes: std::collections::HashSet<&str> = rows.iter().map(|r| r.code.as_str()).collect();
    if codes.len() != rows.len() {
        let twice = rows
            .windows(2)
            .find(|w| w[0].code == w[1].code)
            .map(|w| w[0].code.to_string())
            .unwrap_or_default();
        return Err(ListError {
            line: 0,
            problem: format!("{twice} is listed twice"),
        });
    }
    if let Some(orphan) = rows
        .iter()
        .find(|r| r.code.parent().is_some_and(|p| !codes.contains(p.as_str())))
    {
        return Err(ListError {
            line: 0,
            problem: format!(
                "{} is listed without its parent {}",
                orphan.code,
                orphan.code.parent().map(|p| p.0).unwrap_or_default()
            ),
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn code(text: &str) -> RegionCode {
        RegionCode::parse(text).unwrap()
    }

    #[test]
    fn codes_of_each_level_and_their_parents() {
        let village = code("32.71.01.1006");
        assert_eq!(village.level(), Level::DesaKelurahan);
        assert_eq!(village.parent(), Some(code("32.71.01")));
        assert_eq!(code("32.71.01").parent(), Some(code("32.71")));
        assert_eq!(code("32.71").parent(), Some(code("32")));
        assert_eq!(code("32").parent(), None);
        assert_eq!(village.ancestor(Level::KabupatenKota), Some("32.71"));
        assert_eq!(code("32.71").ancestor(Level::Kecamatan), None);
        assert_eq!(village.village_kind(), Some(VillageKind::Kelurahan));
        assert_eq!(
            code("32.01.01.2001").village_kind(),
            Some(VillageKind::Desa)
        );
        assert_eq!(code("32.01.01").village_kind(), None);
    }

    #[test]
    fn malformed_codes_are_refused() {
        for bad in [
            "",
            "3",
            "321",
            "32.7",
            "32.71.1",
            "32.71.01.100",
            "32.71.01.10011",
            "32.71.01.1001.01",
            "3a.71",
            "32-71",
            "32.71.",
            ".32",
        ] {
            assert_eq!(RegionCode::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn an_area_is_provinces_and_kabupaten_kota() {
        let area = Area::parse(" 32.71 , 32.01,32.71").unwrap();
        assert_eq!(area.to_setting(), "32.01,32.71");
        assert!(area.contains(&code("32.71.01.1006")));
        assert!(area.contains(&code("32.01")));
        assert!(!area.contains(&code("32.72.01")));
        assert!(!area.contains(&code("32")));
        assert!(area.touches(&code("32")));
        assert!(!area.touches(&code("33")));
        assert_eq!(Area::parse(""), Err(AreaError::Empty));
        assert_eq!(
            Area::parse("32.71.01"),
            Err(AreaError::NotAnAreaCode("32.71.01".into()))
        );
        assert_eq!(
            Area::parse("32.71,32"),
            Err(AreaError::Overlapping("32.71".into(), "32".into()))
        );
        assert_eq!(Area::parse("32").unwrap().parts(), [code("32")]);
        assert_eq!(Area::kota_bogor(), Area::parse("32.71").unwrap());
    }

    #[test]
    fn a_list_row_states_its_level_and_a_name() {
        let row = listed_region(3, "32.71", "2", "Kota Bogor").unwrap();
        assert_eq!(row.code, code("32.71"));
        let wrong_level = listed_region(4, "32.71", "3", "Kota Bogor").unwrap_err();
        assert_eq!(wrong_level.line, 4);
        assert!(listed_region(5, "32.71", "5", "x").is_err());
        assert!(listed_region(6, "32.71", "2", " ").is_err());
        assert!(listed_region(7, "32.7", "2", "x").is_err());
    }

    #[test]
    fn a_list_needs_every_parent_and_no_code_twice() {
        let row = |c: &str| ListedRegion {
            code: code(c),
            name: "x".into(),
        };
        let ordered = check_list(vec![row("32.71"), row("32")]).unwrap();
        assert_eq!(ordered[0].code, code("32"));
        assert!(check_list(vec![row("32"), row("32.71.01")]).is_err());
        assert!(check_list(vec![row("32"), row("32")]).is_err());
    }

    fn any_code() -> impl Strategy<Value = String> {
        (0u8..100, 0u8..100, 0u8..100, 0u16..10000, 1usize..=4).prop_map(|(p, k, c, d, depth)| {
            let full = format!("{p:02}.{k:02}.{c:02}.{d:04}");
            full[..Level::from_number(depth as u8).unwrap().code_len()].to_owned()
        })
    }

    proptest! {
        #[test]
        fn every_code_lies_within_each_of_its_ancestors(text in any_code()) {
            let region = RegionCode::parse(&text).unwrap();
            let mut child = region.clone();
            while let Some(parent) = child.parent() {
                prop_assert!(region.is_within(&parent));
                prop_assert!(!parent.is_within(&region));
                prop_assert_eq!(parent.level().number() + 1, child.level().number());
                child = parent;
            }
            prop_assert_eq!(region.as_str().len(), region.level().code_len());
        }

        #[test]
        fn an_area_of_one_part_contains_exactly_what_lies_within_it(
            part in any_code().prop_filter("area level", |c| c.len() <= 5),
            other in any_code(),
        ) {
            let area = Area::parse(&part).unwrap();
            let other = RegionCode::parse(&other).unwrap();
            prop_assert_eq!(area.contains(&other), other.as_str().starts_with(part.as_str()) && other.as_str().len() >= part.len());
        }
    }
}
