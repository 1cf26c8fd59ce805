//! Request and response bodies of cases.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use klinik_domain::clinic::case::{CaseAction, CaseStatus};
use klinik_domain::clinic::health::Predicate;
use klinik_domain::clinic::outcome::{DissolutionReason, Evidence, Outcome};
use klinik_domain::clinic::{ExpertRole, MemberDuty, ReferralSource, SubjectKind};
use klinik_domain::{Violation, Violations};
use klinik_persistence::clinic::cases::{CaseMemberRow, CaseRow, SubjectRow, TransitionRow};
use klinik_persistence::clinic::evaluations::OutcomeRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::fields::{present, utc};
use crate::prelude::*;

/// The most experts a team or a mentor list may hold.
pub const MAX_MEMBERS: usize = 20;

/// A member of the diagnosis team as submitted.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"expert_id": 1, "lead": true}))]
pub struct TeamMemberInput {
    #[schema(minimum = 1)]
    pub expert_id: i64,
    /// Exactly one member of a team leads it (and finalizes its diagnoses).
    #[serde(default)]
    pub lead: bool,
}

/// Registers a cooperative or a UKM in a programme.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"programme_id": 1, "subject_kind": "cooperative", "subject_id": 12,
    "referral_source": "office_initiative", "team": [{"expert_id": 1, "lead": true}, {"expert_id": 2}],
    "mentor_ids": [3]}))]
pub struct CreateCase {
    #[schema(minimum = 1)]
    pub programme_id: i64,
    pub subject_kind: SubjectKind,
    /// The cooperative's or the UKM's id.
    #[schema(minimum = 1)]
    pub subject_id: i64,
    pub referral_source: ReferralSource,
    /// Defaults to today; never in the future.
    pub registered_on: Option<NaiveDate>,
    /// The diagnosis team; one member leads. Each expert at most once.
    #[schema(max_items = 20)]
    pub team: Option<Vec<TeamMemberInput>>,
    /// Mentors (experts); each at most once.
    #[schema(max_items = 20)]
    pub mentor_ids: Option<Vec<i64>>,
}

/// Changes a case's referral source, team or mentors (while the case is open). Absent fields
/// stay; `team` and `mentor_ids` replace their lists.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"team": [{"expert_id": 1, "lead": true}, {"expert_id": 4}]}))]
pub struct PatchCase {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = ReferralSource)]
    pub referral_source: Option<ReferralSource>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<TeamMemberInput>, max_items = 20)]
    pub team: Option<Vec<TeamMemberInput>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<i64>, max_items = 20)]
    pub mentor_ids: Option<Vec<i64>>,
}

/// Checks a team and a mentor list: no expert twice, exactly one lead in a non-empty team.
pub fn check_members(
    team: Option<&[TeamMemberInput]>,
    mentors: Option<&[i64]>,
) -> Result<(), Error> {
    let mut v = Violations::default();
    if let Some(team) = team {
        let mut seen = HashSet::new();
        if team.iter().any(|m| !seen.insert(m.expert_id)) {
            v.push(Violation::new(
                "team",
                "duplicate_item",
                msg!("each expert at most once"),
            ));
        }
        let leads = team.iter().filter(|m| m.lead).count();
        if !team.is_empty() && leads != 1 {
            v.push(Violation::new(
                "team",
                "one_lead_required",
                msg!("exactly one team member leads the team"),
            ));
        }
        if team.len() > MAX_MEMBERS {
            v.push(Violation::new(
                "team",
                "too_many",
                msg!("at most 20 members"),
            ));
        }
    }
    if let Some(mentors) = mentors {
        let mut seen = HashSet::new();
        if mentors.iter().any(|id| !seen.insert(*id)) {
            v.push(Violation::new(
                "mentor_ids",
                "duplicate_item",
                msg!("each expert at most once"),
            ));
        }
        if mentors.len() > MAX_MEMBERS {
            v.push(Violation::new(
                "mentor_ids",
                "too_many",
                msg!("at most 20 mentors"),
            ));
        }
    }
    Ok(v.into_result()?)
}

