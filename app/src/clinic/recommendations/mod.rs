//! Recommendations on a final diagnosis: what the team recommends (`bimbingan`, `permodalan`,
//! `motivasi`, …), the findings it answers, who is responsible and by when; their status machine
//! and history; and a `permodalan` recommendation's capital, reported by office staff or the
//! bank's own client.

mod follow_up;
pub mod model;
pub mod rules;
pub use follow_up::{history, move_to, record_capital, report_capital, transition};

use chrono::Utc;
use klinik_domain::clinic::case::CaseStatus;
use klinik_domain::clinic::recommendation::{
    FinancingScheme, RecommendationKind, RecommendationStatus,
};
use klinik_domain::clinic::{DiagnosisStatus, PartnerKind};
use klinik_persistence::clinic::cases::CaseRow;
use klinik_persistence::clinic::diagnoses;
use klinik_persistence::clinic::recommendations::{
    self as store, RecommendationFields, RecommendationFilter, RecommendationRow,
};
use klinik_persistence::clinic::{experts, partners};
use klinik_persistence::{StoreError, users};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::clinic::cases::access::{CaseScope, visible_case};
use crate::prelude::*;
use model::{CreateRecommendation, Draft, PatchRecommendation, Recommendation, check};

pub fn load_rows(
    conn: &mut AnyConnection,
    rows: Vec<RecommendationRow>,
) -> Result<Vec<Recommendation>, Error> {
    let ids: Vec<RecommendationId> = rows.iter().map(|r| r.id).collect();
    let links = store::findings_of(conn, &ids)?;
    let today = Utc::now().date_naive();
    Ok(rows
        .into_iter()
        .map(|row| {
            let findings = links
                .iter()
                .filter(|(r, _)| *r == row.id)
                .map(|(_, f)| *f)
                .collect();
            Recommendation::from_row(row, findings, today)
        })
        .collect())
}

pub fn load(conn: &mut AnyConnection, id: RecommendationId) -> Result<Recommendation, Error> {
    let row = store::find(conn, id).map_err(Error::missing(Record::Recommendation))?;
    load_rows(conn, vec![row])?
        .pop()
        .ok_or_else(|| Error::not_found(Record::Recommendation))
}

/// The recommendation and its case, if the caller may see them (404 otherwise: an assessor learns
/// nothing of other teams' cases).
pub fn in_scope(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: RecommendationId,
) -> Result<(RecommendationRow, CaseRow), Error> {
    let row = store::find(conn, id).map_err(Error::missing(Record::Recommendation))?;
    let scope = CaseScope::of(conn, caller)?;
    let case = visible_case(conn, &scope, row.case_id).map_err(|e| match e {
        Error::NotFound { .. } => Error::not_found(Record::Recommendation),
        other => other,
    })?;
    Ok((row, case))
}

/// Recommendations are made and changed between the final diagnosis and the case's end.
pub fn require_followed_up(case: &CaseRow) -> Result<(), Error> {
    match case.status {
        CaseStatus::Diagnosing
        | CaseStatus::Recommending
        | CaseStatus::Mentoring
        | CaseStatus::Evaluating => Ok(()),
        other => Err(Error::conflict(
            "case_id",
            "case_not_followed_up",
            msg!(
                "The case is %{other}; recommendations are made and changed from its diagnosis to its end.",
                other = other
            ),
        )),
    }
}

fn unknown(field: &str, code: &'static str, message: Message) -> Error {
    Error::validation(field, code, message)
}

/// Every id the draft names must exist: the findings in the diagnosis, the responsible expert,
/// partner or user, and a bank or BPR as the capital's partner (422 otherwise).
pub fn check_references(
    conn: &mut AnyConnection,
    diagnosis_id: DiagnosisId,
    draft: &Draft,
) -> Result<(), Error> {
    let own: Vec<i64> = diagnoses::findings_of(conn, &[diagnosis_id])?
        .iter()
        .map(|f| f.id.get())
        .collect();
    if let Some(i) = draft.finding_ids.iter().position(|id| !own.contains(id)) {
        return Err(unknown(
            &format!("finding_ids[{i}]"),
            "finding_not_in_diagnosis",
            msg!("is not a finding of this diagnosis"),
        ));
    }
    let f = &draft.fields;
    if let Some(id) = f.responsible_expert_id
        && experts::existing_ids(conn, &[id])?.is_empty()
    {
        return Err(unknown(
            "responsible_expert_id",
            "unknown_expert",
            msg!("is not an expert (or it is archived)"),
        ));
    }
    if let Some(id) = f.responsible_partner_id {
        partners::find(conn, id, false).map_err(|e| match e {
            StoreError::NotFound => unknown(
                "responsible_partner_id",
                "unknown_partner",
                msg!("is not a partner (or it is archived)"),
            ),
            other => other.into(),
        })?;
    }
    if let Some(id) = f.responsible_user_id {
        users::find(conn, id).map_err(|e| match e {
            StoreError::NotFound => {
                unknown("responsible_user_id", "unknown_user", msg!("is not a user"))
            }
            other => other.into(),
        })?;
    }
    if let Some(id) = f.bank_partner_id {
        let bank = partners::find(conn, id, false).map_err(|e| match e {
            StoreError::NotFound => unknown(
                "capital.bank_partner_id",
                "unknown_partner",
                msg!("is not a partner (or it is archived)"),
            ),
            other => other.into(),
        })?;
        if !matches!(bank.kind, PartnerKind::Bank | PartnerKind::Bpr) {
            return Err(unknown(
                "capital.bank_partner_id",
                "not_a_bank",
                msg!("is not a partner of kind bank or bpr"),
            ));
        }
    }
    Ok(())
}

