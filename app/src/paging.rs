//! Pages of lists: the request (`page`, `page_size`) and the envelope every list answers with.

use klinik_domain::msg;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::Error;

/// Largest page size a list accepts.
pub const MAX_PAGE_SIZE: u32 = 100;
pub const DEFAULT_PAGE_SIZE: u32 = 20;
/// Highest page number accepted, so that offsets stay small.
pub const MAX_PAGE: u32 = 100_000;

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The records on this page.
    pub items: Vec<T>,
    /// This page's number, from 1.
    #[schema(example = 1, minimum = 1)]
    pub page: u32,
    /// Records per page.
    #[schema(example = 20, minimum = 1, maximum = 100)]
    pub page_size: u32,
    /// Records matching the filters, on all pages together. The registries' lists (cooperatives,
    /// UKM) count up to 1,000: beyond that the count stops, `total` is 1000 and `total_exact` is
    /// false, so that a broad filter over a million records stays fast.
    #[schema(example = 1, minimum = 0)]
    pub total: i64,
    /// `false` when there are more than 1,000 matches and `total` is only a lower bound ("1000+");
    /// narrow the filters for an exact count.
    pub total_exact: bool,
}

/// The paging parameters of a list that has no filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// The paging parameters of a list of one record's children (a case's diagnoses), which a sync
/// can catch up with.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SyncPageQuery {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
    /// Only records changed (or, for records that never change, written) at or after this time
    /// (RFC 3339): a sync's catch-up.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
}

impl SyncPageQuery {
    /// The catch-up time as stored.
    pub fn since(&self) -> Option<chrono::NaiveDateTime> {
        self.updated_since.map(|t| t.naive_utc())
    }
}

/// A validated page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub page_size: u32,
}

impl PageRequest {
    pub fn new(page: Option<u32>, page_size: Option<u32>) -> Result<Self, Error> {
        let page = page.unwrap_or(1);
        let page_size = page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(1..=MAX_PAGE).contains(&page) {
            return Err(Error::query(
                "page",
                "out_of_range",
                msg!("must be from 1 to 100000"),
            ));
        }
        if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
            return Err(Error::query(
                "page_size",
                "out_of_range",
                msg!("must be from 1 to 100"),
            ));
        }
        Ok(Self { page, page_size })
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.page_size)
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.page_size)
    }

    pub fn wrap<T>(&self, items: Vec<T>, total: i64) -> Page<T> {
        Page {
            items,
            page: self.page,
            page_size: self.page_size,
            total,
            total_exact: true,
        }
    }

    /// This page of a short list held whole in memory, and the list's exact total.
    pub fn slice<T>(&self, rows: Vec<T>) -> (Vec<T>, klinik_persistence::Total) {
        let total = klinik_persistence::Total {
            count: rows.len() as i64,
            exact: true,
        };
        let page = rows
            .into_iter()
            .skip(usize::try_from(self.offset()).unwrap_or(usize::MAX))
            .take(usize::try_from(self.limit()).unwrap_or(0))
            .collect();
        (page, total)
    }

    /// A page of a list whose count may have stopped at the cap.
    pub fn wrap_capped<T>(&self, items: Vec<T>, total: klinik_persistence::Total) -> Page<T> {
        Page {
            total_exact: total.exact,
            ..self.wrap(items, total.count)
        }
    }
}

/// Page size and offset for the clinic's stores.
pub fn paging(page: &PageRequest) -> klinik_persistence::clinic::Paging {
    klinik_persistence::clinic::Paging {
        limit: page.limit(),
        offset: page.offset(),
    }
}

/// Checks a list's `q`: 1 to 200 characters (400 otherwise).
pub fn check_q(q: &Option<String>) -> Result<(), Error> {
    if q.as_ref()
        .is_some_and(|q| q.is_empty() || q.chars().count() > 200)
    {
        return Err(Error::query(
            "q",
            "invalid_length",
            msg!("must be 1 to 200 characters"),
        ));
    }
    Ok(())
}

/// Checks id filters: each at least 1, as the contract says (400 otherwise).
pub fn check_ids(ids: &[(&str, Option<i64>)]) -> Result<(), Error> {
    match ids.iter().find(|(_, id)| id.is_some_and(|id| id < 1)) {
        Some((field, _)) => Err(Error::query(field, "minimum", msg!("must be at least 1"))),
        None => Ok(()),
    }
}
