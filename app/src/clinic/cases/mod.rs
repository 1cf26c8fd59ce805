//! Clinic cases: one cooperative or UKM in one programme, its team and mentors, its history;
//! a case moves only through the case machine ([`transitions`]).

pub mod access;
pub mod closing;
mod history;
pub mod model;
pub mod outcome;
mod query;
pub mod transitions;
pub use history::{HistoryQuery, history};
pub use query::{CaseQuery, list};

use std::collections::HashMap;

use chrono::Utc;
use klinik_domain::clinic::case::CaseStatus;
use klinik_domain::clinic::{ExpertRole, MemberDuty, ReferralSource, SubjectKind};
use klinik_persistence::StoreError;
use klinik_persistence::clinic::cases::{
    self as store, CaseMemberRow, CaseRow, NewCase, SubjectRow,
};
use klinik_persistence::clinic::{diagnoses, evaluations, experts, programmes};

use crate::prelude::*;
use crate::state::RegionIndex;
use access::{CaseScope, visible_case};
use model::{
    AssessmentSummary, Case, CaseParts, CreateCase, PatchCase, TeamMemberInput, check_members,
};

/// The case's subject rows, keyed by (kind, id).
fn subjects(
    conn: &mut AnyConnection,
    rows: &[CaseRow],
) -> Result<HashMap<(bool, i64), SubjectRow>, Error> {
    let cooperative_ids: Vec<CooperativeId> =
        rows.iter().filter_map(|r| r.cooperative_id).collect();
    let ukm_ids: Vec<UkmId> = rows.iter().filter_map(|r| r.ukm_id).collect();
    let mut found = HashMap::new();
    for s in store::cooperative_subjects(conn, &cooperative_ids)? {
        found.insert((true, s.id), s);
    }
    for s in store::ukm_subjects(conn, &ukm_ids)? {
        found.insert((false, s.id), s);
    }
    Ok(found)
}

fn summary(row: &diagnoses::DiagnosisRow) -> Option<AssessmentSummary> {
    Some(AssessmentSummary {
        diagnosis_id: row.id.get(),
        instrument_id: row.instrument_id?.get(),
        total: row.assessment_total.clone()?,
        predicate: row.assessment_predicate?,
        diagnosed_on: row.diagnosed_on,
    })
}

/// Cases as the API shows them: subject, region, team with names, baseline and latest
/// assessments; a fixed number of queries for any number of cases.
pub fn details(
    conn: &mut AnyConnection,
    regions: &RegionIndex,
    rows: Vec<CaseRow>,
) -> Result<Vec<Case>, Error> {
    let ids: Vec<CaseId> = rows.iter().map(|r| r.id).collect();
    let mut subjects = subjects(conn, &rows)?;
    let members = store::members_of(conn, &ids)?;
    let expert_ids: Vec<ExpertId> = members.iter().map(|m| m.expert_id).collect();
    let names: HashMap<ExpertId, (String, ExpertRole)> = experts::names(conn, &expert_ids)?
        .into_iter()
        .map(|(id, name, role)| (id, (name, role)))
        .collect();
    let finals = diagnoses::finals_of(conn, &ids)?;
    let mut outcomes: HashMap<CaseId, _> = evaluations::outcomes_of(conn, &ids)?
        .into_iter()
        .map(|o| (o.case_id, o))
        .collect();
    rows.into_iter()
        .map(|row| {
            let key = match (row.cooperative_id, row.ukm_id) {
                (Some(id), _) => (true, id.get()),
                (None, id) => (false, id.map(|id| id.get()).unwrap_or_default()),
            };
            let subject = subjects.remove(&key);
            let kecamatan_code = subject
                .as_ref()
                .and_then(|s| regions.kelurahan(&s.kelurahan_code))
                .map(|k| k.kecamatan_code.clone())
                .unwrap_or_default();
            let assessed: Vec<AssessmentSummary> = finals
                .iter()
                .filter(|d| d.case_id == row.id)
                .filter_map(summary)
                .collect();
            let case_members = members
                .iter()
                .filter(|m| m.case_id == row.id)
                .map(|m| {
                    let (name, role) = names
                        .get(&m.expert_id)
                        .cloned()
                        .ok_or_else(|| Error::internal(&"a case member names no expert"))?;
                    Ok((m.clone(), name, role))
                })
                .collect::<Result<_, Error>>()?;
            Case::from_parts(CaseParts {
                subject,
                kecamatan_code,
                members: case_members,
                baseline: assessed.first().cloned(),
                latest: assessed.last().cloned(),
                outcome: outcomes.remove(&row.id),
                row,
            })
        })
        .collect()
}