/// An expert on a case.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseMember {
    pub expert_id: i64,
    pub full_name: String,
    pub role: ExpertRole,
    /// True for the team's lead.
    pub lead: bool,
}

/// A health assessment as a case shows it: from which final diagnosis, with which instrument.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssessmentSummary {
    pub diagnosis_id: i64,
    pub instrument_id: i64,
    /// Total 0–100, two decimals at most.
    #[schema(pattern = r"^-?[0-9]{1,7}(\.[0-9]{1,4})?$", example = "65.98")]
    pub total: String,
    pub predicate: Predicate,
    pub diagnosed_on: NaiveDate,
}

/// A closed case's outcome: computed by the named rule from the evidence shown, unless an admin
/// overrode it (then `computed_outcome` keeps what the rule said, with the reason).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"outcome": "bagus", "computed_outcome": "bagus", "rule_name": "bagus_default",
    "rule_version": 1, "evidence": {"basis": "savings_and_loan", "final_predicate": "cukup_sehat"},
    "evaluation_id": 2, "decided_on": "2018-07-02", "override_reason": null, "overridden_by": null,
    "overridden_at": null}))]
pub struct CaseOutcome {
    pub outcome: Outcome,
    pub computed_outcome: Outcome,
    pub rule_name: String,
    pub rule_version: i32,
    pub evidence: Evidence,
    /// The evaluation whose conclusion decides when the rule for `bagus` does not hold.
    pub evaluation_id: i64,
    pub decided_on: NaiveDate,
    pub override_reason: Option<String>,
    pub overridden_by: Option<String>,
    pub overridden_at: Option<DateTime<Utc>>,
}

impl CaseOutcome {
    pub fn from_row(row: OutcomeRow) -> Result<Self, Error> {
        Ok(CaseOutcome {
            outcome: row.outcome,
            computed_outcome: row.computed_outcome,
            rule_name: row.rule_name,
            rule_version: row.rule_version,
            evidence: serde_json::from_str(&row.evidence).map_err(|e| Error::internal(&e))?,
            evaluation_id: row.evaluation_id.get(),
            decided_on: row.decided_on,
            override_reason: row.override_reason,
            overridden_by: row.overridden_by,
            overridden_at: row.overridden_at.map(utc),
        })
    }
}

/// A case: one cooperative or UKM in one programme.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "programme_id": 1, "subject_kind": "cooperative", "subject_id": 12,
    "subject_name": "Koperasi Serba Usaha Mekar Sari", "kelurahan_code": "32.71.01.1006",
    "kecamatan_code": "32.71.01", "referral_source": "office_initiative", "status": "diagnosing",
    "registered_on": "2017-06-14", "team": [{"expert_id": 1, "full_name": "Dr. Rina Wulandari",
    "role": "akademisi", "lead": true}], "mentors": [], "baseline_assessment": null,
    "latest_assessment": null, "outcome": null, "allowed_actions": ["finish_diagnosis", "propose_dissolution", "withdraw"],
    "version": 3, "created_at": "2026-11-29T10:00:00Z", "updated_at": "2026-11-29T10:00:00Z"}))]
