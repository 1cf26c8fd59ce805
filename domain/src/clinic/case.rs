//! The case status machine (docs/domain.md, "The case machine").
//!
//! A transition is an explicit action. An action that the current status does not allow is a
//! conflict with the case's state; an allowed action whose guard fails names the guard, so that the
//! caller knows what is missing. The facts the guards read are gathered by the caller from storage.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::SubjectKind;
use crate::Message;
use crate::cooperative::{MembershipArea, UnknownValue, text_enum};

text_enum!(
    /// Where a case stands. `closed`, `rejected`, `withdrawn` and `dissolution_proposed` are terminal.
    CaseStatus {
        Registered => "registered",
        Screened => "screened",
        Diagnosing => "diagnosing",
        Recommending => "recommending",
        Mentoring => "mentoring",
        Evaluating => "evaluating",
        Closed => "closed",
        Rejected => "rejected",
        Withdrawn => "withdrawn",
        DissolutionProposed => "dissolution_proposed",
    }
);

text_enum!(
    /// An action that moves a case from one status to another.
    CaseAction {
        Screen => "screen",
        Reject => "reject",
        StartDiagnosis => "start_diagnosis",
        FinishDiagnosis => "finish_diagnosis",
        StartMentoring => "start_mentoring",
        StartEvaluation => "start_evaluation",
        ContinueMentoring => "continue_mentoring",
        Rediagnose => "rediagnose",
        Close => "close",
        ProposeDissolution => "propose_dissolution",
        Withdraw => "withdraw",
    }
);

impl CaseStatus {
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            CaseStatus::Closed
                | CaseStatus::Rejected
                | CaseStatus::Withdrawn
                | CaseStatus::DissolutionProposed
        )
    }

    /// Open cases count against "one open case per subject per programme".
    pub fn is_open(self) -> bool {
        !self.is_terminal()
    }
}

/// What the guards need to know about a case, read from storage just before the transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    pub subject_kind: SubjectKind,
    /// The cooperative's membership area; `None` for a UKM.
    pub membership_area: Option<MembershipArea>,
    pub team_size: usize,
    /// Findings of the case's current final diagnosis; `None` when it has no final diagnosis.
    pub final_diagnosis_findings: Option<usize>,
    /// Recommendations made on the case's diagnoses, whatever their status.
    pub recommendations: usize,
    pub agreed_recommendations: usize,
    pub activities: usize,
    /// Whether the latest evaluation proposes to continue mentoring, to close, or to dissolve.
    pub latest_evaluation: Option<EvaluationNextStep>,
    /// Whether a dissolution proposal with its reasons accompanies the action.
    pub dissolution_proposal: bool,
    /// Whether the request carries a note (some actions must say why).
    pub has_note: bool,
}

text_enum!(
    /// The next step an evaluation proposes.
    EvaluationNextStep {
        ContinueMentoring => "continue_mentoring",
        Close => "close",
        ProposeDissolution => "propose_dissolution",
    }
);

/// A guard that did not hold; its code names it in the 422 answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// The city supervises only cooperatives whose members live in the city.
    OutsideCitySupervision(MembershipArea),
    NoteRequired,
    TeamRequired,
    FinalDiagnosisRequired,
    FindingRequired,
    RecommendationRequired,
    AgreedRecommendationRequired,
    ActivityRequired,
    EvaluationRequired,
    /// Closing needs the evaluation evidence from which the outcome is computed.
    OutcomeRequired,
    CooperativeOnly,
    DissolutionProposalRequired,
}

impl Guard {
    pub fn code(self) -> &'static str {
        match self {
            Guard::OutsideCitySupervision(_) => "outside_city_supervision",
            Guard::NoteRequired => "note_required",
            Guard::TeamRequired => "team_required",
            Guard::FinalDiagnosisRequired => "final_diagnosis_required",
            Guard::FindingRequired => "finding_required",
            Guard::RecommendationRequired => "recommendation_required",
            Guard::AgreedRecommendationRequired => "agreed_recommendation_required",
            Guard::ActivityRequired => "activity_required",
            Guard::EvaluationRequired => "evaluation_required",
            Guard::OutcomeRequired => "outcome_required",
            Guard::CooperativeOnly => "cooperative_only",
            Guard::DissolutionProposalRequired => "dissolution_proposal_required",
        }
    }

    pub fn message(self) -> Message {
        match self {
            Guard::OutsideCitySupervision(MembershipArea::LintasProvinsi) => msg!(
                "the cooperative's membership area is %{area}: it is supervised by the Ministry of Cooperatives, not by the city, so it cannot pass the city's screening",
                area = MembershipArea::LintasProvinsi
            ),
            Guard::OutsideCitySupervision(area) => msg!(
                "the cooperative's membership area is %{area}: it is supervised by the provincial cooperative office (Dinas Koperasi Provinsi Jawa Barat), not by the city, so it cannot pass the city's screening",
                area = area
            ),
            Guard::NoteRequired => msg!("this action needs a note saying why"),
            Guard::TeamRequired => {
                msg!("the diagnosis team needs at least one expert before diagnosis starts")
            }
            Guard::FinalDiagnosisRequired => msg!("the case has no final diagnosis yet"),
            Guard::FindingRequired => msg!("the final diagnosis records no finding"),
            Guard::RecommendationRequired => {
                msg!("the diagnosis is finished once the team has made at least one recommendation")
            }
            Guard::AgreedRecommendationRequired => {
                msg!("mentoring starts once at least one recommendation is agreed")
            }
            Guard::ActivityRequired => {
                msg!("evaluation starts once at least one mentoring activity is recorded")
            }
            Guard::EvaluationRequired => {
                msg!("the latest evaluation does not propose to continue mentoring")
            }
            Guard::OutcomeRequired => msg!(
                "closing needs an evaluation that proposes to close, from which the outcome is computed"
            ),
            Guard::CooperativeOnly => msg!("only a cooperative can be proposed for dissolution"),
            Guard::DissolutionProposalRequired => {
                msg!("proposing dissolution needs a dissolution proposal with its reasons")
            }
        }
    }
}