fn finding_ids(ids: &[i64]) -> Vec<FindingId> {
    ids.iter().copied().map(FindingId).collect()
}

fn require_open(status: RecommendationStatus) -> Result<(), Error> {
    if !status.is_open() {
        return Err(Error::conflict(
            "status",
            "recommendation_closed",
            msg!(
                "The recommendation is %{status}; only an open one changes.",
                status = status
            ),
        ));
    }
    Ok(())
}

/// A recommendation: found by id; a change is its fields and, when given, the findings it answers.
pub struct RecommendationEntity;

impl Entity for RecommendationEntity {
    type Id = RecommendationId;
    type Row = RecommendationRow;
    type View = Recommendation;
    type Changes = (RecommendationFields, Option<Vec<FindingId>>);
    const KIND: &'static str = "recommendation";
    const NAME: Record = Record::Recommendation;

    fn find(conn: &mut AnyConnection, id: RecommendationId) -> Result<RecommendationRow, Error> {
        store::find(conn, id).map_err(Error::missing(Self::NAME))
    }

    fn view(
        conn: &mut AnyConnection,
        _: &Ctx,
        row: RecommendationRow,
    ) -> Result<Recommendation, Error> {
        load(conn, row.id)
    }

    fn store(
        conn: &mut AnyConnection,
        id: RecommendationId,
        expected_version: i64,
        (fields, findings): Self::Changes,
    ) -> Result<(), Error> {
        store::update(conn, id, expected_version, fields)?;
        if let Some(findings) = findings {
            store::replace_findings(conn, id, &findings)?;
        }
        Ok(())
    }
}

/// Makes a recommendation on a final diagnosis that no later one amends, while its case is
/// between diagnosis and end (409 otherwise). It starts `proposed`.
pub async fn create(
    ctx: &Ctx,
    diagnosis_id: DiagnosisId,
    request: Idempotency,
    value: CreateRecommendation,
) -> Result<Created, Error> {
    let draft = value.into_draft();
    check(&draft)?;
    ctx.write(move |conn, ctx| {
        create_once(conn, ctx, &request, |conn| {
            let diagnosis =
                diagnoses::find(conn, diagnosis_id).map_err(Error::missing(Record::Diagnosis))?;
            let scope = CaseScope::of(conn, &ctx.caller)?;
            let case = visible_case(conn, &scope, diagnosis.case_id).map_err(|e| match e {
                Error::NotFound { .. } => Error::not_found(Record::Diagnosis),
                other => other,
            })?;
            if diagnosis.status != DiagnosisStatus::Final {
                return Err(Error::conflict(
                    "diagnosis_id",
                    "diagnosis_not_final",
                    msg!("Recommendations answer a final diagnosis; finalize it first."),
                ));
            }
            if !diagnoses::superseding(conn, &[diagnosis_id])?.is_empty() {
                return Err(Error::conflict(
                    "diagnosis_id",
                    "diagnosis_superseded",
                    msg!("A later diagnosis amends this one; recommend on the latest."),
                ));
            }
            require_followed_up(&case)?;
            check_references(conn, diagnosis_id, &draft)?;
            let row = store::insert(conn, case.id, diagnosis_id, draft.fields.clone())?;
            store::replace_findings(conn, row.id, &finding_ids(&draft.finding_ids))?;
            let record = load(conn, row.id)?;
            versioned::committed(
                conn,
                ctx,
                "create",
                "recommendation",
                &record.id.to_string(),
                None,
            )?;
            Created::new(&record, format!("/api/v1/recommendations/{}", record.id))
        })
    })
    .await
}

/// The recommendations on one diagnosis.
pub async fn list_of_diagnosis(
    ctx: &Ctx,
    diagnosis_id: DiagnosisId,
    query: SyncPageQuery,
) -> Result<Page<Recommendation>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    let since = query.since();
    let (items, total) = ctx
        .read(move |conn, ctx| {
            let diagnosis =
                diagnoses::find(conn, diagnosis_id).map_err(Error::missing(Record::Diagnosis))?;
            let scope = CaseScope::of(conn, &ctx.caller)?;
            visible_case(conn, &scope, diagnosis.case_id).map_err(|e| match e {
                Error::NotFound { .. } => Error::not_found(Record::Diagnosis),
                other => other,
            })?;
            let filter = RecommendationFilter {
                updated_since: since,
                diagnosis_id: Some(diagnosis_id),
                ..RecommendationFilter::default()
            };
            let (rows, total) = store::list(conn, &filter, paging(&page))?;
            Ok::<_, Error>((load_rows(conn, rows)?, total))
        })
        .await?;
    Ok(page.wrap_capped(items, total))
}

