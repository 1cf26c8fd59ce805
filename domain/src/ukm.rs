//! A small business (UKM) and its closed classifications.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::cooperative::{UnknownValue, text_enum};

text_enum!(
    /// Sektor usaha: the business's field.
    Sector {
        Culinary => "culinary",
        Fashion => "fashion",
        Craft => "craft",
        Services => "services",
        Trade => "trade",
        CreativeEconomy => "creative_economy",
        Agriculture => "agriculture",
        Other => "other",
    }
);

text_enum!(
    /// Whether a UKM is running: `aktif`, `tidak_aktif`, `tidak_diketahui` (unknown).
    UkmStatus {
        Aktif => "aktif",
        TidakAktif => "tidak_aktif",
        TidakDiketahui => "tidak_diketahui",
    }
);

text_enum!(
    /// Jenis kelamin: `laki_laki` (male) or `perempuan` (female). Personal data.
    Sex { LakiLaki => "laki_laki", Perempuan => "perempuan" }
);

/// KBLI edition a code belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum KbliVersion {
    #[serde(rename = "2020")]
    Kbli2020,
    #[serde(rename = "2025")]
    Kbli2025,
}

impl KbliVersion {
    pub const ALL: &'static [KbliVersion] = &[KbliVersion::Kbli2020, KbliVersion::Kbli2025];

    pub fn as_str(self) -> &'static str {
        match self {
            KbliVersion::Kbli2020 => "2020",
            KbliVersion::Kbli2025 => "2025",
        }
    }
}

impl crate::TextEnum for KbliVersion {
    fn as_str(self) -> &'static str {
        KbliVersion::as_str(self)
    }
}

impl FromStr for KbliVersion {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == s)
            .ok_or(UnknownValue)
    }
}

impl fmt::Display for KbliVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_reads_back_and_matches_its_json() {
        for v in Sector::ALL {
            assert_eq!(v.as_str().parse::<Sector>(), Ok(*v));
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
        }
        for v in UkmStatus::ALL {
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
        }
        for v in Sex::ALL {
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
        }
        for v in KbliVersion::ALL {
            assert_eq!(v.as_str().parse::<KbliVersion>(), Ok(*v));
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
        }
        assert!("bogus".parse::<Sector>().is_err());
    }
}
