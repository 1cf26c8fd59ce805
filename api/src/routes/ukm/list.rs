//! The UKM list: filters, sorting, pagination; owners disclosed as the caller's role allows.

use actix_web::{HttpResponse, get, web};
use klinik_domain::size_class::SizeClass;
use klinik_persistence::ukm::{self as store, ListFilter, SortKey};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{Disclosure, Sector, Ukm, UkmStatus, owner_view, text_of, ukm_view};
use super::handlers::handles_personal_data;
use crate::auth::Caller;
use crate::extract::{QueryParams, query_error};
use crate::problem::{ApiError, responses};
use crate::routes::regions::KecamatanCode;
use crate::routes::{Page, PageRequest};
use crate::state::AppState;

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
    /// Only UKM in this kecamatan.
    pub kecamatan_code: Option<KecamatanCode>,
    /// Only UKM in this kelurahan.
    #[param(value_type = Option<crate::region_codes::KelurahanCode>)]
    pub kelurahan_code: Option<String>,
    /// Only this sector.
    pub sector: Option<Sector>,
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

/// List UKM.
///
/// Filters, sorting and pagination as documented on each parameter. Owners' NIK and phone are
/// masked; searching by `nik` is for admin and officer only.
#[utoipa::path(
    operation_id = "list_ukm",
    tag = "ukm",
    params(UkmQuery),
    responses(
        (status = 200, description = "One page of UKM.", body = Page<Ukm>),
        (status = 400, response = responses::BadRequest),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/ukm")]
pub async fn list_ukm(
    state: web::Data<AppState>,
    caller: Caller,
    query: QueryParams<UkmQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let page = PageRequest::new(q.page, q.page_size)?;
    let default_sort = if q.q.is_some() {
        UkmSort::Match
    } else {
        UkmSort::BusinessName
    };
    let (sort, descending) = match q.sort.unwrap_or(default_sort) {
        UkmSort::Match => (SortKey::Match, false),
        UkmSort::BusinessName => (SortKey::BusinessName, false),
        UkmSort::BusinessNameDesc => (SortKey::BusinessName, true),
        UkmSort::CreatedAt => (SortKey::CreatedAt, false),
        UkmSort::CreatedAtDesc => (SortKey::CreatedAt, true),
        UkmSort::UpdatedAt => (SortKey::UpdatedAt, false),
        UkmSort::UpdatedAtDesc => (SortKey::UpdatedAt, true),
    };
    let filters = Filters {
        kecamatan_code: q.kecamatan_code,
        kelurahan_code: q.kelurahan_code,
        sector: q.sector,
        size_class: q.size_class,
        status: q.status,
        has_nib: q.has_nib,
        kbli_code: q.kbli_code,
        cooperative_id: q.cooperative_id,
        q: q.q,
        nik: q.nik,
        include_archived: q.include_archived,
    };
    let filter = ListFilter {
        sort,
        descending,
        limit: page.limit(),
        offset: page.offset(),
        ..list_filter(&state, &caller, filters)?
    };
    let disclosure = if handles_personal_data(&caller) {
        Disclosure::Staff
    } else {
        Disclosure::Minimal
    };
    let (rows, total) = state
        .query(move |conn| Ok(store::list(conn, &filter)?))
        .await?;
    let mut items = Vec::with_capacity(rows.len());
    for (row, person) in rows {
        let owner = owner_view(&person, &state.data_key, disclosure)?;
        items.push(ukm_view(row, owner, &state.regions));
    }
    Ok(HttpResponse::Ok().json(page.wrap_capped(items, total)))
}

/// The filters the UKM list and the UKM export share.
pub struct Filters {
    pub kecamatan_code: Option<KecamatanCode>,
    pub kelurahan_code: Option<String>,
    pub sector: Option<Sector>,
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
pub fn list_filter(state: &AppState, caller: &Caller, q: Filters) -> Result<ListFilter, ApiError> {
    if q.kelurahan_code
        .as_ref()
        .is_some_and(|c| state.regions.kelurahan(c).is_none())
    {
        return Err(query_error(
            "kelurahan_code",
            "unknown_kelurahan",
            "is not a kelurahan of Kota Bogor",
        ));
    }
    if q.kbli_code
        .as_ref()
        .is_some_and(|k| k.len() != 5 || !k.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(query_error(
            "kbli_code",
            "kbli_format",
            "must be exactly 5 digits",
        ));
    }
    if q.cooperative_id.is_some_and(|id| id < 1) {
        return Err(query_error(
            "cooperative_id",
            "out_of_range",
            "must be at least 1",
        ));
    }
    if q.q
        .as_ref()
        .is_some_and(|t| t.trim().is_empty() || t.chars().count() > 200)
    {
        return Err(query_error(
            "q",
            "invalid_length",
            "must be 1 to 200 characters, not all of them spaces",
        ));
    }
    if let Some(n) = &q.nik {
        if !handles_personal_data(caller) {
            return Err(ApiError::Forbidden {
                detail: "Only admins and officers may search by NIK.".into(),
            });
        }
        klinik_domain::nik::validate("nik", n)
            .map_err(|v| query_error("nik", v.code, &v.message))?;
    }
    Ok(ListFilter {
        kecamatan_code: q.kecamatan_code.map(|k| k.as_str().to_owned()),
        kelurahan_code: q.kelurahan_code,
        sector: q.sector.map(|s| text_of(&s)),
        size_class: q.size_class.map(|s| s.as_str().to_owned()),
        status: q.status.map(|s| text_of(&s)),
        has_nib: q.has_nib,
        kbli_code: q.kbli_code,
        cooperative_id: q.cooperative_id,
        q: q.q,
        nik_hash: q.nik.as_deref().map(|n| state.data_key.search_hash(n)),
        include_archived: q.include_archived.unwrap_or(false),
        sort: SortKey::BusinessName,
        descending: false,
        limit: 0,
        offset: 0,
    })
}
