//! Request and response bodies of mentoring activities.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use klinik_domain::clinic::decimal;
use klinik_domain::clinic::outcome::{ActivityKind, validate_hours};
use klinik_domain::text::multi_line;
use klinik_domain::{Violation, Violations};
use klinik_persistence::clinic::activities::{ActivityFields, ActivityRow};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::fields::{nullable, present, utc};
use crate::prelude::*;

pub const NOTES_MAX_CHARS: usize = 4000;
pub const MAX_EXPERTS: usize = 20;

/// Records a mentoring activity of a case.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"held_on": "2017-07-20", "kind": "visit", "hours": "2.5", "expert_ids": [3],
    "notes": "Memeriksa buku kas dan jadwal RAT.", "recommendation_id": 5}))]
pub struct CreateActivity {
    /// Not after today.
    pub held_on: NaiveDate,
    pub kind: ActivityKind,
    /// More than 0 and at most 24, two decimals at most.
    #[serde(with = "decimal::text")]
    #[schema(value_type = String, pattern = r"^-?[0-9]{1,7}(\.[0-9]{1,4})?$", example = "2.5")]
    pub hours: Decimal,
    /// The experts who took part; each at most once.
    #[schema(max_items = 20)]
    pub expert_ids: Option<Vec<i64>>,
    /// Up to 4000 characters; may describe people, so never logged nor audited.
    #[schema(
        max_length = 4000,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub notes: Option<String>,
    /// The case's recommendation it carries out.
    #[schema(minimum = 1)]
    pub recommendation_id: Option<i64>,
}

/// Changes an activity. Absent fields stay; `null` clears `notes` or `recommendation_id`;
/// `expert_ids` replaces the list.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"hours": "3", "notes": null}))]
pub struct PatchActivity {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = NaiveDate)]
    pub held_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = ActivityKind)]
    pub kind: Option<ActivityKind>,
    #[serde(default, deserialize_with = "present_hours")]
    #[schema(value_type = String, pattern = r"^-?[0-9]{1,7}(\.[0-9]{1,4})?$", example = "3")]
    pub hours: Option<Decimal>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<i64>, max_items = 20)]
    pub expert_ids: Option<Vec<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 4000, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub recommendation_id: Option<Option<i64>>,
}

/// A PATCH field that is a decimal string when present (never `null`).
fn present_hours<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    decimal::text::deserialize(d).map(Some)
}

/// An expert who took part.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActivityExpert {
    pub expert_id: i64,
    pub full_name: String,
}

/// A mentoring activity.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 4, "case_id": 1, "held_on": "2017-07-20", "kind": "visit",
    "hours": "2.5", "experts": [{"expert_id": 3, "full_name": "Hendra Gunawan"}],
    "notes": "Memeriksa buku kas dan jadwal RAT.", "recommendation_id": 5, "version": 1,
    "created_at": "2026-11-29T10:00:00Z", "updated_at": "2026-11-29T10:00:00Z"}))]
pub struct Activity {
    pub id: i64,
    pub case_id: i64,
    pub held_on: NaiveDate,
    pub kind: ActivityKind,
    #[schema(pattern = r"^-?[0-9]{1,7}(\.[0-9]{1,4})?$", example = "2.5")]
    pub hours: String,
    pub experts: Vec<ActivityExpert>,
    pub notes: Option<String>,
    pub recommendation_id: Option<i64>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Activity {
    pub fn from_row(row: ActivityRow, experts: Vec<ActivityExpert>) -> Self {
        Activity {
            id: row.id.get(),
            case_id: row.case_id.get(),
            held_on: row.held_on,
            kind: row.kind,
            hours: decimal::format(&row.hours),
            experts,
            notes: row.notes,
            recommendation_id: row.recommendation_id.map(|id| id.get()),
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}

impl Tagged for Activity {
    fn version(&self) -> i64 {
        self.version
    }
}

/// An activity as it will be stored, with its experts.
#[derive(Debug, Clone)]
pub struct Draft {
    pub fields: ActivityFields,
    pub hours: Decimal,
    pub expert_ids: Vec<ExpertId>,
}

impl CreateActivity {
    pub fn into_draft(self) -> Draft {
        Draft {
            fields: ActivityFields {
                held_on: self.held_on,
                kind: self.kind,
                hours: decimal::format(&self.hours),
                notes: self.notes,
                recommendation_id: self.recommendation_id.map(RecommendationId),
            },
            hours: self.hours,
            expert_ids: self
                .expert_ids
                .unwrap_or_default()
                .into_iter()
                .map(ExpertId)
                .collect(),
        }
    }
}

impl PatchActivity {
    pub fn merge(self, row: &ActivityRow, expert_ids: Vec<ExpertId>) -> Draft {
        let hours = self.hours.unwrap_or(row.hours);
        Draft {
            fields: ActivityFields {
                held_on: self.held_on.unwrap_or(row.held_on),
                kind: self.kind.unwrap_or(row.kind),
                hours: decimal::format(&hours),
                notes: self.notes.unwrap_or_else(|| row.notes.clone()),
                recommendation_id: self
                    .recommendation_id
                    .map_or(row.recommendation_id, |id| id.map(RecommendationId)),
            },
            hours,
            expert_ids: self
                .expert_ids
                .map_or(expert_ids, |ids| ids.into_iter().map(ExpertId).collect()),
        }
    }
}

/// The rules an activity's own fields keep.
pub fn check(draft: &Draft, today: NaiveDate) -> Result<(), Error> {
    let mut v = Violations::default();
    v.check(validate_hours("hours", draft.hours));
    if draft.fields.held_on > today {
        v.push(Violation::new(
            "held_on",
            "date_in_future",
            msg!("must not be after today"),
        ));
    }
    if let Some(notes) = &draft.fields.notes {
        v.check(multi_line("notes", notes, NOTES_MAX_CHARS));
    }
    if draft
        .fields
        .recommendation_id
        .is_some_and(|id| id.get() < 1)
    {
        v.push(Violation::new(
            "recommendation_id",
            "minimum",
            msg!("must be at least 1"),
        ));
    }
    let mut seen = HashSet::new();
    if draft.expert_ids.iter().any(|id| !seen.insert(*id)) {
        v.push(Violation::new(
            "expert_ids",
            "duplicate_item",
            msg!("each expert at most once"),
        ));
    }
    if draft.expert_ids.len() > MAX_EXPERTS {
        v.push(Violation::new(
            "expert_ids",
            "too_many",
            msg!("at most 20 experts"),
        ));
    }
    Ok(v.into_result()?)
}
