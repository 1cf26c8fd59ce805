//! Kota Bogor's kecamatan and kelurahan (reference data, loaded once at start).

use klinik_persistence::regions::KelurahanRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::prelude::*;
use crate::state::RegionIndex;

/// A kecamatan's Kemendagri code, `PP.KK.CC` (province, kabupaten/kota, kecamatan), e.g.
/// `32.71.01`. Any well-formed code reads; whether it names a kecamatan of the deployment is the
/// reference data's business (`GET /api/v1/regions/kecamatan`), so a filter on a code outside it
/// finds nothing rather than failing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct KecamatanCode(String);

/// The pattern a kecamatan code follows, as the contract states it.
pub const KECAMATAN_PATTERN: &str = r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$";

impl KecamatanCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `Some` when `text` has the `PP.KK.CC` shape.
    pub fn parse(text: &str) -> Option<Self> {
        let parts: Vec<&str> = text.split('.').collect();
        let well_formed = parts.len() == 3
            && parts
                .iter()
                .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()));
        well_formed.then(|| KecamatanCode(text.to_owned()))
    }
}

/// 400 when a kecamatan filter names no kecamatan of the deployment's area (like an unknown
/// kelurahan filter): a typo is reported rather than answered with an empty list.
pub fn known_kecamatan(regions: &RegionIndex, code: Option<&KecamatanCode>) -> Result<(), Error> {
    if code.is_some_and(|c| regions.kecamatan(c.as_str()).is_none()) {
        return Err(Error::query(
            "kecamatan_code",
            "unknown_kecamatan",
            msg!("is not a kecamatan of Kota Bogor"),
        ));
    }
    Ok(())
}

impl<'de> Deserialize<'de> for KecamatanCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        KecamatanCode::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(
                "must be a kecamatan code of the form PP.KK.CC (e.g. 32.71.01)",
            )
        })
    }
}

impl utoipa::PartialSchema for KecamatanCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "Kemendagri code of a kecamatan, `PP.KK.CC` (see `GET /api/v1/regions/kecamatan`).",
            ))
            .pattern(Some(KECAMATAN_PATTERN))
            .examples(["32.71.01"])
            .into()
    }
}

impl ToSchema for KecamatanCode {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("KecamatanCode")
    }
}

#[cfg(test)]
mod code_tests {
    use super::KecamatanCode;

    #[test]
    fn a_kecamatan_code_has_three_two_digit_parts() {
        for good in ["32.71.01", "11.01.99", "00.00.00"] {
            assert!(KecamatanCode::parse(good).is_some(), "{good}");
        }
        for bad in [
            "",
            "32.71",
            "32.71.1",
            "32.71.011",
            "32.71.01.1001",
            "3a.71.01",
            "32-71-01",
            "32.71.01.",
        ] {
            assert!(KecamatanCode::parse(bad).is_none(), "{bad}");
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
                msg!("must be 1 to 100 characters"),
            ));
        }
        Some(q) => Some(fold(q)),
        None => None,
    };
    let index = &app.regions;
    known_kecamatan(index, query.kecamatan_code.as_ref())?;
    let all: Vec<Kelurahan> = index
        .kelurahan
        .iter()
        .filter(|k| {
            query
                .kecamatan_code
                .as_ref()
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
