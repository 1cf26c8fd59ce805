//! Clinic sessions: events with speakers, experts present and the cases that attend.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use klinik_domain::clinic::{MemberDuty, SessionDuty, SessionKind};

use super::Paging;
use crate::ids::{CaseId, ClinicSessionId, ExpertId, ProgrammeId};
use crate::schema::{case_members, clinic_session_cases, clinic_session_experts, clinic_sessions};
use crate::{AnyConnection, EnumText, Parsed, StoreError, Total, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = clinic_sessions)]
pub struct SessionRow {
    pub id: ClinicSessionId,
    pub programme_id: ProgrammeId,
    pub starts_at: NaiveDateTime,
    pub venue: String,
    #[diesel(deserialize_as = Parsed<SessionKind>)]
    pub kind: SessionKind,
    pub notes: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Insertable, AsChangeset)]
#[diesel(table_name = clinic_sessions, treat_none_as_null = true)]
pub struct SessionFields {
    pub programme_id: ProgrammeId,
    pub starts_at: NaiveDateTime,
    pub venue: String,
    #[diesel(serialize_as = EnumText)]
    pub kind: SessionKind,
    pub notes: Option<String>,
}

/// Who was at a session: experts by duty (`speaker` or `present`) and cases with attendance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attendance {
    pub speakers: Vec<ExpertId>,
    pub experts_present: Vec<ExpertId>,
    /// `(case_id, present)`.
    pub cases: Vec<(CaseId, bool)>,
}

#[derive(Debug, Clone, Default)]
pub struct SessionFilter {
    /// Only records changed at or after this time (a sync's catch-up).
    pub updated_since: Option<chrono::NaiveDateTime>,
    pub programme_id: Option<ProgrammeId>,
    pub kind: Option<SessionKind>,
    pub case_id: Option<CaseId>,
    /// Only sessions one of these experts attended or that a case of their teams attended (an
    /// assessor's own).
    pub visible_to: Option<Vec<ExpertId>>,
}

pub fn insert(conn: &mut AnyConnection, fields: SessionFields) -> Result<SessionRow, StoreError> {
    let now = now_utc();
    Ok(diesel::insert_into(clinic_sessions::table)
        .values((
            fields,
            clinic_sessions::version.eq(1),
            clinic_sessions::created_at.eq(now),
            clinic_sessions::updated_at.eq(now),
        ))
        .returning(clinic_sessions::all_columns)
        .get_result(conn)?)
}

pub fn find(conn: &mut AnyConnection, id: ClinicSessionId) -> Result<SessionRow, StoreError> {
    Ok(clinic_sessions::table
        .filter(clinic_sessions::id.eq(id))
        .select(SessionRow::as_select())
        .first(conn)?)
}

type Backend = <AnyConnection as diesel::Connection>::Backend;

fn filtered(filter: &SessionFilter) -> clinic_sessions::BoxedQuery<'static, Backend> {
    let mut query = clinic_sessions::table.into_boxed();
    if let Some(since) = filter.updated_since {
        query = query.filter(clinic_sessions::updated_at.ge(since));
    }
    if let Some(id) = filter.programme_id {
        query = query.filter(clinic_sessions::programme_id.eq(id));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(clinic_sessions::kind.eq(kind.as_str()));
    }
    if let Some(case_id) = filter.case_id {
        let attended = clinic_session_cases::table
            .filter(clinic_session_cases::case_id.eq(case_id))
            .select(clinic_session_cases::session_id);
        query = query.filter(clinic_sessions::id.eq_any(attended));
    }
    if let Some(experts) = &filter.visible_to {
        let present = clinic_session_experts::table
            .filter(clinic_session_experts::expert_id.eq_any(experts.clone()))
            .select(clinic_session_experts::session_id);
        let their_cases = case_members::table
            .filter(case_members::expert_id.eq_any(experts.clone()))
            .filter(case_members::duty.eq(MemberDuty::Team.as_str()))
            .select(case_members::case_id);
        let with_their_cases = clinic_session_cases::table
            .filter(clinic_session_cases::case_id.eq_any(their_cases))
            .select(clinic_session_cases::session_id);
        query = query.filter(
            clinic_sessions::id
                .eq_any(present)
                .or(clinic_sessions::id.eq_any(with_their_cases)),
        );
    }
    query
}

