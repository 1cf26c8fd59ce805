//! Request and response bodies of clinic sessions.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use klinik_domain::clinic::SessionKind;
use klinik_domain::text::{multi_line, single_line};
use klinik_domain::{Violation, Violations};
use klinik_persistence::clinic::sessions::{Attendance, SessionFields, SessionRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::fields::{nullable, present, utc};
use crate::prelude::*;

const MAX_PEOPLE: usize = 200;

/// A case at a session, and whether it came.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionCase {
    #[schema(minimum = 1)]
    pub case_id: i64,
    pub present: bool,
}

/// Records a clinic session.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"programme_id": 1, "starts_at": "2017-06-14T09:00:00+07:00",
    "venue": "Ruang Paseban Sri Bima, Balai Kota", "kind": "diagnosa", "speaker_ids": [1],
    "expert_ids_present": [1, 2], "cases": [{"case_id": 1, "present": true}]}))]
pub struct CreateSession {
    #[schema(minimum = 1)]
    pub programme_id: i64,
    pub starts_at: DateTime<Utc>,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
    )]
    pub venue: String,
    pub kind: SessionKind,
    #[schema(
        max_length = 4000,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub notes: Option<String>,
    /// Experts who spoke; each at most once.
    #[schema(max_items = 200)]
    pub speaker_ids: Option<Vec<i64>>,
    /// Experts who attended; each at most once.
    #[schema(max_items = 200)]
    pub expert_ids_present: Option<Vec<i64>>,
    /// Cases of the same programme invited, and whether each came; each at most once.
    #[schema(max_items = 200)]
    pub cases: Option<Vec<SessionCase>>,
}

/// Changes a session. Absent fields stay; `null` clears `notes`; lists replace their lists.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"cases": [{"case_id": 1, "present": false}]}))]
pub struct PatchSession {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = DateTime<Utc>)]
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$")]
    pub venue: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = SessionKind)]
    pub kind: Option<SessionKind>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 4000, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<i64>, max_items = 200)]
    pub speaker_ids: Option<Vec<i64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<i64>, max_items = 200)]
    pub expert_ids_present: Option<Vec<i64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<SessionCase>, max_items = 200)]
    pub cases: Option<Vec<SessionCase>>,
}

/// An expert at a session.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionExpert {
    pub expert_id: i64,
    pub full_name: String,
}

/// A clinic session.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Session {
    pub id: i64,
    pub programme_id: i64,
    pub starts_at: DateTime<Utc>,
    pub venue: String,
    pub kind: SessionKind,
    pub notes: Option<String>,
    pub speakers: Vec<SessionExpert>,
    pub experts_present: Vec<SessionExpert>,
    pub cases: Vec<SessionCase>,
    /// Increases with every change; sent as the `ETag`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Tagged for Session {
    fn version(&self) -> i64 {
        self.version
    }
}

impl Session {
    pub fn from_row(
        row: SessionRow,
        attendance: Attendance,
        name: impl Fn(ExpertId) -> String,
    ) -> Self {
        let people = |ids: &[ExpertId]| {
            ids.iter()
                .map(|id| SessionExpert {
                    expert_id: id.get(),
                    full_name: name(*id),
                })
                .collect()
        };
        Session {
            id: row.id.get(),
            programme_id: row.programme_id.get(),
            starts_at: utc(row.starts_at),
            venue: row.venue,
            kind: row.kind,
            notes: row.notes,
            speakers: people(&attendance.speakers),
            experts_present: people(&attendance.experts_present),
            cases: attendance
                .cases
                .iter()
                .map(|(case_id, present)| SessionCase {
                    case_id: case_id.get(),
                    present: *present,
                })
                .collect(),
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}

fn unique<T: Eq + std::hash::Hash + Copy>(v: &mut Violations, field: &str, ids: &[T]) {
    let mut seen = HashSet::new();
    if ids.iter().any(|id| !seen.insert(*id)) {
        v.push(Violation::new(
            field,
            "duplicate_item",
            msg!("each at most once"),
        ));
    }
    if ids.len() > MAX_PEOPLE {
        v.push(Violation::new(field, "too_many", msg!("at most 200")));
    }
}

/// Checks a session as a whole.
pub fn check(fields: &SessionFields, attendance: &Attendance) -> Result<(), Error> {
    let mut v = Violations::default();
    v.check(single_line("venue", &fields.venue, 200));
    if let Some(notes) = &fields.notes {
        v.check(multi_line("notes", notes, 4000));
    }
    unique(&mut v, "speaker_ids", &attendance.speakers);
    unique(&mut v, "expert_ids_present", &attendance.experts_present);
    let cases: Vec<CaseId> = attendance.cases.iter().map(|(c, _)| *c).collect();
    unique(&mut v, "cases", &cases);
    Ok(v.into_result()?)
}

impl CreateSession {
    pub fn split(self) -> (SessionFields, Attendance) {
        (
            SessionFields {
                programme_id: ProgrammeId(self.programme_id),
                starts_at: self.starts_at.naive_utc(),
                venue: self.venue,
                kind: self.kind,
                notes: self.notes,
            },
            Attendance {
                speakers: experts(self.speaker_ids.unwrap_or_default()),
                experts_present: experts(self.expert_ids_present.unwrap_or_default()),
                cases: self
                    .cases
                    .unwrap_or_default()
                    .into_iter()
                    .map(|c| (CaseId(c.case_id), c.present))
                    .collect(),
            },
        )
    }
}

impl PatchSession {
    pub fn merge(self, row: &SessionRow, current: Attendance) -> (SessionFields, Attendance) {
        (
            SessionFields {
                programme_id: row.programme_id,
                starts_at: self.starts_at.map_or(row.starts_at, |t| t.naive_utc()),
                venue: self.venue.unwrap_or_else(|| row.venue.clone()),
                kind: self.kind.unwrap_or(row.kind),
                notes: self.notes.unwrap_or_else(|| row.notes.clone()),
            },
            Attendance {
                speakers: self.speaker_ids.map_or(current.speakers, experts),
                experts_present: self
                    .expert_ids_present
                    .map_or(current.experts_present, experts),
                cases: self.cases.map_or(current.cases, |cases| {
                    cases
                        .into_iter()
                        .map(|c| (CaseId(c.case_id), c.present))
                        .collect()
                }),
            },
        )
    }
}

fn experts(ids: Vec<i64>) -> Vec<ExpertId> {
    ids.into_iter().map(ExpertId).collect()
}
