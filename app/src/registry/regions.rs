//! Kota Bogor's kecamatan and kelurahan (reference data, loaded once at start).

use klinik_persistence::regions::KelurahanRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::prelude::*;
use crate::state::RegionIndex;

/// The six kecamatan codes of Kota Bogor (Kemendagri).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, ToSchema)]
pub enum KecamatanCode {
    #[serde(rename = "32.71.01")]
    BogorSelatan,
    #[serde(rename = "32.71.02")]
    BogorTimur,
    #[serde(rename = "32.71.03")]
    BogorTengah,
    #[serde(rename = "32.71.04")]
    BogorBarat,
    #[serde(rename = "32.71.05")]
    BogorUtara,
    #[serde(rename = "32.71.06")]
    TanahSareal,
}

impl KecamatanCode {
    pub fn as_str(self) -> &'static str {
        match self {
            KecamatanCode::BogorSelatan => "32.71.01",
            KecamatanCode::BogorTimur => "32.71.02",
            KecamatanCode::BogorTengah => "32.71.03",
            KecamatanCode::BogorBarat => "32.71.04",
            KecamatanCode::BogorUtara => "32.71.05",
            KecamatanCode::TanahSareal => "32.71.06",
        }
    }
}

/// A kelurahan (urban village).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"code": "32.71.01.1006", "name": "Rangga Mekar", "former_spelling": "Ranggamekar",
    "kecamatan_code": "32.71.01", "kecamatan_name": "Bogor Selatan", "postal_code": "16136"}))]
pub struct Kelurahan {
    /// Kemendagri code.
    pub code: String,
    pub name: String,
    /// An older or alternative spelling, matched by `q` as well.
    pub former_spelling: Option<String>,
    pub kecamatan_code: String,
    pub kecamatan_name: String,
    /// Postal code (kode pos).
    pub postal_code: String,
}

/// A kecamatan (district) with its kelurahan.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"code": "32.71.01", "name": "Bogor Selatan", "kelurahan": [
    {"code": "32.71.01.1001", "name": "Batu Tulis", "former_spelling": null, "kecamatan_code": "32.71.01",
     "kecamatan_name": "Bogor Selatan", "postal_code": "16133"}]}))]
pub struct Kecamatan {
    /// Kemendagri code.
    #[schema(example = "32.71.01")]
    pub code: String,
    #[schema(example = "Bogor Selatan")]
    pub name: String,
    /// Its kelurahan, ordered by code.
    pub kelurahan: Vec<Kelurahan>,
}

fn kelurahan_dto(index: &RegionIndex, row: &KelurahanRow) -> Kelurahan {
    Kelurahan {
        code: row.code.clone(),
        name: row.name.clone(),
        former_spelling: row.former_spelling.clone(),
        kecamatan_code: row.kecamatan_code.clone(),
        kecamatan_name: index
            .kecamatan(&row.kecamatan_code)
            .map(|k| k.name.clone())
            .unwrap_or_default(),
        postal_code: row.postal_code.clone(),
    }
}

/// The kecamatan, each with its kelurahan, by code.
pub fn list_kecamatan(app: &App, query: PageQuery) -> Result<Page<Kecamatan>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    let index = &app.regions;
    let all: Vec<Kecamatan> = index
        .kecamatan
        .iter()
        .map(|k| Kecamatan {
            code: k.code.clone(),
            name: k.name.clone(),
            kelurahan: index
                .kelurahan
                .iter()
                .filter(|l| l.kecamatan_code == k.code)
                .map(|l| kelurahan_dto(index, l))
                .collect(),
        })
        .collect();
    Ok(paginate(all, page))
}

fn paginate<T>(all: Vec<T>, page: PageRequest) -> Page<T> {
    let total = all.len() as i64;
    let items = all
        .into_iter()
        .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
        .take(page.page_size as usize)
        .collect();
    page.wrap(items, total)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct KelurahanQuery {
    /// Only the kelurahan of this kecamatan.
    pub kecamatan_code: Option<KecamatanCode>,
    /// Part of the name or former spelling; case and spaces are ignored (`rangga mekar`,
    /// `RanggaMekar` and `ranggamekar` all find Rangga Mekar).
    #[param(min_length = 1, max_length = 100)]
    pub q: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// Folds case and drops white space, so that spellings compare as people mean them.
fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The kelurahan, of one kecamatan or matching a name, by code.
pub fn list_kelurahan(app: &App, query: KelurahanQuery) -> Result<Page<Kelurahan>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    let needle = match &query.q {
        Some(q) if q.is_empty() || q.chars().count() > 100 => {
            return Err(Error::query(
                "q",
                "invalid_length",
                "must be 1 to 100 characters",
            ));
        }
        Some(q) => Some(fold(q)),
        None => None,
    };
    let index = &app.regions;
    let all: Vec<Kelurahan> = index
        .kelurahan
        .iter()
        .filter(|k| {
            query
                .kecamatan_code
                .is_none_or(|c| k.kecamatan_code == c.as_str())
        })
        .filter(|k| {
            needle.as_ref().is_none_or(|n| {
                fold(&k.name).contains(n.as_str())
                    || k.former_spelling
                        .as_deref()
                        .is_some_and(|f| fold(f).contains(n.as_str()))
            })
        })
        .map(|k| kelurahan_dto(index, k))
        .collect();
    Ok(paginate(all, page))
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
