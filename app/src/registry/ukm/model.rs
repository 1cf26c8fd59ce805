//! Bodies of the UKM registry and their validation.

pub use super::rules::{check_business, check_owner, clear_owner, person_fields};
use chrono::{DateTime, NaiveDate, Utc};
use klinik_domain::nik;
use klinik_domain::size_class::{SizeBasis, SizeClass};
pub use klinik_domain::ukm::{KbliVersion, Sector, Sex, UkmStatus};
use klinik_persistence::persons::PersonRow;
use klinik_persistence::ukm::{UkmFields, UkmRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::fields::{nullable, present, utc};
use crate::personal_data::{DataKey, mask_phone};
use crate::prelude::*;
use crate::registry::region_codes::KelurahanCode;

/// The owner, a person. A NIK already known links the UKM to that person instead of copying them.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"full_name": "Siti Aminah", "nik": "3271014501900001", "sex": "perempuan", "birth_date": "1990-01-05", "phone": "+6281234567890"}))]
pub struct OwnerInput {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
    )]
    pub full_name: String,
    /// Nomor Induk Kependudukan: 16 digits (province, regency, district, birth date, sequence).
    #[schema(
        pattern = r"^(1[1-9]|21|3[1-6]|5[1-3]|6[1-5]|7[1-6]|8[12]|9[1-6])[0-9]{4}(0[1-9]|[12][0-9]|3[01]|4[1-9]|[56][0-9]|7[01])(0[1-9]|1[0-2])[0-9]{2}([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})$"
    )]
    pub nik: Option<String>,
    pub sex: Option<Sex>,
    pub birth_date: Option<NaiveDate>,
    #[schema(pattern = r"^\+?[0-9]{6,15}$")]
    pub phone: Option<String>,
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
    )]
    pub home_address: Option<String>,
}

/// Registers a UKM with its owner.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"business_name": "Asinan Bogor Bu Siti", "owner": {"full_name": "Siti Aminah", "nik": "3271014501900001"},
    "sector": "culinary", "business_capital": 25000000, "annual_sales": 180000000, "kelurahan_code": "32.71.01.1006"}))]
pub struct CreateUkm {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
    )]
    pub business_name: String,
    pub owner: OwnerInput,
    /// Nomor Induk Berusaha: 13 digits, unique.
    #[schema(pattern = "^[0-9]{13}$")]
    pub nib: Option<String>,
    /// KBLI code of the main activity: 5 digits.
    #[schema(pattern = "^[0-9]{5}$")]
    pub kbli_code: Option<String>,
    pub kbli_version: Option<KbliVersion>,
    pub sector: Sector,
    /// Modal usaha (business capital excluding land and buildings), whole rupiah.
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub business_capital: Option<i64>,
    /// Hasil penjualan tahunan (annual sales), whole rupiah.
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub annual_sales: Option<i64>,
    /// The date of the capital and sales figures (default today): figures before 2 February 2021 are
    /// classified under UU 20/2008, later ones under PP 7/2021.
    pub figures_date: Option<NaiveDate>,
    #[schema(minimum = 0, maximum = 10_000_000)]
    pub workers: Option<i64>,
    /// Year the business started; not in the future.
    #[schema(minimum = 1900, maximum = 9999)]
    pub start_year: Option<i32>,
    /// Holds a PIRT (home-industry food licence).
    pub has_pirt: Option<bool>,
    /// Holds a halal certificate.
    pub has_halal: Option<bool>,
    /// Holds a standard certificate (sertifikat standar).
    pub has_standard_certificate: Option<bool>,
    #[schema(pattern = "^[0-9]{15,16}$")]
    pub npwp: Option<String>,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
    )]
    pub street: Option<String>,
    #[schema(value_type = KelurahanCode)]
    pub kelurahan_code: String,
    /// The cooperative it is a member of.
    #[schema(minimum = 1)]
    pub cooperative_id: Option<i64>,
    /// Defaults to `aktif`.
    pub status: Option<UkmStatus>,
}

/// Changes some business fields of a UKM (the owner stays). `null` clears an optional field.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"annual_sales": 2500000000_i64, "status": "aktif", "nib": null}))]
pub struct PatchUkm {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$")]
    pub business_name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "^[0-9]{13}$")]
    pub nib: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "^[0-9]{5}$")]
    pub kbli_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<KbliVersion>)]
    pub kbli_version: Option<Option<KbliVersion>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Sector)]
    pub sector: Option<Sector>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub business_capital: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub annual_sales: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub figures_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10_000_000)]
    pub workers: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>, minimum = 1900, maximum = 9999)]
    pub start_year: Option<Option<i32>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub has_pirt: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub has_halal: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub has_standard_certificate: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "^[0-9]{15,16}$")]
    pub npwp: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200, pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$")]
    pub street: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = KelurahanCode)]
    pub kelurahan_code: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub cooperative_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = UkmStatus)]
    pub status: Option<UkmStatus>,
}

/// The owner as shown: NIK and phone masked unless revealed; birth date and home address only for
/// roles that handle personal data (admin, officer).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Owner {
    pub id: i64,
    pub full_name: String,
    /// Masked (`3271********0001`) unless `reveal=nik` was asked by an admin or officer.
    pub nik: Option<String>,
    pub sex: Option<Sex>,
    /// `null` for roles that may not see it.
    pub birth_date: Option<NaiveDate>,
    /// Masked (last three digits) unless `reveal=nik`.
    pub phone: Option<String>,
    /// `null` for roles that may not see it.
    pub home_address: Option<String>,
}