pub struct Case {
    pub id: i64,
    pub programme_id: i64,
    pub subject_kind: SubjectKind,
    pub subject_id: i64,
    pub subject_name: String,
    /// The subject's kelurahan now.
    pub kelurahan_code: String,
    pub kecamatan_code: String,
    pub referral_source: ReferralSource,
    pub status: CaseStatus,
    pub registered_on: NaiveDate,
    pub team: Vec<CaseMember>,
    pub mentors: Vec<CaseMember>,
    /// The first final diagnosis's health assessment.
    pub baseline_assessment: Option<AssessmentSummary>,
    /// The latest final diagnosis's health assessment.
    pub latest_assessment: Option<AssessmentSummary>,
    /// Set once the case is closed.
    pub outcome: Option<CaseOutcome>,
    /// Actions the status allows (their guards may still refuse).
    pub allowed_actions: Vec<CaseAction>,
    /// Increases with every change; sent as the `ETag`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The parts a case is shown with, gathered by [`super::details`].
pub struct CaseParts {
    pub row: CaseRow,
    pub subject: Option<SubjectRow>,
    pub kecamatan_code: String,
    pub members: Vec<(CaseMemberRow, String, ExpertRole)>,
    pub baseline: Option<AssessmentSummary>,
    pub latest: Option<AssessmentSummary>,
    pub outcome: Option<OutcomeRow>,
}

impl Tagged for Case {
    fn version(&self) -> i64 {
        self.version
    }
}

impl Case {
    pub fn from_parts(parts: CaseParts) -> Result<Self, Error> {
        let row = parts.row;
        let status = row.status;
        let member = |(m, name, role): &(CaseMemberRow, String, ExpertRole)| CaseMember {
            expert_id: m.expert_id.get(),
            full_name: name.clone(),
            role: *role,
            lead: m.is_lead,
        };
        Ok(Case {
            id: row.id.get(),
            programme_id: row.programme_id.get(),
            subject_kind: row.subject_kind,
            subject_id: row
                .cooperative_id
                .map(|id| id.get())
                .or(row.ukm_id.map(|id| id.get()))
                .unwrap_or_default(),
            subject_name: parts
                .subject
                .as_ref()
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            kelurahan_code: parts
                .subject
                .as_ref()
                .map(|s| s.kelurahan_code.clone())
                .unwrap_or_default(),
            kecamatan_code: parts.kecamatan_code,
            referral_source: row.referral_source,
            status,
            registered_on: row.registered_on,
            team: parts
                .members
                .iter()
                .filter(|(m, _, _)| m.duty == MemberDuty::Team)
                .map(member)
                .collect(),
            mentors: parts
                .members
                .iter()
                .filter(|(m, _, _)| m.duty == MemberDuty::Mentor)
                .map(member)
                .collect(),
            baseline_assessment: parts.baseline,
            latest_assessment: parts.latest,
            outcome: parts.outcome.map(CaseOutcome::from_row).transpose()?,
            allowed_actions: klinik_domain::clinic::case::actions_from(status),
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        })
    }
}

/// Moves a case: the action and, where the action needs one, a note saying why.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"action": "start_diagnosis", "note": "Tim diagnosa lengkap; jadwal klinik 14 Juni."}))]
pub struct TransitionRequest {
    pub action: CaseAction,
    /// Required for `reject`, `withdraw` and `rediagnose`. Up to 2000 characters; never logged.
    #[schema(
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub note: Option<String>,
    /// Required for `propose_dissolution`, refused for other actions: the proposal it creates.
    pub dissolution: Option<DissolutionRequest>,
    /// The day it took effect, when recorded later (paper records of past years); defaults to
    /// today, never in the future nor before the case's registration. A closing's outcome is
    /// dated by it.
    pub effective_on: Option<NaiveDate>,
}

/// Why a cooperative is proposed for dissolution.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reasons": ["no_rat_two_years", "no_business"]}))]
pub struct DissolutionRequest {
    /// At least one; each at most once.
    #[schema(min_items = 1, max_items = 6)]
    pub reasons: Vec<DissolutionReason>,
}

/// One transition in a case's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 4, "action": "start_diagnosis", "from_status": "screened",
    "to_status": "diagnosing", "note": null, "actor_type": "user", "actor_id": 2, "actor_name": "olga",
    "effective_on": "2026-11-29",
    "created_at": "2026-11-29T10:00:00Z"}))]
pub struct Transition {
    pub id: i64,
    pub action: CaseAction,
    pub from_status: CaseStatus,
    pub to_status: CaseStatus,
    pub note: Option<String>,
    /// `user` or `client`.
    pub actor_type: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    /// The day it took effect (the day it was recorded, unless given).
    pub effective_on: NaiveDate,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
}

impl Transition {
    pub fn from_row(row: TransitionRow) -> Self {
        Transition {
            id: row.id,
            action: row.action,
            from_status: row.from_status,
            to_status: row.to_status,
            note: row.note,
            actor_type: row.actor_type,
            actor_id: row.actor_id,
            actor_name: row.actor_name,
            effective_on: row.effective_on.unwrap_or(row.created_at.date()),
            created_at: utc(row.created_at),
        }
    }
}
