//! Response bodies of the programme indicators.

use klinik_domain::clinic::indicators::{ClinicFigures, Ratio};
use serde::Serialize;
use utoipa::ToSchema;

/// The targets that apply to a period: a programme's count in its own year; the cumulative
/// figures sum them. `null` where no programme sets one (and for a kecamatan: targets are the
/// city's).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Targets {
    pub cooperatives_helped: Option<i64>,
    pub cooperatives_good: Option<i64>,
    pub ukm_helped: Option<i64>,
    pub ukm_good: Option<i64>,
}

/// The registries' ratios at the end of the year (cumulative: now).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct RegistryFigures {
    /// Cooperatives active by the configured activity rule at the year's end (now: their
    /// status), of those registered whose legal entity date (if known) is not after the year.
    pub cooperatives_active: Ratio,
    /// UKM that reported a turnover above zero for the year (now: status `aktif`), of those
    /// registered whose start year (if known) is not after the year.
    pub ukm_active: Ratio,
    /// Cooperatives that held their RAT for the book year before (now: before this year), of the
    /// same cooperatives as `cooperatives_active`.
    pub rat_compliance: Ratio,
}

/// The figures of one year, or (with `year` null) of the whole range.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodIndicators {
    /// The calendar year; `null` for the cumulative figures.
    pub year: Option<i32>,
    pub targets: Targets,
    pub clinic: ClinicFigures,
    pub registry: RegistryFigures,
}

/// The figures of one place, before it is named for its level.
pub struct PlaceIndicators {
    pub code: String,
    pub name: String,
    pub years: Vec<PeriodIndicators>,
    pub cumulative: PeriodIndicators,
}

/// The same figures for one kecamatan (by the subject's address now).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KecamatanIndicators {
    pub kecamatan_code: String,
    pub kecamatan_name: String,
    pub years: Vec<PeriodIndicators>,
    pub cumulative: PeriodIndicators,
}

impl From<PlaceIndicators> for KecamatanIndicators {
    fn from(p: PlaceIndicators) -> Self {
        KecamatanIndicators {
            kecamatan_code: p.code,
            kecamatan_name: p.name,
            years: p.years,
            cumulative: p.cumulative,
        }
    }
}

/// The same figures for one kabupaten/kota (by the subject's address now).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KabupatenKotaIndicators {
    pub kabupaten_kota_code: String,
    pub kabupaten_kota_name: String,
    pub years: Vec<PeriodIndicators>,
    pub cumulative: PeriodIndicators,
}

impl From<PlaceIndicators> for KabupatenKotaIndicators {
    fn from(p: PlaceIndicators) -> Self {
        KabupatenKotaIndicators {
            kabupaten_kota_code: p.code,
            kabupaten_kota_name: p.name,
            years: p.years,
            cumulative: p.cumulative,
        }
    }
}

/// A bank named in `capital_by_bank`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BankName {
    pub partner_id: i64,
    pub name: String,
}

/// What the office reports: per year and cumulative over the range, with the breakdown per
/// kecamatan or kabupaten/kota when asked (`group_by`), whose figures sum to the area's.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"programme_id": 1, "from_year": 2017, "to_year": 2021, "banks": [{"partner_id": 3, "name": "Bank BJB"}],
    "years": [], "cumulative": {"year": null, "targets": {"cooperatives_helped": 30, "cooperatives_good": 10, "ukm_helped": null, "ukm_good": null},
    "clinic": {"cooperatives_helped": 30, "ukm_helped": 0, "cooperatives_good": 10, "ukm_good": 0,
    "outcomes": [{"outcome": "bagus", "count": 10}], "funnel": [{"status": "closed", "count": 30}], "predicate_movement": [],
    "problem_categories": [{"category": "tata_kelola_rat", "count": 22}], "recommendations_done": [{"kind": "bimbingan", "count": 30}],
    "capital_by_scheme": [{"financing_scheme": "kur_mikro", "recommendations": 12, "requested": 600000000, "approved": 480000000, "disbursed": 450000000}],
    "capital_by_bank": [{"bank_partner_id": 3, "recommendations": 12, "requested": 600000000, "approved": 480000000, "disbursed": 450000000}],
    "ukm_moved_up": 0, "median_days_to_final_diagnosis": 21},
    "registry": {"cooperatives_active": {"count": 307, "of": 800}, "ukm_active": {"count": 8500, "of": 23706}, "rat_compliance": {"count": 307, "of": 800}}},
    "by_kecamatan": null, "by_kabupaten_kota": null}))]
pub struct Indicators {
    /// The programme, for a programme's indicators; `null` for all programmes.
    pub programme_id: Option<i64>,
    pub from_year: i32,
    pub to_year: i32,
    /// Names of the banks in `capital_by_bank`.
    pub banks: Vec<BankName>,
    pub years: Vec<PeriodIndicators>,
    pub cumulative: PeriodIndicators,
    /// Present with `group_by=kecamatan`: the area's kecamatan in code order (Kota Bogor's six).
    pub by_kecamatan: Option<Vec<KecamatanIndicators>>,
    /// Present with `group_by=kabupaten_kota`: the area's kabupaten/kota in code order.
    pub by_kabupaten_kota: Option<Vec<KabupatenKotaIndicators>>,
}
