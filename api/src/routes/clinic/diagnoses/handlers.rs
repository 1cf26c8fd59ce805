//! Start, read, edit, score and finalize diagnoses.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use chrono::{NaiveDate, Utc};
use klinik_domain::Violations;
use klinik_domain::clinic::SubjectKind;
use klinik_domain::clinic::case::CaseStatus;
use klinik_persistence::clinic::cases::{self as cases_store, CaseRow};
use klinik_persistence::clinic::diagnoses::{
    self as store, DiagnosisRow, DraftFields, MemberScoreRow,
};
use klinik_persistence::{AnyConnection, now_utc};

use super::dto::{
    CreateDiagnosis, Diagnosis, FinalizeRequest, MemberScoreInput, PatchDiagnosis, check_findings,
    check_summary,
};
use super::{assess, load, load_rows};
use crate::audit::{AuditContext, diff};
use crate::auth::Caller;
use crate::extract::{IdempotencyKey, IfMatch, JsonBody, QueryParams, etag};
use crate::problem::{ApiError, responses};
use crate::routes::clinic::cases::access::{CaseScope, forbidden, visible_case};
use crate::routes::created::{Created, create_once};
use crate::routes::regions::PageQuery;
use crate::routes::{Page, PageRequest, with_etag};
use crate::state::AppState;

fn subject_kind(case: &CaseRow) -> Result<SubjectKind, ApiError> {
    case.subject_kind
        .parse()
        .map_err(|_| ApiError::internal(&"stored subject kind"))
}

fn require_diagnosing(case: &CaseRow) -> Result<(), ApiError> {
    if case.status != CaseStatus::Diagnosing.as_str() {
        return Err(ApiError::conflict(
            "case_id",
            "case_not_diagnosing",
            &format!(
                "The case is {}; diagnoses are written while it is diagnosing.",
                case.status
            ),
        ));
    }
    Ok(())
}

fn require_draft(row: &DiagnosisRow) -> Result<(), ApiError> {
    if row.status != "draft" {
        return Err(ApiError::conflict(
            "status",
            "diagnosis_final",
            "A final diagnosis never changes; start an amendment (a new diagnosis) instead.",
        ));
    }
    Ok(())
}

fn check_date(field: &str, date: NaiveDate) -> Result<(), ApiError> {
    if date > Utc::now().date_naive() {
        return Err(ApiError::validation(
            field,
            "date_in_future",
            "must not be after today",
        ));
    }
    Ok(())
}

/// The diagnosis and its case, if the caller may see them (404 otherwise).
fn in_scope(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
) -> Result<(DiagnosisRow, CaseRow, CaseScope), ApiError> {
    let row = store::find(conn, id).map_err(ApiError::missing("Diagnosis"))?;
    let scope = CaseScope::of(conn, caller)?;
    let case = visible_case(conn, &scope, row.case_id).map_err(|e| match e {
        // Another team's case: its diagnoses do not exist for this caller either.
        ApiError::NotFound { .. } => ApiError::not_found("Diagnosis"),
        other => other,
    })?;
    Ok((row, case, scope))
}

fn team(conn: &mut AnyConnection, case_id: i64) -> Result<Vec<(i64, bool)>, ApiError> {
    Ok(cases_store::members_of(conn, &[case_id])?
        .into_iter()
        .filter(|m| m.duty == "team")
        .map(|m| (m.expert_id, m.is_lead))
        .collect())
}

