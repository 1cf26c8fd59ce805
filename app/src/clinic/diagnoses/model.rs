//! Request and response bodies of diagnoses.

use chrono::{DateTime, NaiveDate, Utc};
use klinik_domain::clinic::health::Scored;
use klinik_domain::clinic::{ProblemCategory, Severity};
use klinik_domain::text::multi_line;
use klinik_domain::{Violation, Violations};
use klinik_persistence::clinic::diagnoses::{DiagnosisRow, FindingRow, MemberScoreRow, NewFinding};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clinic::instruments::ComponentScoreInput;
use crate::fields::{nullable, present, utc};
use crate::prelude::*;

pub const DESCRIPTION_MAX_CHARS: usize = 2000;
pub const SUMMARY_MAX_CHARS: usize = 4000;
pub const MAX_FINDINGS: usize = 50;

/// A finding ("disease") as submitted and as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"category": "tata_kelola_rat", "severity": "berat",
    "description": "RAT tidak dilaksanakan tiga tahun berturut-turut."}))]
pub struct Finding {
    pub category: ProblemCategory,
    pub severity: Severity,
    #[schema(
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub description: String,
}

/// A recorded finding: as submitted, with the id recommendations refer to. A draft's findings
/// get new ids whenever the draft's list is replaced; a final diagnosis's never change.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 7, "category": "tata_kelola_rat", "severity": "berat",
    "description": "RAT tidak dilaksanakan tiga tahun berturut-turut."}))]
pub struct RecordedFinding {
    pub id: i64,
    pub category: ProblemCategory,
    pub severity: Severity,
    pub description: String,
}

/// A health assessment with one instrument version: an input for every component.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"instrument_id": 2, "scores": [{"component": "permodalan", "score": "70"}]}))]
pub struct AssessmentInput {
    #[schema(minimum = 1)]
    pub instrument_id: i64,
    #[schema(max_items = 200)]
    pub scores: Vec<ComponentScoreInput>,
}

/// Starts a draft diagnosis of a case in `diagnosing`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"diagnosed_on": "2017-06-14", "summary": "Tata kelola lemah, modal kurang.",
    "findings": [{"category": "tata_kelola_rat", "severity": "berat", "description": "RAT tidak dilaksanakan tiga tahun."}]}))]
pub struct CreateDiagnosis {
    /// Defaults to today; never in the future.
    pub diagnosed_on: Option<NaiveDate>,
    #[schema(
        max_length = 4000,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub summary: Option<String>,
    #[schema(max_items = 50)]
    pub findings: Option<Vec<Finding>>,
    pub health_assessment: Option<AssessmentInput>,
}

/// Changes a draft. Absent fields stay; `null` clears `summary` or `health_assessment`;
/// `findings` replaces the list.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"summary": "Tata kelola lemah; permodalan bergantung pada pinjaman luar."}))]
pub struct PatchDiagnosis {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = NaiveDate)]
    pub diagnosed_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 4000, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub summary: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<Finding>, max_items = 50)]
    pub findings: Option<Vec<Finding>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<AssessmentInput>)]
    pub health_assessment: Option<Option<AssessmentInput>>,
}

/// A team member's own scores on a draft.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"instrument_id": 2, "scores": [{"component": "permodalan", "score": "65"}]}))]
pub struct MemberScoreInput {
    #[schema(minimum = 1)]
    pub instrument_id: i64,
    #[schema(max_items = 200)]
    pub scores: Vec<ComponentScoreInput>,
}

/// Makes a draft final; the lead always agrees, `agreed_expert_ids` names the other team
/// members who agree.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"agreed_expert_ids": [1, 2]}))]
pub struct FinalizeRequest {
    #[schema(max_items = 20)]
    pub agreed_expert_ids: Vec<i64>,
}

/// The stored inputs of an assessment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StoredInput {
    pub component: String,
    #[serde(default, with = "klinik_domain::clinic::decimal::optional_text")]
    #[schema(value_type = Option<String>, pattern = r"^-?[0-9]{1,7}(\.[0-9]{1,4})?$")]
    pub score: Option<rust_decimal::Decimal>,
    #[serde(default, with = "klinik_domain::clinic::decimal::optional_text")]
    #[schema(value_type = Option<String>, pattern = r"^-?[0-9]{1,7}(\.[0-9]{1,4})?$")]
    pub ratio: Option<rust_decimal::Decimal>,
}

/// A health assessment as recorded: the instrument version, the inputs and the result.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Assessment {
    pub instrument_id: i64,
    pub inputs: Vec<StoredInput>,
    pub result: Scored,
}

/// One team member's scores.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberScore {
    pub expert_id: i64,
    pub instrument_id: i64,
    pub inputs: Vec<StoredInput>,
    pub result: Scored,
    pub recorded_at: DateTime<Utc>,
}

