//! The UKM list's filters, order and search, shared with the UKM export.

use klinik_domain::size_class::SizeClass;
use klinik_persistence::ukm::{ListFilter, SortKey};
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{Sector, UkmStatus};
use crate::prelude::*;
use crate::registry::regions::{KabupatenKotaCode, KecamatanCode};

/// Sort orders of the UKM list; a leading `-` sorts descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub enum UkmSort {
    #[serde(rename = "business_name")]
    BusinessName,
    #[serde(rename = "-business_name")]
    BusinessNameDesc,
    #[serde(rename = "created_at")]
    CreatedAt,
    #[serde(rename = "-created_at")]
    CreatedAtDesc,
    #[serde(rename = "updated_at")]
    UpdatedAt,
    #[serde(rename = "-updated_at")]
    UpdatedAtDesc,
    /// A search's own order (see `sort`).
    #[serde(rename = "match")]
    Match,
}

/// Filters of the UKM list; they combine with AND. Unknown parameters are a 400.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UkmQuery {
    /// Only records changed at or after this time (RFC 3339, e.g. `2026-01-31T00:00:00Z`; by
    /// `updated_at`): a sync's catch-up. Archived records count only with `include_archived`
    /// where the list has it; the change feed (`/changes`) shows archivals too.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Only UKM in this kabupaten/kota.
    pub kabupaten_kota_code: Option<KabupatenKotaCode>,
    /// Only UKM in this kecamatan.
    pub kecamatan_code: Option<KecamatanCode>,
    /// Only UKM in this kelurahan.
    #[param(value_type = Option<crate::registry::region_codes::KelurahanCode>)]
    pub kelurahan_code: Option<String>,
    /// Only this sector.
    pub sector: Option<Sector>,
    /// Only UKM entered in the registry during this year (by `created_at`, UTC): the economy
    /// view's new registrations.
    #[param(minimum = 2000, maximum = 2100)]
    pub registered_year: Option<i32>,
    /// Only this size class (as computed).
    #[param(value_type = Option<klinik_domain::size_class::SizeClass>)]
    pub size_class: Option<SizeClass>,
    /// Only this status.
    pub status: Option<UkmStatus>,
    /// Only those with (or without) a NIB.
    pub has_nib: Option<bool>,
    /// Only this KBLI code (5 digits).
    #[param(pattern = "^[0-9]{5}$")]
    pub kbli_code: Option<String>,
    /// Only members of this cooperative.
    #[param(minimum = 1)]
    pub cooperative_id: Option<i64>,
    /// Words of the business name or the NIB, by how they begin: a UKM matches when one of its
    /// name's words begins with the term, which may run on over the following words ("siti" and
    /// "bu si" find "Warung Bu Siti"; "arung" does not), or when its NIB begins with it.
    /// Case-insensitive; runs of spaces count as one.
    #[param(min_length = 1, max_length = 200, example = "bu siti")]
    pub q: Option<String>,
    /// The owner's NIK, exact match; admin and officer only (403 for others).
    #[param(
        pattern = r"^(1[1-9]|21|3[1-6]|5[1-3]|6[1-5]|7[1-6]|8[12]|9[1-6])[0-9]{4}(0[1-9]|[12][0-9]|3[01]|4[1-9]|[56][0-9]|7[01])(0[1-9]|1[0-2])[0-9]{2}([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})$"
    )]
    pub nik: Option<String>,
    /// Include archived UKM.
    pub include_archived: Option<bool>,
    /// Order: `business_name`, `created_at`, `updated_at` (prefix `-` for descending), or
    /// `match`. Default: `match` with `q`, `business_name` without. `match` is the order of
    /// completions: by the name read from the word the term matched on (a UKM matching at two
    /// words counts at the first in this order), then by the whole name. For "bu si", "Kopi Bu
    /// Sinta" ("bu sinta") comes before "Warung Bu Siti" ("bu siti"). Without `q`, `match` is
    /// `business_name`.
    pub sort: Option<UkmSort>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

