//! The record a document belongs to, and whether the caller may see it or change its documents:
//! a document follows its record's access rules. A registry record is read by every staff role
//! and changed by admins and officers; a clinic record is reached through its case, so an
//! assessor sees and works only on their teams' cases' documents (404 for others).

use klinik_domain::documents::DocumentOwner;
use klinik_persistence::clinic::{
    activities, diagnoses, dissolutions, evaluations, recommendations,
};
use klinik_persistence::{annual_reports, cooperatives, ukm};

use crate::clinic::cases::access::{CaseScope, visible_case};
use crate::prelude::*;

/// A record that takes documents, as a route names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerRef {
    Cooperative(CooperativeId),
    /// An annual report by its cooperative and book year (as its routes name it).
    AnnualReport(CooperativeId, i32),
    /// An annual report by its own id (as a document stores it).
    AnnualReportId(AnnualReportId),
    Ukm(UkmId),
    Diagnosis(DiagnosisId),
    Activity(ActivityId),
    Recommendation(RecommendationId),
    Evaluation(EvaluationId),
    DissolutionProposal(DissolutionProposalId),
}

/// What the caller means to do with the record's documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Read,
    Change,
}

impl OwnerRef {
    /// The kind of record, known from the route alone.
    pub fn kind(self) -> DocumentOwner {
        match self {
            OwnerRef::Cooperative(_) => DocumentOwner::Cooperative,
            OwnerRef::AnnualReport(..) | OwnerRef::AnnualReportId(_) => DocumentOwner::AnnualReport,
            OwnerRef::Ukm(_) => DocumentOwner::Ukm,
            OwnerRef::Diagnosis(_) => DocumentOwner::Diagnosis,
            OwnerRef::Activity(_) => DocumentOwner::Activity,
            OwnerRef::Recommendation(_) => DocumentOwner::Recommendation,
            OwnerRef::Evaluation(_) => DocumentOwner::Evaluation,
            OwnerRef::DissolutionProposal(_) => DocumentOwner::DissolutionProposal,
        }
    }

    /// The record a stored document names.
    pub fn stored(owner: DocumentOwner, id: i64) -> Self {
        match owner {
            DocumentOwner::Cooperative => OwnerRef::Cooperative(CooperativeId(id)),
            DocumentOwner::AnnualReport => OwnerRef::AnnualReportId(AnnualReportId(id)),
            DocumentOwner::Ukm => OwnerRef::Ukm(UkmId(id)),
            DocumentOwner::Diagnosis => OwnerRef::Diagnosis(DiagnosisId(id)),
            DocumentOwner::Activity => OwnerRef::Activity(ActivityId(id)),
            DocumentOwner::Recommendation => OwnerRef::Recommendation(RecommendationId(id)),
            DocumentOwner::Evaluation => OwnerRef::Evaluation(EvaluationId(id)),
            DocumentOwner::DissolutionProposal => {
                OwnerRef::DissolutionProposal(DissolutionProposalId(id))
            }
        }
    }
}

/// Finds the record (404 when missing, archived, or out of an assessor's scope) and checks that
/// the caller may do `intent` with its documents (403); answers its kind and id.
pub fn resolve(
    conn: &mut AnyConnection,
    caller: &Caller,
    owner: OwnerRef,
    intent: Intent,
) -> Result<(DocumentOwner, i64), Error> {
    let case = match owner {
        OwnerRef::Cooperative(id) => {
            cooperatives::find(conn, id, false).map_err(Error::missing(Record::Cooperative))?;
            return registry(caller, intent, DocumentOwner::Cooperative, id.get());
        }
        OwnerRef::AnnualReport(cooperative, book_year) => {
            cooperatives::find(conn, cooperative, false)
                .map_err(Error::missing(Record::Cooperative))?;
            let report = annual_reports::find(conn, cooperative, book_year)
                .map_err(Error::missing(Record::AnnualReport))?;
            return registry(caller, intent, DocumentOwner::AnnualReport, report.id.get());
        }
        OwnerRef::AnnualReportId(id) => {
            let report = annual_reports::find_by_id(conn, id)
                .map_err(Error::missing(Record::AnnualReport))?;
            cooperatives::find(conn, report.cooperative_id, false)
                .map_err(Error::missing(Record::AnnualReport))?;
            return registry(caller, intent, DocumentOwner::AnnualReport, id.get());
        }
        OwnerRef::Ukm(id) => {
            ukm::find(conn, id, false).map_err(Error::missing(Record::Ukm))?;
            return registry(caller, intent, DocumentOwner::Ukm, id.get());
        }
        OwnerRef::Diagnosis(id) => {
            let row = diagnoses::find(conn, id).map_err(Error::missing(Record::Diagnosis))?;
            (
                DocumentOwner::Diagnosis,
                id.get(),
                row.case_id,
                Record::Diagnosis,
            )
        }
        OwnerRef::Activity(id) => {
            let row = activities::find(conn, id).map_err(Error::missing(Record::Activity))?;
            (
                DocumentOwner::Activity,
                id.get(),
                row.case_id,
                Record::Activity,
            )
        }
        OwnerRef::Recommendation(id) => {
            let row =
                recommendations::find(conn, id).map_err(Error::missing(Record::Recommendation))?;
            (
                DocumentOwner::Recommendation,
                id.get(),
                row.case_id,
                Record::Recommendation,
            )
        }
        OwnerRef::Evaluation(id) => {
            let row = evaluations::find(conn, id).map_err(Error::missing(Record::Evaluation))?;
            (
                DocumentOwner::Evaluation,
                id.get(),
                row.case_id,
                Record::Evaluation,
            )
        }
        OwnerRef::DissolutionProposal(id) => {
            let row = dissolutions::find(conn, id)
                .map_err(Error::missing(Record::DissolutionProposal))?;
            let case_id = row.case_id;
            (
                DocumentOwner::DissolutionProposal,
                id.get(),
                case_id,
                Record::DissolutionProposal,
            )
        }
    };
    let (kind, id, case_id, record) = case;
    let scope = CaseScope::of(conn, caller)?;
    // Another team's record is missing, not forbidden: an assessor learns nothing of it.
    match visible_case(conn, &scope, case_id) {
        Err(Error::NotFound { .. }) => return Err(Error::not_found(record)),
        other => other?,
    };
    if intent == Intent::Change && !(caller.is_staff() || scope.expert().is_some()) {
        return Err(read_only());
    }
    Ok((kind, id))
}

fn registry(
    caller: &Caller,
    intent: Intent,
    kind: DocumentOwner,
    id: i64,
) -> Result<(DocumentOwner, i64), Error> {
    if intent == Intent::Change && !caller.is_staff() {
        return Err(read_only());
    }
    Ok((kind, id))
}

fn read_only() -> Error {
    Error::forbidden(msg!(
        "Your role may read this record's documents but not change them."
    ))
}
