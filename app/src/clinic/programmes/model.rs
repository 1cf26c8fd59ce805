//! Request and response bodies of programmes.

use chrono::{DateTime, Utc};
use klinik_domain::clinic::{DEFAULT_TARGET_GOOD, DEFAULT_TARGET_HELPED, HORIZON_YEARS};
use klinik_domain::text::single_line;
use klinik_domain::{Violation, Violations};
use klinik_persistence::clinic::programmes::{ProgrammeFields, ProgrammeRow};
use klinik_persistence::clinic::{instruments, partners};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::fields::{nullable, present, utc};
use crate::prelude::*;

const NAME_MAX_CHARS: usize = 200;
/// Years a programme may run in: the office's records start after 2000.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;
/// No target can exceed the city's registries many times over.
const MAX_TARGET: i32 = 100_000;

/// Opens a programme (a yearly cohort of the clinic).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Coaching Clinic 2017", "year": 2017, "horizon_years": 5,
    "funding_partner_ids": [2], "default_instrument_id": 1}))]
pub struct CreateProgramme {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
    )]
    pub name: String,
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    /// Cooperatives to help in the year (a final diagnosis); defaults to 30.
    #[schema(minimum = 0, maximum = 100000)]
    pub target_cooperatives_helped: Option<i32>,
    /// Of those, how many should end `bagus`; defaults to 10, at most the target helped.
    #[schema(minimum = 0, maximum = 100000)]
    pub target_cooperatives_good: Option<i32>,
    /// UKM to help, when the programme sets a UKM target.
    #[schema(minimum = 0, maximum = 100000)]
    pub target_ukm_helped: Option<i32>,
    /// UKM that should end `bagus`; at most `target_ukm_helped`, and only with it.
    #[schema(minimum = 0, maximum = 100000)]
    pub target_ukm_good: Option<i32>,
    /// Years over which outcomes are followed: 5 to 7 (default 5).
    #[schema(minimum = 5, maximum = 7)]
    pub horizon_years: Option<i32>,
    /// Partner institutions that fund the programme; each at most once.
    #[schema(max_items = 50)]
    pub funding_partner_ids: Option<Vec<i64>>,
    /// The instrument version diagnoses use unless they choose another.
    #[schema(minimum = 1)]
    pub default_instrument_id: Option<i64>,
}

/// Changes a programme. Absent fields stay; `null` clears an optional field;
/// `funding_partner_ids` replaces the list.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"target_cooperatives_good": 12}))]
pub struct PatchProgramme {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = i32, minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = i32, minimum = 0, maximum = 100000)]
    pub target_cooperatives_helped: Option<i32>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = i32, minimum = 0, maximum = 100000)]
    pub target_cooperatives_good: Option<i32>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 100000)]
    pub target_ukm_helped: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 100000)]
    pub target_ukm_good: Option<Option<i32>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = i32, minimum = 5, maximum = 7)]
    pub horizon_years: Option<i32>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<i64>, max_items = 50)]
    pub funding_partner_ids: Option<Vec<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub default_instrument_id: Option<Option<i64>>,
}

/// A funding partner as shown with its programme.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Funder {
    pub id: i64,
    pub name: String,
}

/// A programme.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "name": "Coaching Clinic 2017", "year": 2017,
    "target_cooperatives_helped": 30, "target_cooperatives_good": 10, "target_ukm_helped": null,
    "target_ukm_good": null, "horizon_years": 5, "funding_partners": [{"id": 2, "name": "Bank BJB"}],
    "default_instrument_id": 1, "version": 1, "created_at": "2026-11-29T10:00:00Z",
    "updated_at": "2026-11-29T10:00:00Z", "archived_at": null}))]
pub struct Programme {
    pub id: i64,
    pub name: String,
    pub year: i32,
    pub target_cooperatives_helped: i32,
    pub target_cooperatives_good: i32,
    pub target_ukm_helped: Option<i32>,
    pub target_ukm_good: Option<i32>,
    pub horizon_years: i32,
    pub funding_partners: Vec<Funder>,
    pub default_instrument_id: Option<i64>,
    /// Increases with every change; sent as the `ETag`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
}

impl Tagged for Programme {
    fn version(&self) -> i64 {
        self.version
    }
}

impl Programme {
    pub fn from_row(row: ProgrammeRow, funding_partners: Vec<Funder>) -> Self {
        Programme {
            id: row.id.get(),
            name: row.name,
            year: row.year,
            target_cooperatives_helped: row.target_cooperatives_helped,
            target_cooperatives_good: row.target_cooperatives_good,
            target_ukm_helped: row.target_ukm_helped,
            target_ukm_good: row.target_ukm_good,
            horizon_years: row.horizon_years,
            funding_partners,
            default_instrument_id: row.default_instrument_id.map(|id| id.get()),
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            archived_at: row.archived_at.map(utc),
        }
    }
}

fn target(violations: &mut Violations, field: &str, value: Option<i32>) {
    if value.is_some_and(|v| !(0..=MAX_TARGET).contains(&v)) {
        violations.push(Violation::new(
            field,
            "target_range",
            msg!("must lie within 0–100000"),
        ));
    }
}