/// Start a diagnosis.
///
/// A draft for a case in `diagnosing`, by office staff or a member of the case's team. A case has
/// at most one draft at a time (409). When the case already has a final diagnosis, the new one
/// amends it (`supersedes_id`); both stay readable.
#[utoipa::path(
    operation_id = "create_diagnosis",
    tag = "clinic",
    request_body = CreateDiagnosis,
    params(
        ("id" = i64, Path, description = "The case's id.", minimum = 1),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry (see `create_cooperative`).", pattern = "^[!-~]{1,255}$"),
    ),
    responses(
        (status = 201, description = "The draft.", body = Diagnosis,
            headers(("Location" = String, description = "URL of the diagnosis."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 409, response = responses::Conflict),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[post("/cases/{id}/diagnoses")]
pub async fn create_diagnosis(
    state: web::Data<AppState>,
    request: HttpRequest,
    caller: Caller,
    id: web::Path<i64>,
    key: IdempotencyKey,
    audit: AuditContext,
    body: JsonBody<CreateDiagnosis>,
) -> Result<HttpResponse, ApiError> {
    let case_id = id.into_inner();
    let JsonBody { value, raw } = body;
    let mut violations = Violations::default();
    let findings = check_findings(
        &mut violations,
        value.findings.as_deref().unwrap_or_default(),
    );
    check_summary(&mut violations, value.summary.as_deref());
    violations.into_result()?;
    let diagnosed_on = value
        .diagnosed_on
        .unwrap_or_else(|| Utc::now().date_naive());
    check_date("diagnosed_on", diagnosed_on)?;
    let scope_key = format!("POST {}", request.path());
    let (created, replayed) = state
        .write(move |conn| {
            create_once(conn, &scope_key, key.0.as_deref(), &raw, |conn| {
                let scope = CaseScope::of(conn, &caller)?;
                let case = visible_case(conn, &scope, case_id)?;
                require_diagnosing(&case)?;
                let existing = store::of_case(conn, case_id)?;
                if existing.iter().any(|d| d.status == "draft") {
                    return Err(ApiError::conflict(
                        "case_id",
                        "draft_exists",
                        "The case already has a draft diagnosis; edit or finalize it.",
                    ));
                }
                let supersedes = existing
                    .iter()
                    .rev()
                    .find(|d| d.status == "final")
                    .map(|d| d.id);
                let assessed = match &value.health_assessment {
                    Some(input) => Some(assess(
                        conn,
                        subject_kind(&case)?,
                        input.instrument_id,
                        &input.scores,
                        "health_assessment",
                    )?),
                    None => None,
                };
                let fields = draft_fields(diagnosed_on, value.summary.clone(), assessed);
                let row = store::insert_draft(conn, case_id, supersedes, &fields)?;
                store::replace_findings(conn, row.id, &findings)?;
                let record = load(conn, row.id)?;
                audit.record(
                    conn,
                    "create",
                    "diagnosis",
                    Some(record.id.to_string()),
                    None,
                )?;
                Created::new(
                    &record,
                    format!("/api/v1/diagnoses/{}", record.id),
                    etag(record.version),
                )
            })
        })
        .await?;
    Ok(created.into_response(replayed))
}

fn draft_fields(
    diagnosed_on: NaiveDate,
    summary: Option<String>,
    assessed: Option<super::Assessed>,
) -> DraftFields {
    DraftFields {
        diagnosed_on,
        summary,
        instrument_id: assessed.as_ref().map(|a| a.instrument_id),
        assessment_inputs: assessed.as_ref().map(|a| a.inputs.clone()),
        assessment_result: assessed.as_ref().map(|a| a.result.clone()),
        assessment_total: assessed.as_ref().map(|a| a.total.clone()),
        assessment_predicate: assessed.map(|a| a.predicate),
    }
}

/// List a case's diagnoses, first to last (drafts, finals and the ones amended).
#[utoipa::path(
    operation_id = "list_case_diagnoses",
    tag = "clinic",
    params(("id" = i64, Path, description = "The case's id.", minimum = 1), PageQuery),
    responses(
        (status = 200, description = "One page of the case's diagnoses.", body = Page<Diagnosis>),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/cases/{id}/diagnoses")]
pub async fn list_case_diagnoses(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    query: QueryParams<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let case_id = id.into_inner();
    let page = PageRequest::new(query.0.page, query.0.page_size)?;
    let (items, total) = state
        .read(move |conn| {
            let scope = CaseScope::of(conn, &caller)?;
            visible_case(conn, &scope, case_id)?;
            let (rows, total) = page.slice(store::of_case(conn, case_id)?);
            Ok((load_rows(conn, rows)?, total))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page.wrap_capped(items, total)))
}

/// Read a diagnosis.
#[utoipa::path(
    operation_id = "get_diagnosis",
    tag = "clinic",
    params(("id" = i64, Path, description = "The diagnosis's id.", minimum = 1)),
    responses(
        (status = 200, description = "The diagnosis.", body = Diagnosis,
            headers(("ETag" = String, description = "Its version, for If-Match."))),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[get("/diagnoses/{id}")]
pub async fn get_diagnosis(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let record = state
        .read(move |conn| {
            in_scope(conn, &caller, id)?;
            load(conn, id)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}

/// Change a draft diagnosis.
///
/// Any member of the team (or office staff) edits a draft; a final diagnosis never changes (409).
/// Absent fields stay; `null` clears `summary` or `health_assessment`; `findings` replaces the
/// list. Send the `ETag` you read as `If-Match` (412 if it changed since).
#[utoipa::path(
    operation_id = "update_diagnosis",
    tag = "clinic",
    request_body = PatchDiagnosis,
    params(
        ("id" = i64, Path, description = "The diagnosis's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the diagnosis has changed since."),
    ),
    responses(
        (status = 200, description = "The changed draft.", body = Diagnosis,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 409, response = responses::Conflict),
        (status = 412, response = responses::PreconditionFailed),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[patch("/diagnoses/{id}")]
pub async fn update_diagnosis(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    if_match: IfMatch,
    audit: AuditContext,
    body: JsonBody<PatchDiagnosis>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.value;
    let mut violations = Violations::default();
    let findings = patch
        .findings
        .as_deref()
        .map(|f| check_findings(&mut violations, f));
    check_summary(
        &mut violations,
        patch.summary.as_ref().and_then(|s| s.as_deref()),
    );
    violations.into_result()?;
    if let Some(date) = patch.diagnosed_on {
        check_date("diagnosed_on", date)?;
    }
    let record = state
        .write(move |conn| {
            let (row, case, _) = in_scope(conn, &caller, id)?;
            require_draft(&row)?;
            if_match.check(row.version)?;
            let before = load(conn, id)?;
            let mut fields = DraftFields {
                diagnosed_on: patch.diagnosed_on.unwrap_or(row.diagnosed_on),
                summary: patch.summary.clone().unwrap_or(row.summary.clone()),
                instrument_id: row.instrument_id,
                assessment_inputs: row.assessment_inputs.clone(),
                assessment_result: row.assessment_result.clone(),
                assessment_total: row.assessment_total.clone(),
                assessment_predicate: row.assessment_predicate.clone(),
            };
            match &patch.health_assessment {
                None => {}
                Some(None) => fields = draft_fields(fields.diagnosed_on, fields.summary, None),
                Some(Some(input)) => {
                    let assessed = assess(
                        conn,
                        subject_kind(&case)?,
                        input.instrument_id,
                        &input.scores,
                        "health_assessment",
                    )?;
                    fields = draft_fields(fields.diagnosed_on, fields.summary, Some(assessed));
                }
            }
            store::update_draft(conn, id, row.version, &fields)?;
            if let Some(findings) = &findings {
                store::replace_findings(conn, id, findings)?;
            }
            let after = load(conn, id)?;
            audit.record(
                conn,
                "update",
                "diagnosis",
                Some(id.to_string()),
                Some(diff(Some(&before), Some(&after), &[])),
            )?;
            Ok(after)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}

/// Record a team member's own scores on a draft.
///
/// Each member of the diagnosis team may score the subject with an instrument; an assessor
/// records only their own scores, office staff any member's. Recording again replaces them.
#[utoipa::path(
    operation_id = "put_member_score",
    tag = "clinic",
    request_body = MemberScoreInput,
    params(
        ("id" = i64, Path, description = "The diagnosis's id.", minimum = 1),
        ("expert_id" = i64, Path, description = "The team member's expert id.", minimum = 1),
    ),
    responses(
        (status = 200, description = "The draft with the member's scores.", body = Diagnosis,
            headers(("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 409, response = responses::Conflict),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[put("/diagnoses/{id}/member-scores/{expert_id}")]
pub async fn put_member_score(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(i64, i64)>,
    audit: AuditContext,
    body: JsonBody<MemberScoreInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, expert_id) = path.into_inner();
    let input = body.value;
    let record = state
        .write(move |conn| {
            let (row, case, scope) = in_scope(conn, &caller, id)?;
            if !CaseScope::is_staff(&caller) && scope.expert() != Some(expert_id) {
                return Err(forbidden("An assessor records only their own scores."));
            }
            require_draft(&row)?;
            if !team(conn, case.id)?.iter().any(|(e, _)| *e == expert_id) {
                return Err(ApiError::validation(
                    "expert_id",
                    "not_on_team",
                    "is not on the case's diagnosis team",
                ));
            }
            let assessed = assess(
                conn,
                subject_kind(&case)?,
                input.instrument_id,
                &input.scores,
                "member_score",
            )?;
            store::put_member_score(
                conn,
                &MemberScoreRow {
                    diagnosis_id: id,
                    expert_id,
                    instrument_id: assessed.instrument_id,
                    inputs: assessed.inputs,
                    result: assessed.result,
                    total: assessed.total,
                    predicate: assessed.predicate,
                    recorded_at: now_utc(),
                },
            )?;
            audit.record(
                conn,
                "score",
                "diagnosis",
                Some(id.to_string()),
                Some(serde_json::json!({"expert_id": expert_id})),
            )?;
            load(conn, id)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}

/// Finalize a diagnosis.
///
/// The team's lead (or office staff on the lead's behalf) makes a draft final, recording who of
/// the team agreed (the lead always does). It needs at least one finding (422
/// `finding_required`) and a case in `diagnosing` (409). A final diagnosis never changes. The
/// case's first final health assessment becomes its baseline.
#[utoipa::path(
    operation_id = "finalize_diagnosis",
    tag = "clinic",
    request_body = FinalizeRequest,
    params(
        ("id" = i64, Path, description = "The diagnosis's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the diagnosis has changed since."),
    ),
    responses(
        (status = 200, description = "The final diagnosis.", body = Diagnosis,
            headers(("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 409, response = responses::Conflict),
        (status = 412, response = responses::PreconditionFailed),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::UnprocessableContent),
        (status = 500, response = responses::InternalError),
        (status = 503, response = responses::ServiceUnavailable),
    ),
)]
#[post("/diagnoses/{id}/finalize")]
pub async fn finalize_diagnosis(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    if_match: IfMatch,
    audit: AuditContext,
    body: JsonBody<FinalizeRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let request = body.value;
    let record = state
        .write(move |conn| {
            let (row, case, scope) = in_scope(conn, &caller, id)?;
            let members = team(conn, case.id)?;
            let lead = members.iter().find(|(_, lead)| *lead).map(|(e, _)| *e);
            if !CaseScope::is_staff(&caller) && (lead.is_none() || scope.expert() != lead) {
                return Err(forbidden(
                    "Only the team's lead (or office staff) finalizes a diagnosis.",
                ));
            }
            require_draft(&row)?;
            require_diagnosing(&case)?;
            if_match.check(row.version)?;
            if let Some(i) = request
                .agreed_expert_ids
                .iter()
                .position(|e| !members.iter().any(|(m, _)| m == e))
            {
                return Err(ApiError::validation(
                    &format!("agreed_expert_ids[{i}]"),
                    "not_on_team",
                    "is not on the case's diagnosis team",
                ));
            }
            if store::count_findings(conn, id)? == 0 {
                return Err(ApiError::validation(
                    "findings",
                    "finding_required",
                    "a diagnosis is finalized with at least one finding",
                ));
            }
            let mut agreed: Vec<i64> = request.agreed_expert_ids.clone();
            agreed.extend(lead);
            agreed.sort_unstable();
            agreed.dedup();
            let by = match &caller {
                Caller::User { username, .. } => username.clone(),
                Caller::Client { client_id, .. } => client_id.clone(),
            };
            store::finalize(conn, id, row.version, &by)?;
            store::add_agreements(conn, id, &agreed)?;
            audit.record(
                conn,
                "finalize",
                "diagnosis",
                Some(id.to_string()),
                Some(serde_json::json!({"agreed_expert_ids": agreed})),
            )?;
            load(conn, id)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, record.version, &record))
}