/// A diagnosis of a case.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "case_id": 1, "sequence": 1, "supersedes_id": null,
    "superseded_by_id": null, "status": "final", "diagnosed_on": "2017-06-14",
    "summary": "Tata kelola lemah.", "findings": [{"id": 7, "category": "tata_kelola_rat", "severity": "berat",
    "description": "RAT tidak dilaksanakan tiga tahun."}], "health_assessment": null, "member_scores": [],
    "agreed_expert_ids": [1, 2], "finalized_at": "2026-11-29T10:00:00Z", "finalized_by": "olga",
    "version": 3, "created_at": "2026-11-29T09:00:00Z", "updated_at": "2026-11-29T10:00:00Z"}))]
pub struct Diagnosis {
    pub id: i64,
    pub case_id: i64,
    /// 1 for the case's first diagnosis, then 2, 3… for amendments and re-diagnoses.
    pub sequence: i32,
    /// The final diagnosis this one amends.
    pub supersedes_id: Option<i64>,
    /// The diagnosis that amends this one, once there is one.
    pub superseded_by_id: Option<i64>,
    /// `draft` (the team edits it) or `final` (never changes).
    #[schema(example = "final", pattern = "^(draft|final)$")]
    pub status: String,
    pub diagnosed_on: NaiveDate,
    pub summary: Option<String>,
    pub findings: Vec<RecordedFinding>,
    pub health_assessment: Option<Assessment>,
    pub member_scores: Vec<MemberScore>,
    pub agreed_expert_ids: Vec<i64>,
    pub finalized_at: Option<DateTime<Utc>>,
    /// Username of who finalized it.
    pub finalized_by: Option<String>,
    /// Increases with every change; sent as the `ETag`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn stored<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, Error> {
    serde_json::from_str(text).map_err(|e| Error::internal(&e))
}

impl Tagged for Diagnosis {
    fn version(&self) -> i64 {
        self.version
    }
}

impl Diagnosis {
    pub fn from_rows(
        row: DiagnosisRow,
        findings: Vec<FindingRow>,
        scores: Vec<MemberScoreRow>,
        agreed_expert_ids: Vec<ExpertId>,
        superseded_by_id: Option<i64>,
    ) -> Result<Self, Error> {
        let health_assessment = match (
            row.instrument_id,
            &row.assessment_inputs,
            &row.assessment_result,
        ) {
            (Some(instrument_id), Some(inputs), Some(result)) => Some(Assessment {
                instrument_id: instrument_id.get(),
                inputs: stored(inputs)?,
                result: stored(result)?,
            }),
            _ => None,
        };
        let findings = findings
            .into_iter()
            .map(|f| RecordedFinding {
                id: f.id.get(),
                category: f.category,
                severity: f.severity,
                description: f.description,
            })
            .collect();
        let member_scores = scores
            .into_iter()
            .map(|s| {
                Ok(MemberScore {
                    expert_id: s.expert_id.get(),
                    instrument_id: s.instrument_id.get(),
                    inputs: stored(&s.inputs)?,
                    result: stored(&s.result)?,
                    recorded_at: utc(s.recorded_at),
                })
            })
            .collect::<Result<_, Error>>()?;
        Ok(Diagnosis {
            id: row.id.get(),
            case_id: row.case_id.get(),
            sequence: row.sequence,
            supersedes_id: row.supersedes_id.map(|id| id.get()),
            superseded_by_id,
            status: row.status.as_str().to_owned(),
            diagnosed_on: row.diagnosed_on,
            summary: row.summary,
            findings,
            health_assessment,
            member_scores,
            agreed_expert_ids: agreed_expert_ids.into_iter().map(|id| id.get()).collect(),
            finalized_at: row.finalized_at.map(utc),
            finalized_by: row.finalized_by,
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        })
    }
}

/// Checks the texts and the number of findings; returns them as rows.
pub fn check_findings(violations: &mut Violations, findings: &[Finding]) -> Vec<NewFinding> {
    if findings.len() > MAX_FINDINGS {
        violations.push(Violation::new(
            "findings",
            "too_many",
            msg!("at most 50 findings"),
        ));
    }
    for (i, f) in findings.iter().enumerate() {
        violations.check(multi_line(
            &format!("findings[{i}].description"),
            &f.description,
            DESCRIPTION_MAX_CHARS,
        ));
    }
    findings
        .iter()
        .map(|f| NewFinding {
            category: f.category,
            severity: f.severity,
            description: f.description.clone(),
        })
        .collect()
}

pub fn check_summary(violations: &mut Violations, summary: Option<&str>) {
    if let Some(summary) = summary {
        violations.check(multi_line("summary", summary, SUMMARY_MAX_CHARS));
    }
}
