//! The cooperative list's filters and order, shared with the cooperative export.

use klinik_domain::activity_status::ActivityStatus;
use klinik_domain::cooperative::{CooperativeForm, CooperativeType};
use klinik_persistence::cooperatives::{ListFilter, SortKey};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::prelude::*;
use crate::registry::regions::{KabupatenKotaCode, KecamatanCode};
use crate::state::RegionIndex;

/// Sort orders of the cooperative list; a leading `-` sorts descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub enum CooperativeSort {
    #[serde(rename = "name")]
    Name,
    #[serde(rename = "-name")]
    NameDesc,
    #[serde(rename = "registration_number")]
    RegistrationNumber,
    #[serde(rename = "-registration_number")]
    RegistrationNumberDesc,
    #[serde(rename = "created_at")]
    CreatedAt,
    #[serde(rename = "-created_at")]
    CreatedAtDesc,
    #[serde(rename = "updated_at")]
    UpdatedAt,
    #[serde(rename = "-updated_at")]
    UpdatedAtDesc,
}

impl CooperativeSort {
    pub fn key(self) -> (SortKey, bool) {
        match self {
            CooperativeSort::Name => (SortKey::Name, false),
            CooperativeSort::NameDesc => (SortKey::Name, true),
            CooperativeSort::RegistrationNumber => (SortKey::RegistrationNumber, false),
            CooperativeSort::RegistrationNumberDesc => (SortKey::RegistrationNumber, true),
            CooperativeSort::CreatedAt => (SortKey::CreatedAt, false),
            CooperativeSort::CreatedAtDesc => (SortKey::CreatedAt, true),
            CooperativeSort::UpdatedAt => (SortKey::UpdatedAt, false),
            CooperativeSort::UpdatedAtDesc => (SortKey::UpdatedAt, true),
        }
    }
}

/// Filters of the cooperative list; they combine with AND. Unknown parameters are a 400.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CooperativeQuery {
    /// Only records changed at or after this time (RFC 3339, e.g. `2026-01-31T00:00:00Z`; by
    /// `updated_at`): a sync's catch-up. Archived records count only with `include_archived`
    /// where the list has it; the change feed (`/changes`) shows archivals too.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Only cooperatives in this kabupaten/kota.
    pub kabupaten_kota_code: Option<KabupatenKotaCode>,
    /// Only cooperatives in this kecamatan.
    pub kecamatan_code: Option<KecamatanCode>,
    /// Only cooperatives in this kelurahan.
    #[param(value_type = Option<crate::registry::region_codes::KelurahanCode>)]
    pub kelurahan_code: Option<String>,
    /// Only this type (jenis).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub cooperative_type: Option<CooperativeType>,
    /// Only this form (bentuk).
    pub form: Option<CooperativeForm>,
    /// Only this activity status (the one in force).
    pub status: Option<ActivityStatus>,
    /// Only those that run (or do not run) a savings-and-loan business.
    pub savings_and_loan: Option<bool>,
    /// Part of the name or registration number, case-insensitive; `%` and `_` match themselves.
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// Include archived cooperatives.
    pub include_archived: Option<bool>,
    /// Order: `name` (default), `registration_number`, `created_at`, `updated_at`; prefix `-` for descending.
    pub sort: Option<CooperativeSort>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

impl CooperativeQuery {
    /// The filters alone, without order and page.
    pub fn filters(&self) -> CooperativeFilters {
        CooperativeFilters {
            kabupaten_kota_code: self.kabupaten_kota_code.clone(),
            kecamatan_code: self.kecamatan_code.clone(),
            kelurahan_code: self.kelurahan_code.clone(),
            cooperative_type: self.cooperative_type,
            form: self.form,
            status: self.status,
            savings_and_loan: self.savings_and_loan,
            q: self.q.clone(),
            include_archived: self.include_archived,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IncludeArchivedQuery {
    /// Also find the record when it is archived.
    pub include_archived: Option<bool>,
}

/// The filters the cooperative list and the cooperative export share.
pub struct CooperativeFilters {
    pub kabupaten_kota_code: Option<KabupatenKotaCode>,
    pub kecamatan_code: Option<KecamatanCode>,
    pub kelurahan_code: Option<String>,
    pub cooperative_type: Option<CooperativeType>,
    pub form: Option<CooperativeForm>,
    pub status: Option<ActivityStatus>,
    pub savings_and_loan: Option<bool>,
    pub q: Option<String>,
    pub include_archived: Option<bool>,
}

impl CooperativeFilters {
    /// Checks the filters (400 for a bad value) and turns them into the store's filter, by name,
    /// without paging.
    pub fn into_store(self, regions: &RegionIndex) -> Result<ListFilter, Error> {
        let f = self;
        crate::registry::regions::check_filter(
            regions,
            crate::registry::regions::RegionFilter {
                kabupaten_kota: f.kabupaten_kota_code.as_ref(),
                kecamatan: f.kecamatan_code.as_ref(),
                kelurahan: f.kelurahan_code.as_deref(),
            },
        )?;
        if f.q
            .as_ref()
            .is_some_and(|q| q.is_empty() || q.chars().count() > 200)
        {
            return Err(Error::query(
                "q",
                "invalid_length",
                msg!("must be 1 to 200 characters"),
            ));
        }
        Ok(ListFilter {
            kabupaten_kota_code: f.kabupaten_kota_code.map(|k| k.as_str().to_owned()),
            kecamatan_code: f.kecamatan_code.map(|k| k.as_str().to_owned()),
            kelurahan_code: f.kelurahan_code,
            cooperative_type: f.cooperative_type,
            form: f.form,
            status: f.status,
            savings_and_loan: f.savings_and_loan,
            q: f.q,
            include_archived: f.include_archived.unwrap_or(false),
            ..ListFilter::default()
        })
    }
}