/// Whether the session `id` passes `filter`.
pub fn contains(
    conn: &mut AnyConnection,
    filter: &SessionFilter,
    id: ClinicSessionId,
) -> Result<bool, StoreError> {
    let found: i64 = filtered(filter)
        .filter(clinic_sessions::id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

/// One page, latest first, and the exact total.
pub fn list(
    conn: &mut AnyConnection,
    filter: &SessionFilter,
    paging: Paging,
) -> Result<(Vec<SessionRow>, Total), StoreError> {
    let rows = filtered(filter)
        .order((
            clinic_sessions::starts_at.desc(),
            clinic_sessions::id.desc(),
        ))
        .select(SessionRow::as_select())
        .limit(paging.limit)
        .offset(paging.offset)
        .load(conn)?;
    let count: i64 = filtered(filter).count().get_result(conn)?;
    Ok((rows, Total { count, exact: true }))
}

crate::versioned_writes!(clinic_sessions, ClinicSessionId, SessionFields);

pub fn attendance_of(
    conn: &mut AnyConnection,
    ids: &[ClinicSessionId],
) -> Result<Vec<(ClinicSessionId, Attendance)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let experts: Vec<(ClinicSessionId, ExpertId, Parsed<SessionDuty>)> =
        clinic_session_experts::table
            .filter(clinic_session_experts::session_id.eq_any(ids))
            .order((
                clinic_session_experts::session_id,
                clinic_session_experts::expert_id,
            ))
            .select((
                clinic_session_experts::session_id,
                clinic_session_experts::expert_id,
                clinic_session_experts::duty,
            ))
            .load(conn)?;
    let cases: Vec<(ClinicSessionId, CaseId, bool)> = clinic_session_cases::table
        .filter(clinic_session_cases::session_id.eq_any(ids))
        .order((
            clinic_session_cases::session_id,
            clinic_session_cases::case_id,
        ))
        .select((
            clinic_session_cases::session_id,
            clinic_session_cases::case_id,
            clinic_session_cases::present,
        ))
        .load(conn)?;
    Ok(ids
        .iter()
        .map(|id| {
            let mut attendance = Attendance::default();
            for (_, expert, duty) in experts.iter().filter(|(s, _, _)| s == id) {
                match duty.0 {
                    SessionDuty::Speaker => attendance.speakers.push(*expert),
                    SessionDuty::Present => attendance.experts_present.push(*expert),
                }
            }
            attendance.cases = cases
                .iter()
                .filter(|(s, _, _)| s == id)
                .map(|(_, case, present)| (*case, *present))
                .collect();
            (*id, attendance)
        })
        .collect())
}

/// Replaces who was at a session.
pub fn replace_attendance(
    conn: &mut AnyConnection,
    session_id: ClinicSessionId,
    attendance: &Attendance,
) -> Result<(), StoreError> {
    diesel::delete(
        clinic_session_experts::table.filter(clinic_session_experts::session_id.eq(session_id)),
    )
    .execute(conn)?;
    diesel::delete(
        clinic_session_cases::table.filter(clinic_session_cases::session_id.eq(session_id)),
    )
    .execute(conn)?;
    let duties = [
        (SessionDuty::Speaker, &attendance.speakers),
        (SessionDuty::Present, &attendance.experts_present),
    ];
    for (duty, experts) in duties {
        for expert_id in experts {
            diesel::insert_into(clinic_session_experts::table)
                .values((
                    clinic_session_experts::session_id.eq(session_id),
                    clinic_session_experts::expert_id.eq(expert_id),
                    clinic_session_experts::duty.eq(duty.as_str()),
                ))
                .execute(conn)?;
        }
    }
    for (case_id, present) in &attendance.cases {
        diesel::insert_into(clinic_session_cases::table)
            .values((
                clinic_session_cases::session_id.eq(session_id),
                clinic_session_cases::case_id.eq(case_id),
                clinic_session_cases::present.eq(present),
            ))
            .execute(conn)?;
    }
    Ok(())
}