impl UkmQuery {
    /// The store's order: `sort`, or by completion for a search and by name otherwise.
    pub fn order(&self) -> (SortKey, bool) {
        let default_sort = if self.q.is_some() {
            UkmSort::Match
        } else {
            UkmSort::BusinessName
        };
        match self.sort.unwrap_or(default_sort) {
            UkmSort::Match => (SortKey::Match, false),
            UkmSort::BusinessName => (SortKey::BusinessName, false),
            UkmSort::BusinessNameDesc => (SortKey::BusinessName, true),
            UkmSort::CreatedAt => (SortKey::CreatedAt, false),
            UkmSort::CreatedAtDesc => (SortKey::CreatedAt, true),
            UkmSort::UpdatedAt => (SortKey::UpdatedAt, false),
            UkmSort::UpdatedAtDesc => (SortKey::UpdatedAt, true),
        }
    }

    /// The filters alone, without order and page.
    pub fn filters(self) -> Filters {
        Filters {
            kabupaten_kota_code: self.kabupaten_kota_code,
            kecamatan_code: self.kecamatan_code,
            kelurahan_code: self.kelurahan_code,
            sector: self.sector,
            registered_year: self.registered_year,
            size_class: self.size_class,
            status: self.status,
            has_nib: self.has_nib,
            kbli_code: self.kbli_code,
            cooperative_id: self.cooperative_id,
            q: self.q,
            nik: self.nik,
            include_archived: self.include_archived,
        }
    }
}

/// The filters the UKM list and the UKM export share.
pub struct Filters {
    pub kabupaten_kota_code: Option<KabupatenKotaCode>,
    pub kecamatan_code: Option<KecamatanCode>,
    pub kelurahan_code: Option<String>,
    pub sector: Option<Sector>,
    pub registered_year: Option<i32>,
    pub size_class: Option<SizeClass>,
    pub status: Option<UkmStatus>,
    pub has_nib: Option<bool>,
    pub kbli_code: Option<String>,
    pub cooperative_id: Option<i64>,
    pub q: Option<String>,
    pub nik: Option<String>,
    pub include_archived: Option<bool>,
}

/// Checks the filters (400 for a bad value, 403 for a NIK search by a role without the right) and
/// turns them into the store's filter, sorted by name, without paging.
pub fn list_filter(app: &App, caller: &Caller, q: Filters) -> Result<ListFilter, Error> {
    crate::registry::regions::check_filter(
        &app.regions,
        crate::registry::regions::RegionFilter {
            kabupaten_kota: q.kabupaten_kota_code.as_ref(),
            kecamatan: q.kecamatan_code.as_ref(),
            kelurahan: q.kelurahan_code.as_deref(),
        },
    )?;
    if q.kbli_code
        .as_ref()
        .is_some_and(|k| k.len() != 5 || !k.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(Error::query(
            "kbli_code",
            "kbli_format",
            msg!("must be exactly 5 digits"),
        ));
    }
    if q.registered_year
        .is_some_and(|y| !(2000..=2100).contains(&y))
    {
        return Err(Error::query(
            "registered_year",
            "year_range",
            msg!("must lie within 2000–2100"),
        ));
    }
    if q.cooperative_id.is_some_and(|id| id < 1) {
        return Err(Error::query(
            "cooperative_id",
            "out_of_range",
            msg!("must be at least 1"),
        ));
    }
    if q.q
        .as_ref()
        .is_some_and(|t| t.trim().is_empty() || t.chars().count() > 200)
    {
        return Err(Error::query(
            "q",
            "invalid_length",
            msg!("must be 1 to 200 characters, not all of them spaces"),
        ));
    }
    if let Some(n) = &q.nik {
        if !caller.is_staff() {
            return Err(Error::forbidden(msg!(
                "Only admins and officers may search by NIK."
            )));
        }
        klinik_domain::nik::validate("nik", n)
            .map_err(|v| Error::query("nik", v.code, v.message))?;
    }
    Ok(ListFilter {
        updated_since: None,
        kabupaten_kota_code: q.kabupaten_kota_code.map(|k| k.as_str().to_owned()),
        kecamatan_code: q.kecamatan_code.map(|k| k.as_str().to_owned()),
        kelurahan_code: q.kelurahan_code,
        sector: q.sector,
        registered_year: q.registered_year,
        size_class: q.size_class,
        status: q.status,
        has_nib: q.has_nib,
        kbli_code: q.kbli_code,
        cooperative_id: q.cooperative_id.map(klinik_persistence::CooperativeId),
        q: q.q,
        nik_hashes: q.nik.as_deref().map(|n| app.data_key.search_hashes(n)),
        include_archived: q.include_archived.unwrap_or(false),
        sort: SortKey::BusinessName,
        descending: false,
        limit: 0,
        offset: 0,
        known_total: None,
    })
}