/// One case as the API shows it.
pub fn load(conn: &mut AnyConnection, regions: &RegionIndex, row: CaseRow) -> Result<Case, Error> {
    details(conn, regions, vec![row])?
        .pop()
        .ok_or_else(|| Error::not_found(Record::Case))
}

/// New member rows of a case: the team's and the mentors', each only when the request sets it.
type MemberRows = (Option<Vec<CaseMemberRow>>, Option<Vec<CaseMemberRow>>);

/// The team and mentors as rows, after checking that every expert is active (422 otherwise).
fn member_rows(
    conn: &mut AnyConnection,
    case_id: CaseId,
    team: Option<&[TeamMemberInput]>,
    mentors: Option<&[i64]>,
) -> Result<MemberRows, Error> {
    let mut wanted: Vec<ExpertId> = team
        .unwrap_or_default()
        .iter()
        .map(|m| ExpertId(m.expert_id))
        .collect();
    wanted.extend(mentors.unwrap_or_default().iter().copied().map(ExpertId));
    let active = experts::active_ids(conn, &wanted)?;
    if let Some((i, _)) = team
        .unwrap_or_default()
        .iter()
        .enumerate()
        .find(|(_, m)| !active.contains(&ExpertId(m.expert_id)))
    {
        return Err(Error::validation(
            &format!("team[{i}].expert_id"),
            "unknown_expert",
            msg!("is not an active expert"),
        ));
    }
    if let Some(i) = mentors
        .unwrap_or_default()
        .iter()
        .position(|id| !active.contains(&ExpertId(*id)))
    {
        return Err(Error::validation(
            &format!("mentor_ids[{i}]"),
            "unknown_expert",
            msg!("is not an active expert"),
        ));
    }
    let row = |expert_id: i64, duty: MemberDuty, is_lead: bool| CaseMemberRow {
        case_id,
        expert_id: ExpertId(expert_id),
        duty,
        is_lead,
    };
    Ok((
        team.map(|t| {
            t.iter()
                .map(|m| row(m.expert_id, MemberDuty::Team, m.lead))
                .collect()
        }),
        mentors.map(|ms| {
            ms.iter()
                .map(|id| row(*id, MemberDuty::Mentor, false))
                .collect()
        }),
    ))
}

/// The subject must exist and not be archived (422 otherwise).
fn check_subject(conn: &mut AnyConnection, kind: SubjectKind, id: i64) -> Result<(), Error> {
    let found = match kind {
        SubjectKind::Cooperative => store::cooperative_subjects(conn, &[CooperativeId(id)])?,
        SubjectKind::Ukm => store::ukm_subjects(conn, &[UkmId(id)])?,
    };
    if found.first().is_none_or(|s| s.archived) {
        return Err(Error::validation(
            "subject_id",
            "unknown_subject",
            msg!(
                "is not a %{kind} in the registry (or it is archived)",
                kind = kind
            ),
        ));
    }
    Ok(())
}

fn open_case_exists(error: StoreError) -> Error {
    if error.duplicate_of("cooperative") || error.duplicate_of("ukm") {
        Error::conflict(
            "subject_id",
            "open_case_exists",
            msg!("This subject already has an open case in this programme."),
        )
    } else {
        error.into()
    }
}

/// A case's referral source, team and mentors change through the write path; its status only
/// through [`transitions`].
pub struct CaseEntity;

/// A change of a case: the referral source, and each member list the request replaces.
pub type CaseChanges = (
    ReferralSource,
    Option<Vec<CaseMemberRow>>,
    Option<Vec<CaseMemberRow>>,
);

impl Entity for CaseEntity {
    type Id = CaseId;
    type Row = CaseRow;
    type View = Case;
    type Changes = CaseChanges;
    const KIND: &'static str = "case";
    const NAME: Record = Record::Case;

    fn find(conn: &mut AnyConnection, id: CaseId) -> Result<CaseRow, Error> {
        store::find(conn, id).map_err(Error::missing(Self::NAME))
    }

