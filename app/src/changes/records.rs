//! The record a feed entry carries: read through the same use case as its `GET`, as the caller.

use klinik_persistence::annual_reports;
use klinik_persistence::changes::ChangeRow;
use klinik_persistence::ukm::figures;
use serde::Serialize;
use utoipa::ToSchema;

use super::{Change, ChangeKind, entry};
use crate::clinic::{
    activities, activities::model::Activity, cases, cases::model::Case, diagnoses,
    diagnoses::model::Diagnosis, dissolutions, dissolutions::DissolutionProposal, evaluations,
    evaluations::Evaluation, programmes, programmes::model::Programme, recommendations,
    recommendations::model::Recommendation,
};
use crate::prelude::*;
use crate::registry::annual_reports::model::AnnualReport;
use crate::registry::cooperatives::{self, model::Cooperative, query::IncludeArchivedQuery};
use crate::registry::ukm::{self, UkmReadQuery, figures::YearlyFiguresRecord, model::Ukm};

/// The record of a change, in the schema of its kind's `GET`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ChangedRecord {
    Cooperative(Box<Cooperative>),
    AnnualReport(Box<AnnualReport>),
    Ukm(Box<Ukm>),
    UkmYearlyFigures(Box<YearlyFiguresRecord>),
    Programme(Box<Programme>),
    Case(Box<Case>),
    Diagnosis(Box<Diagnosis>),
    Recommendation(Box<Recommendation>),
    Activity(Box<Activity>),
    Evaluation(Box<Evaluation>),
    DissolutionProposal(Box<DissolutionProposal>),
    Reminder(Box<crate::reminders::Reminder>),
}

const ARCHIVED_TOO: IncludeArchivedQuery = IncludeArchivedQuery {
    include_archived: Some(true),
};

/// The entry as `ctx`'s caller may see it: `None` when the record is one they may not read (an
/// assessor's view of another team's case). A registry record that is gone (a deleted annual
/// report) shows as null; clinic records are never erased, so their 404 means "not yours".
pub(super) async fn show(ctx: &Ctx, row: ChangeRow) -> Result<Option<Change>, Error> {
    let Some(kind) = ChangeKind::parse(&row.kind) else {
        return Err(Error::internal(&format!(
            "unknown change kind {}",
            row.kind
        )));
    };
    let id = row.record_id;
    let loaded = match kind {
        ChangeKind::Cooperative => cooperatives::get(ctx, CooperativeId(id), ARCHIVED_TOO)
            .await
            .map(|r| ChangedRecord::Cooperative(Box::new(r))),
        ChangeKind::AnnualReport => ctx
            .read(move |conn, _| {
                annual_reports::find_by_id(conn, AnnualReportId(id))
                    .map_err(Error::missing(Record::AnnualReport))
            })
            .await
            .map(|r| ChangedRecord::AnnualReport(Box::new(AnnualReport::from(r)))),
        ChangeKind::Ukm => {
            let query = UkmReadQuery {
                include_archived: Some(true),
                reveal: None,
            };
            ukm::get(ctx, UkmId(id), query)
                .await
                .map(|(r, _)| ChangedRecord::Ukm(Box::new(r)))
        }
        ChangeKind::UkmYearlyFigures => ctx
            .read(move |conn, _| {
                figures::find(conn, id).map_err(Error::missing(Record::YearlyFigures))
            })
            .await
            .map(|r| ChangedRecord::UkmYearlyFigures(Box::new(YearlyFiguresRecord::from(r)))),
        ChangeKind::Programme => programmes::get(ctx, ProgrammeId(id), ARCHIVED_TOO)
            .await
            .map(|r| ChangedRecord::Programme(Box::new(r))),
        ChangeKind::Case => cases::get(ctx, CaseId(id))
            .await
            .map(|r| ChangedRecord::Case(Box::new(r))),
        ChangeKind::Diagnosis => diagnoses::get(ctx, DiagnosisId(id))
            .await
            .map(|r| ChangedRecord::Diagnosis(Box::new(r))),
        ChangeKind::Recommendation => recommendations::get(ctx, RecommendationId(id))
            .await
            .map(|r| ChangedRecord::Recommendation(Box::new(r))),
        ChangeKind::Activity => activities::get(ctx, ActivityId(id))
            .await
            .map(|r| ChangedRecord::Activity(Box::new(r))),
        ChangeKind::Evaluation => evaluations::get(ctx, EvaluationId(id))
            .await
            .map(|r| ChangedRecord::Evaluation(Box::new(r))),
        ChangeKind::DissolutionProposal => dissolutions::get(ctx, DissolutionProposalId(id))
            .await
            .map(|r| ChangedRecord::DissolutionProposal(Box::new(r))),
        ChangeKind::Reminder => crate::reminders::get(ctx, ReminderId(id))
            .await
            .map(|r| ChangedRecord::Reminder(Box::new(r))),
    };
    match loaded {
        Ok(record) => Ok(Some(entry(&row, kind, Some(record)))),
        Err(Error::NotFound { .. })
            if kind.scope() == klinik_domain::accounts::Scope::RegistryRead =>
        {
            Ok(Some(entry(&row, kind, None)))
        }
        Err(Error::NotFound { .. }) | Err(Error::Forbidden { .. }) => Ok(None),
        Err(other) => Err(other),
    }
}