/// Why a transition was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionError {
    /// The action is not possible from this status at all (HTTP 409).
    NotAllowed {
        from: CaseStatus,
        action: CaseAction,
    },
    /// The action is possible from this status but a condition is missing (HTTP 422).
    Guard(Guard),
}

/// The status `action` leads to from `from`, ignoring guards; `None` when the machine has no such
/// edge.
pub fn target(from: CaseStatus, action: CaseAction) -> Option<CaseStatus> {
    use CaseAction as A;
    use CaseStatus as S;
    match (from, action) {
        (S::Registered, A::Screen) => Some(S::Screened),
        (S::Registered, A::Reject) => Some(S::Rejected),
        (S::Screened, A::StartDiagnosis) => Some(S::Diagnosing),
        (S::Diagnosing, A::FinishDiagnosis) => Some(S::Recommending),
        (S::Recommending, A::StartMentoring) => Some(S::Mentoring),
        (S::Mentoring, A::StartEvaluation) => Some(S::Evaluating),
        (S::Evaluating, A::ContinueMentoring) => Some(S::Mentoring),
        (S::Evaluating, A::Rediagnose) => Some(S::Diagnosing),
        (S::Evaluating, A::Close) => Some(S::Closed),
        (S::Diagnosing | S::Evaluating, A::ProposeDissolution) => Some(S::DissolutionProposed),
        (s, A::Withdraw) if s.is_open() => Some(S::Withdrawn),
        _ => None,
    }
}

/// The actions possible from `from` (ignoring guards), for clients that offer buttons.
pub fn actions_from(from: CaseStatus) -> Vec<CaseAction> {
    CaseAction::ALL
        .iter()
        .copied()
        .filter(|action| target(from, *action).is_some())
        .collect()
}

/// Applies `action` to a case in status `from`: the new status, or why not.
pub fn transition(
    from: CaseStatus,
    action: CaseAction,
    facts: &CaseFacts,
) -> Result<CaseStatus, TransitionError> {
    let to = target(from, action).ok_or(TransitionError::NotAllowed { from, action })?;
    guard(action, facts).map_err(TransitionError::Guard)?;
    Ok(to)
}

fn guard(action: CaseAction, facts: &CaseFacts) -> Result<(), Guard> {
    let require = |ok: bool, failed: Guard| if ok { Ok(()) } else { Err(failed) };
    match action {
        CaseAction::Screen => match facts.membership_area {
            Some(area) if area != MembershipArea::Kota => Err(Guard::OutsideCitySupervision(area)),
            _ => Ok(()),
        },
        CaseAction::Reject | CaseAction::Withdraw | CaseAction::Rediagnose => {
            require(facts.has_note, Guard::NoteRequired)
        }
        CaseAction::StartDiagnosis => require(facts.team_size > 0, Guard::TeamRequired),
        CaseAction::FinishDiagnosis => match facts.final_diagnosis_findings {
            None => Err(Guard::FinalDiagnosisRequired),
            Some(0) => Err(Guard::FindingRequired),
            Some(_) => require(facts.recommendations > 0, Guard::RecommendationRequired),
        },
        CaseAction::StartMentoring => require(
            facts.agreed_recommendations > 0,
            Guard::AgreedRecommendationRequired,
        ),
        CaseAction::StartEvaluation => require(facts.activities > 0, Guard::ActivityRequired),
        CaseAction::ContinueMentoring => require(
            facts.latest_evaluation == Some(EvaluationNextStep::ContinueMentoring),
            Guard::EvaluationRequired,
        ),
        CaseAction::Close => require(
            facts.latest_evaluation == Some(EvaluationNextStep::Close),
            Guard::OutcomeRequired,
        ),
        CaseAction::ProposeDissolution => {
            require(
                facts.subject_kind == SubjectKind::Cooperative,
                Guard::CooperativeOnly,
            )?;
            require(
                facts.dissolution_proposal,
                Guard::DissolutionProposalRequired,
            )
        }
    }
}

#[cfg(test)]
mod tests;