    fn view(conn: &mut AnyConnection, ctx: &Ctx, row: CaseRow) -> Result<Case, Error> {
        load(conn, &ctx.app.regions, row)
    }

    fn store(
        conn: &mut AnyConnection,
        id: CaseId,
        expected_version: i64,
        (referral, team, mentors): CaseChanges,
    ) -> Result<(), Error> {
        store::set_referral_source(conn, id, expected_version, referral)?;
        if let Some(team) = team {
            store::replace_members(conn, id, MemberDuty::Team, &team)?;
        }
        if let Some(mentors) = mentors {
            store::replace_members(conn, id, MemberDuty::Mentor, &mentors)?;
        }
        Ok(())
    }
}

/// Registers a case: one open case per subject per programme (409); the subject and the
/// programme must exist, the experts be active (422).
pub async fn create(ctx: &Ctx, request: Idempotency, value: CreateCase) -> Result<Created, Error> {
    check_members(value.team.as_deref(), value.mentor_ids.as_deref())?;
    let today = Utc::now().date_naive();
    let registered_on = value.registered_on.unwrap_or(today);
    if registered_on > today {
        return Err(Error::validation(
            "registered_on",
            "date_in_future",
            msg!("must not be after today"),
        ));
    }
    ctx.write(move |conn, ctx| {
        create_once(conn, ctx, &request, |conn| {
            let programme_id = ProgrammeId(value.programme_id);
            programmes::find(conn, programme_id, false).map_err(|e| match e {
                StoreError::NotFound => Error::validation(
                    "programme_id",
                    "unknown_programme",
                    msg!("is not a programme (or it is archived)"),
                ),
                other => other.into(),
            })?;
            check_subject(conn, value.subject_kind, value.subject_id)?;
            let is_cooperative = value.subject_kind == SubjectKind::Cooperative;
            let row = store::insert(
                conn,
                NewCase {
                    programme_id,
                    subject_kind: value.subject_kind,
                    cooperative_id: is_cooperative.then_some(CooperativeId(value.subject_id)),
                    ukm_id: (!is_cooperative).then_some(UkmId(value.subject_id)),
                    referral_source: value.referral_source,
                    status: CaseStatus::Registered,
                    registered_on,
                },
            )
            .map_err(open_case_exists)?;
            let (team, mentors) = member_rows(
                conn,
                row.id,
                value.team.as_deref(),
                value.mentor_ids.as_deref(),
            )?;
            store::replace_members(conn, row.id, MemberDuty::Team, &team.unwrap_or_default())?;
            store::replace_members(
                conn,
                row.id,
                MemberDuty::Mentor,
                &mentors.unwrap_or_default(),
            )?;
            let record = load(conn, &ctx.app.regions, row)?;
            versioned::created::<CaseEntity>(conn, ctx, record.id, &record)?;
            Created::new(&record, format!("/api/v1/cases/{}", record.id))
        })
    })
    .await
}

/// One case; an assessor reads only cases on whose team they are (404 otherwise).
pub async fn get(ctx: &Ctx, id: CaseId) -> Result<Case, Error> {
    ctx.read(move |conn, ctx| {
        let scope = CaseScope::of(conn, &ctx.caller)?;
        let row = visible_case(conn, &scope, id)?;
        load(conn, &ctx.app.regions, row)
    })
    .await
}

/// Changes a case's team, mentors or referral source, while the case is open (409 otherwise).
pub async fn update(
    ctx: &Ctx,
    id: CaseId,
    if_match: IfMatch,
    patch: PatchCase,
) -> Result<Case, Error> {
    check_members(patch.team.as_deref(), patch.mentor_ids.as_deref())?;
    ctx.write(move |conn, ctx| {
        versioned::update::<CaseEntity>(conn, ctx, id, &if_match, |conn, current| {
            if current.status.is_terminal() {
                return Err(Error::conflict(
                    "status",
                    "case_closed",
                    msg!("The case is no longer open; its team and details stay as they were."),
                ));
            }
            let (team, mentors) =
                member_rows(conn, id, patch.team.as_deref(), patch.mentor_ids.as_deref())?;
            let referral = patch.referral_source.unwrap_or(current.referral_source);
            Ok((referral, team, mentors))
        })
    })
    .await
}
