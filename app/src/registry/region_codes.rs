//! Region codes as requests carry them, and the checks a record's or a filter's code passes.
//! The contract publishes each code's pattern, not the list: the list is reference data
//! (`GET /api/v1/regions`) and differs per deployment area.

use std::borrow::Cow;

use klinik_domain::regions::{Level, RegionCode};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::prelude::*;
use crate::state::RegionIndex;

/// The pattern a kelurahan code follows, as the contract states it.
pub const KELURAHAN_PATTERN: &str = r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$";
/// The pattern a kecamatan code follows.
pub const KECAMATAN_PATTERN: &str = r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$";
/// The pattern a kabupaten/kota code follows.
pub const KABUPATEN_KOTA_PATTERN: &str = r"^[0-9]{2}\.[0-9]{2}$";

/// Kemendagri code of a kelurahan (see `GET /api/v1/regions/kelurahan`), for the contract.
pub struct KelurahanCode;

impl PartialSchema for KelurahanCode {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "Kemendagri code of a kelurahan or desa, `PP.KK.CC.DDDD` (see `GET /api/v1/regions/kelurahan`; \
                 a well-formed code outside the deployment's area is refused: 422 in a record, 400 as a filter); \
                 the kecamatan is derived from it.",
            ))
            .pattern(Some(KELURAHAN_PATTERN))
            .examples(["32.71.01.1006"])
            .into()
    }
}

impl ToSchema for KelurahanCode {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("KelurahanCode")
    }
}

/// A region code of one level in a query string; any well-formed code reads, and whether the
/// deployment knows it is checked with the reference data (400 otherwise).
macro_rules! level_code {
    ($(#[$doc:meta])* $name:ident, $level:expr, $pattern:expr, $example:literal, $what:literal, $shape:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// `Some` when `text` has the level's shape.
            pub fn parse(text: &str) -> Option<Self> {
                RegionCode::parse(text)
                    .filter(|c| c.level() == $level)
                    .map(|_| $name(text.to_owned()))
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                $name::parse(&text).ok_or_else(|| {
                    serde::de::Error::custom(concat!("must be a ", $what, " code of the form ", $shape, " (e.g. ", $example, ")"))
                })
            }
        }

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some(concat!(
                        "Kemendagri code of a ", $what, ", `", $shape, "` (see `GET /api/v1/regions`)."
                    )))
                    .pattern(Some($pattern))
                    .examples([$example])
                    .into()
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    };
}

level_code!(
    /// A kecamatan's code, `PP.KK.CC`, e.g. `32.71.01`.
    KecamatanCode, Level::Kecamatan, KECAMATAN_PATTERN, "32.71.01", "kecamatan", "PP.KK.CC"
);
level_code!(
    /// A kabupaten/kota's code, `PP.KK`, e.g. `32.71`.
    KabupatenKotaCode, Level::KabupatenKota, KABUPATEN_KOTA_PATTERN, "32.71", "kabupaten/kota", "PP.KK"
);

/// The region filters a list takes.
#[derive(Debug, Clone, Copy, Default)]
pub struct RegionFilter<'a> {
    pub kabupaten_kota: Option<&'a KabupatenKotaCode>,
    pub kecamatan: Option<&'a KecamatanCode>,
    pub kelurahan: Option<&'a str>,
}

/// 400 when a filter names a region the deployment does not know (a typo is reported rather than
/// answered with an empty list). A retired region still filters: old records name it.
pub fn check_filter(regions: &RegionIndex, filter: RegionFilter<'_>) -> Result<(), Error> {
    let area = regions.area_name();
    if filter
        .kabupaten_kota
        .is_some_and(|c| !regions.knows(c.as_str(), Level::KabupatenKota))
    {
        return Err(Error::query(
            "kabupaten_kota_code",
            "unknown_kabupaten_kota",
            msg!("is not a kabupaten/kota of %{area}", area = area),
        ));
    }
    if filter
        .kecamatan
        .is_some_and(|c| !regions.knows(c.as_str(), Level::Kecamatan))
    {
        return Err(Error::query(
            "kecamatan_code",
            "unknown_kecamatan",
            msg!("is not a kecamatan of %{area}", area = area),
        ));
    }
    if filter
        .kelurahan
        .is_some_and(|c| !regions.knows(c, Level::DesaKelurahan))
    {
        return Err(Error::query(
            "kelurahan_code",
            "unknown_kelurahan",
            msg!("is not a kelurahan or desa of %{area}", area = area),
        ));
    }
    Ok(())
}

/// What a record's refused village code is told: not one the deployment takes new records in.
pub fn kelurahan_refused(regions: &RegionIndex) -> Message {
    msg!(
        "is not a kelurahan or desa of %{area} in force (see GET /api/v1/regions/kelurahan)",
        area = regions.area_name()
    )
}

#[cfg(test)]
mod tests {
    use super::{KabupatenKotaCode, KecamatanCode};

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
        assert!(KabupatenKotaCode::parse("32.71").is_some());
        assert!(KabupatenKotaCode::parse("32").is_none());
        assert!(KabupatenKotaCode::parse("32.71.01").is_none());
    }
}