/// A UKM in the registry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Ukm {
    pub id: i64,
    pub business_name: String,
    pub owner: Owner,
    pub nib: Option<String>,
    pub kbli_code: Option<String>,
    pub kbli_version: Option<KbliVersion>,
    pub sector: Sector,
    pub business_capital: Option<i64>,
    pub annual_sales: Option<i64>,
    pub figures_date: Option<NaiveDate>,
    /// Computed from the figures; `null` without capital or sales.
    pub size_class: Option<SizeClass>,
    /// Which figure decided `size_class`.
    pub size_basis: Option<SizeBasis>,
    /// The regulation whose thresholds applied, e.g. `PP 7/2021`.
    pub size_regulation: Option<String>,
    pub workers: Option<i64>,
    pub start_year: Option<i32>,
    pub has_pirt: bool,
    pub has_halal: bool,
    pub has_standard_certificate: bool,
    pub npwp: Option<String>,
    pub street: Option<String>,
    #[schema(value_type = KelurahanCode)]
    pub kelurahan_code: String,
    pub kelurahan_name: String,
    pub kecamatan_code: String,
    pub kecamatan_name: String,
    pub cooperative_id: Option<i64>,
    pub status: UkmStatus,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
}

/// How much personal data a response may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disclosure {
    /// Roles without a need: masked NIK and phone, no birth date or address.
    Minimal,
    /// Admin and officer: birth date and address, NIK and phone still masked.
    Staff,
    /// Admin and officer with `reveal=nik` (audited): everything in clear.
    Revealed,
}

impl Tagged for Ukm {
    fn version(&self) -> i64 {
        self.version
    }
}

pub fn owner_view(
    person: &PersonRow,
    key: &DataKey,
    disclosure: Disclosure,
) -> Result<Owner, Error> {
    let clear = key.open_person(person)?;
    let revealed = disclosure == Disclosure::Revealed;
    let staff = disclosure != Disclosure::Minimal;
    Ok(Owner {
        id: person.id.get(),
        full_name: clear.full_name,
        nik: clear.nik.map(|n| if revealed { n } else { nik::mask(&n) }),
        sex: clear.sex,
        birth_date: clear.birth_date.filter(|_| staff),
        phone: clear
            .phone
            .map(|p| if revealed { p } else { mask_phone(&p) }),
        home_address: clear.home_address.filter(|_| staff),
    })
}

pub fn ukm_view(row: UkmRow, owner: Owner, regions: &crate::state::RegionIndex) -> Ukm {
    let kelurahan = regions.kelurahan(&row.kelurahan_code);
    let kecamatan = kelurahan.and_then(|k| regions.kecamatan(&k.kecamatan_code));
    Ukm {
        id: row.id.get(),
        business_name: row.business_name,
        owner,
        nib: row.nib,
        kbli_code: row.kbli_code,
        kbli_version: row.kbli_version,
        sector: row.sector,
        business_capital: row.business_capital,
        annual_sales: row.annual_sales,
        figures_date: row.figures_date,
        size_class: row.size_class,
        size_basis: row.size_basis,
        size_regulation: row.size_regulation,
        workers: row.workers,
        start_year: row.start_year,
        has_pirt: row.has_pirt,
        has_halal: row.has_halal,
        has_standard_certificate: row.has_standard_certificate,
        npwp: row.npwp,
        street: row.street,
        kelurahan_name: kelurahan.map(|k| k.name.clone()).unwrap_or_default(),
        kecamatan_code: kecamatan.map(|k| k.code.clone()).unwrap_or_default(),
        kecamatan_name: kecamatan.map(|k| k.name.clone()).unwrap_or_default(),
        kelurahan_code: row.kelurahan_code,
        cooperative_id: row.cooperative_id.map(|id| id.get()),
        status: row.status,
        version: row.version,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
        archived_at: row.archived_at.map(utc),
    }
}

impl CreateUkm {
    /// The business fields as they will be stored (size not yet computed) and the owner.
    pub fn split(self) -> (UkmFields, OwnerInput) {
        let fields = UkmFields {
            business_name: self.business_name,
            owner_id: PersonId(0),
            nib: self.nib,
            kbli_code: self.kbli_code,
            kbli_version: self.kbli_version,
            sector: self.sector,
            business_capital: self.business_capital,
            annual_sales: self.annual_sales,
            figures_date: self.figures_date,
            size_class: None,
            size_basis: None,
            size_regulation: None,
            workers: self.workers,
            start_year: self.start_year,
            has_pirt: self.has_pirt.unwrap_or(false),
            has_halal: self.has_halal.unwrap_or(false),
            has_standard_certificate: self.has_standard_certificate.unwrap_or(false),
            npwp: self.npwp,
            street: self.street,
            kelurahan_code: self.kelurahan_code,
            cooperative_id: self.cooperative_id.map(klinik_persistence::CooperativeId),
            status: self.status.unwrap_or(UkmStatus::Aktif),
        };
        (fields, self.owner)
    }
}