/// Checks the programme as a whole: text, year, horizon, targets and their order.
fn check(fields: &ProgrammeFields, funders: Option<&[i64]>) -> Result<(), Error> {
    let mut v = Violations::default();
    v.check(single_line("name", &fields.name, NAME_MAX_CHARS));
    if !YEARS.contains(&fields.year) {
        v.push(Violation::new(
            "year",
            "year_range",
            msg!("must lie within 2000–2100"),
        ));
    }
    if !(i32::from(*HORIZON_YEARS.start())..=i32::from(*HORIZON_YEARS.end()))
        .contains(&fields.horizon_years)
    {
        v.push(Violation::new(
            "horizon_years",
            "horizon_range",
            msg!("must be 5, 6 or 7 years"),
        ));
    }
    target(
        &mut v,
        "target_cooperatives_helped",
        Some(fields.target_cooperatives_helped),
    );
    target(
        &mut v,
        "target_cooperatives_good",
        Some(fields.target_cooperatives_good),
    );
    target(&mut v, "target_ukm_helped", fields.target_ukm_helped);
    target(&mut v, "target_ukm_good", fields.target_ukm_good);
    if fields.target_cooperatives_good > fields.target_cooperatives_helped {
        v.push(Violation::new(
            "target_cooperatives_good",
            "target_good_above_helped",
            msg!("cannot exceed target_cooperatives_helped"),
        ));
    }
    match (fields.target_ukm_helped, fields.target_ukm_good) {
        (None, Some(_)) => v.push(Violation::new(
            "target_ukm_good",
            "target_ukm_helped_required",
            msg!("needs target_ukm_helped"),
        )),
        (Some(helped), Some(good)) if good > helped => v.push(Violation::new(
            "target_ukm_good",
            "target_good_above_helped",
            msg!("cannot exceed target_ukm_helped"),
        )),
        _ => {}
    }
    if let Some(ids) = funders {
        let mut seen = std::collections::BTreeSet::new();
        if ids.iter().any(|id| !seen.insert(*id)) {
            v.push(Violation::new(
                "funding_partner_ids",
                "duplicate_item",
                msg!("each partner at most once"),
            ));
        }
        if ids.len() > 50 {
            v.push(Violation::new(
                "funding_partner_ids",
                "too_many",
                msg!("at most 50 partners"),
            ));
        }
    }
    if fields.default_instrument_id.is_some_and(|id| id.get() < 1) {
        v.push(Violation::new(
            "default_instrument_id",
            "minimum",
            msg!("must be at least 1"),
        ));
    }
    Ok(v.into_result()?)
}

impl CreateProgramme {
    pub fn into_fields(self) -> Result<(ProgrammeFields, Vec<i64>), Error> {
        let funders = self.funding_partner_ids.unwrap_or_default();
        let fields = ProgrammeFields {
            name: self.name,
            year: self.year,
            target_cooperatives_helped: self
                .target_cooperatives_helped
                .unwrap_or(DEFAULT_TARGET_HELPED),
            target_cooperatives_good: self.target_cooperatives_good.unwrap_or(DEFAULT_TARGET_GOOD),
            target_ukm_helped: self.target_ukm_helped,
            target_ukm_good: self.target_ukm_good,
            horizon_years: self
                .horizon_years
                .unwrap_or(i32::from(*HORIZON_YEARS.start())),
            default_instrument_id: self.default_instrument_id.map(InstrumentId),
        };
        check(&fields, Some(&funders))?;
        Ok((fields, funders))
    }
}

impl PatchProgramme {
    pub fn merge(
        self,
        current: &ProgrammeRow,
    ) -> Result<(ProgrammeFields, Option<Vec<i64>>), Error> {
        let fields = ProgrammeFields {
            name: self.name.unwrap_or_else(|| current.name.clone()),
            year: self.year.unwrap_or(current.year),
            target_cooperatives_helped: self
                .target_cooperatives_helped
                .unwrap_or(current.target_cooperatives_helped),
            target_cooperatives_good: self
                .target_cooperatives_good
                .unwrap_or(current.target_cooperatives_good),
            target_ukm_helped: self.target_ukm_helped.unwrap_or(current.target_ukm_helped),
            target_ukm_good: self.target_ukm_good.unwrap_or(current.target_ukm_good),
            horizon_years: self.horizon_years.unwrap_or(current.horizon_years),
            default_instrument_id: self
                .default_instrument_id
                .map_or(current.default_instrument_id, |id| id.map(InstrumentId)),
        };
        check(&fields, self.funding_partner_ids.as_deref())?;
        Ok((fields, self.funding_partner_ids))
    }
}

/// Funding partners and the default instrument must exist (422 otherwise).
pub fn check_references(
    conn: &mut AnyConnection,
    fields: &ProgrammeFields,
    funders: Option<&[i64]>,
) -> Result<(), Error> {
    if let Some(ids) = funders {
        let ids: Vec<PartnerId> = ids.iter().copied().map(PartnerId).collect();
        let found = partners::existing_ids(conn, &ids)?;
        if let Some(i) = ids.iter().position(|id| !found.contains(id)) {
            return Err(Error::validation(
                &format!("funding_partner_ids[{i}]"),
                "unknown_partner",
                msg!("is not a partner institution (or it is archived)"),
            ));
        }
    }
    if let Some(id) = fields.default_instrument_id {
        match instruments::find(conn, id) {
            Ok(_) => {}
            Err(klinik_persistence::StoreError::NotFound) => {
                return Err(Error::validation(
                    "default_instrument_id",
                    "unknown_instrument",
                    msg!("is not an instrument version"),
                ));
            }
            Err(other) => return Err(other.into()),
        }
    }
    Ok(())
}