/// Filters of the recommendation list; they combine with AND. Unknown parameters are a 400.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RecommendationQuery {
    /// Only records changed at or after this time (RFC 3339, e.g. `2026-01-31T00:00:00Z`; by
    /// `updated_at`): a sync's catch-up. Archived records count only with `include_archived`
    /// where the list has it; the change feed (`/changes`) shows archivals too.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Only recommendations of this programme's cases.
    #[param(minimum = 1)]
    pub programme_id: Option<i64>,
    /// Only this case's.
    #[param(minimum = 1)]
    pub case_id: Option<i64>,
    /// Only recommendations of this kind.
    pub kind: Option<RecommendationKind>,
    /// Only recommendations in this status.
    pub status: Option<RecommendationStatus>,
    /// Only capital recommendations with this financing scheme.
    pub financing_scheme: Option<FinancingScheme>,
    /// Only capital recommendations with this partner bank.
    #[param(minimum = 1)]
    pub bank_partner_id: Option<i64>,
    /// Only those this expert is responsible for.
    #[param(minimum = 1)]
    pub responsible_expert_id: Option<i64>,
    /// Only those this partner institution is responsible for.
    #[param(minimum = 1)]
    pub responsible_partner_id: Option<i64>,
    /// Only those this user is responsible for.
    #[param(minimum = 1)]
    pub responsible_user_id: Option<i64>,
    /// `true`: only open ones whose due date has passed; `false`: all others.
    pub overdue: Option<bool>,
    /// Only those on diagnoses dated in this year (as the indicators count them).
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// Recommendations matching the filters; an assessor sees only their teams' cases'.
pub async fn list(ctx: &Ctx, q: RecommendationQuery) -> Result<Page<Recommendation>, Error> {
    let page = PageRequest::new(q.page, q.page_size)?;
    check_ids(&[
        ("programme_id", q.programme_id),
        ("case_id", q.case_id),
        ("bank_partner_id", q.bank_partner_id),
        ("responsible_expert_id", q.responsible_expert_id),
        ("responsible_partner_id", q.responsible_partner_id),
        ("responsible_user_id", q.responsible_user_id),
    ])?;
    if q.year.is_some_and(|y| !(2000..=2100).contains(&y)) {
        return Err(Error::query(
            "year",
            "year_range",
            msg!("must lie within 2000–2100"),
        ));
    }
    let mut filter = RecommendationFilter {
        updated_since: q.updated_since.map(|t| t.naive_utc()),
        programme_id: q.programme_id.map(ProgrammeId),
        case_id: q.case_id.map(CaseId),
        diagnosis_id: None,
        kind: q.kind,
        status: q.status,
        financing_scheme: q.financing_scheme,
        bank_partner_id: q.bank_partner_id.map(PartnerId),
        responsible_expert_id: q.responsible_expert_id.map(ExpertId),
        responsible_partner_id: q.responsible_partner_id.map(PartnerId),
        responsible_user_id: q.responsible_user_id.map(UserId),
        overdue: q.overdue.map(|overdue| (overdue, Utc::now().date_naive())),
        team_of: None,
        year: q.year,
    };
    let (items, total) = ctx
        .read(move |conn, ctx| {
            filter.team_of = CaseScope::of(conn, &ctx.caller)?.team_filter();
            let (rows, total) = store::list(conn, &filter, paging(&page))?;
            Ok::<_, Error>((load_rows(conn, rows)?, total))
        })
        .await?;
    Ok(page.wrap_capped(items, total))
}

pub async fn get(ctx: &Ctx, id: RecommendationId) -> Result<Recommendation, Error> {
    ctx.read(move |conn, ctx| {
        in_scope(conn, &ctx.caller, id)?;
        load(conn, id)
    })
    .await
}

/// Changes an open recommendation (409 once it is done, not done, rejected or cancelled).
pub async fn update(
    ctx: &Ctx,
    id: RecommendationId,
    if_match: IfMatch,
    patch: PatchRecommendation,
) -> Result<Recommendation, Error> {
    ctx.write(move |conn, ctx| {
        let (_, case) = in_scope(conn, &ctx.caller, id)?;
        versioned::update::<RecommendationEntity>(conn, ctx, id, &if_match, |conn, row| {
            let findings = store::findings_of(conn, &[id])?
                .into_iter()
                .map(|(_, f)| f.get())
                .collect();
            let draft = patch.merge(row, findings);
            check(&draft)?;
            require_open(row.status)?;
            require_followed_up(&case)?;
            check_references(conn, row.diagnosis_id, &draft)?;
            Ok((draft.fields, Some(finding_ids(&draft.finding_ids))))
        })
    })
    .await
}
