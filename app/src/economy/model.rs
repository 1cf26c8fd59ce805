//! The economy's request and response shapes: a year as entered, corrected and read, and the
//! target.

use chrono::{DateTime, Utc};
use klinik_domain::clinic::decimal;
use klinik_domain::economy::{PublicationStatus, ShareScope};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::fields::{nullable, present};
use crate::prelude::*;

/// An official share as entered: a percentage with at most two decimals.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishedShare {
    /// Above 0 and at most 100, two decimals at most.
    #[serde(with = "decimal::text")]
    #[schema(value_type = String, pattern = r"^-?[0-9]{1,7}(\.[0-9]{1,4})?$", example = "25")]
    pub percent: Decimal,
    pub scope: ShareScope,
    /// Where it was published (title and date).
    #[schema(
        min_length = 1,
        max_length = 500,
        example = "RPJMD Kota Bogor 2015-2019",
        pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
    )]
    pub source: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"year": 2017, "pdrb_current_prices": 38_512_000_000_000_i64,
    "pdrb_constant_prices": 27_144_000_000_000_i64,
    "pdrb_source": "BPS Kota Bogor, PDRB Kota Bogor menurut Lapangan Usaha 2013-2017 (Juni 2018)",
    "pdrb_status": "final",
    "published_share": {"percent": "25", "scope": "kumkm", "source": "RPJMD Kota Bogor 2015-2019"}}))]
pub struct CreateEconomyYear {
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    /// Gross regional domestic product at current prices, in whole rupiah.
    #[schema(minimum = 1)]
    pub pdrb_current_prices: i64,
    /// At constant (2010) prices, in whole rupiah.
    #[schema(minimum = 1)]
    pub pdrb_constant_prices: i64,
    /// The publication (title and date).
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
    )]
    pub pdrb_source: String,
    pub pdrb_status: PublicationStatus,
    pub published_share: Option<PublishedShare>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"pdrb_status": "final"}))]
pub struct PatchEconomyYear {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = i64, minimum = 1)]
    pub pdrb_current_prices: Option<i64>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = i64, minimum = 1)]
    pub pdrb_constant_prices: Option<i64>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, min_length = 1, max_length = 500, pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$")]
    pub pdrb_source: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = PublicationStatus)]
    pub pdrb_status: Option<PublicationStatus>,
    /// `null` removes it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<PublishedShare>)]
    pub published_share: Option<Option<PublishedShare>>,
}

/// The target the published and measured shares are read against.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"percent": "35", "year": 2024, "version": 1, "updated_at": "2026-12-05T00:00:00Z"}))]
pub struct EconomicTarget {
    /// The share of PDRB the sector should reach.
    #[serde(with = "decimal::text")]
    #[schema(value_type = String, example = "35")]
    pub percent: Decimal,
    /// The year it should be reached by.
    pub year: i32,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"percent": "35", "year": 2024}))]
pub struct PutTarget {
    /// Above 0 and at most 100, two decimals at most.
    #[serde(with = "decimal::text")]
    #[schema(value_type = String, pattern = r"^-?[0-9]{1,7}(\.[0-9]{1,4})?$")]
    pub percent: Decimal,
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
}

/// One year of the city's economy.
#[derive(Debug, Serialize, ToSchema)]
pub struct EconomyYear {
    pub id: i64,
    pub year: i32,
    pub pdrb_current_prices: i64,
    pub pdrb_constant_prices: i64,
    pub pdrb_source: String,
    pub pdrb_status: PublicationStatus,
    /// The official share of the sector in this year's PDRB, where one is published.
    pub published_share: Option<PublishedShare>,
    /// The target, beside the figure it measures.
    pub target: EconomicTarget,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Tagged for EconomyYear {
    fn version(&self) -> i64 {
        self.version
    }
}

impl Tagged for EconomicTarget {
    fn version(&self) -> i64 {
        self.version
    }
}

/// The years on record.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EconomyYearQuery {
    /// From this year on.
    #[param(minimum = 2000, maximum = 2100)]
    pub from_year: Option<i32>,
    /// Up to this year.
    #[param(minimum = 2000, maximum = 2100)]
    pub to_year: Option<i32>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}
