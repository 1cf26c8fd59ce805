//! Clinic sessions: events of a programme (information, diagnosis, training, mentoring,
//! monitoring) with their venue, speakers, the experts present and the cases that attended.

pub mod model;

use std::collections::{HashMap, HashSet};

use klinik_domain::clinic::SessionKind;
use klinik_persistence::StoreError;
use klinik_persistence::clinic::sessions::{
    self as store, Attendance, SessionFields, SessionFilter, SessionRow,
};
use klinik_persistence::clinic::{cases, experts, programmes};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::clinic::cases::access::CaseScope;
use crate::prelude::*;

pub use model::{CreateSession, PatchSession, Session, SessionCase, SessionExpert};

fn with_attendance(conn: &mut AnyConnection, rows: Vec<SessionRow>) -> Result<Vec<Session>, Error> {
    let ids: Vec<ClinicSessionId> = rows.iter().map(|r| r.id).collect();
    let mut attendance: HashMap<ClinicSessionId, Attendance> =
        store::attendance_of(conn, &ids)?.into_iter().collect();
    let people: Vec<ExpertId> = attendance
        .values()
        .flat_map(|a| a.speakers.iter().chain(a.experts_present.iter()).copied())
        .collect();
    let names: HashMap<ExpertId, String> = experts::names(conn, &people)?
        .into_iter()
        .map(|(id, name, _)| (id, name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let seen = attendance.remove(&row.id).unwrap_or_default();
            Session::from_row(row, seen, |id| names.get(&id).cloned().unwrap_or_default())
        })
        .collect())
}

fn load(conn: &mut AnyConnection, id: ClinicSessionId) -> Result<Session, Error> {
    let row = store::find(conn, id).map_err(Error::missing(Record::ClinicSession))?;
    with_attendance(conn, vec![row])?
        .pop()
        .ok_or_else(|| Error::not_found(Record::ClinicSession))
}

/// Sessions as `scope` may see them: an assessor sees a session they attended or that a case of
/// their teams attended, and in it only their teams' cases (another team's case is not theirs to
/// learn of); others see every case.
fn as_seen(
    conn: &mut AnyConnection,
    scope: &CaseScope,
    mut sessions: Vec<Session>,
) -> Result<Vec<Session>, Error> {
    let CaseScope::TeamOf(expert) = scope else {
        return Ok(sessions);
    };
    let listed: Vec<CaseId> = sessions
        .iter()
        .flat_map(|s| s.cases.iter().map(|c| CaseId(c.case_id)))
        .collect();
    let theirs: HashSet<CaseId> = match expert {
        Some(expert) => cases::on_team_of(conn, *expert, &listed)?
            .into_iter()
            .collect(),
        None => HashSet::new(),
    };
    for session in &mut sessions {
        session
            .cases
            .retain(|c| theirs.contains(&CaseId(c.case_id)));
    }
    Ok(sessions)
}

/// One session as the caller's scope may see it; 404 when it is not theirs to see.
fn load_as_seen(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: ClinicSessionId,
) -> Result<Session, Error> {
    let scope = CaseScope::of(conn, caller)?;
    if let Some(experts) = scope.team_filter() {
        let filter = SessionFilter {
            visible_to: Some(experts),
            ..SessionFilter::default()
        };
        if !store::contains(conn, &filter, id)? {
            return Err(Error::not_found(Record::ClinicSession));
        }
    }
    let session = load(conn, id)?;
    as_seen(conn, &scope, vec![session])?
        .pop()
        .ok_or_else(|| Error::not_found(Record::ClinicSession))
}

/// The programme must exist, the experts too, and every case belong to the programme (422).
fn check_references(
    conn: &mut AnyConnection,
    programme_id: ProgrammeId,
    attendance: &Attendance,
) -> Result<(), Error> {
    programmes::find(conn, programme_id, false).map_err(|e| match e {
        StoreError::NotFound => Error::validation(
            "programme_id",
            "unknown_programme",
            msg!("is not a programme (or it is archived)"),
        ),
        other => other.into(),
    })?;
    for (field, ids) in [
        ("speaker_ids", &attendance.speakers),
        ("expert_ids_present", &attendance.experts_present),
    ] {
        let found = experts::existing_ids(conn, ids)?;
        if let Some(i) = ids.iter().position(|id| !found.contains(id)) {
            return Err(Error::validation(
                &format!("{field}[{i}]"),
                "unknown_expert",
                msg!("is not an expert (or it is archived)"),
            ));
        }
    }
    let case_ids: Vec<CaseId> = attendance.cases.iter().map(|(c, _)| *c).collect();
    let found = cases::programmes_of(conn, &case_ids)?;
    if let Some(i) = case_ids
        .iter()
        .position(|id| !found.iter().any(|(c, p)| c == id && *p == programme_id))
    {
        return Err(Error::validation(
            &format!("cases[{i}].case_id"),
            "case_not_in_programme",
            msg!("is not a case of this session's programme"),
        ));
    }
    Ok(())
}

/// A session; a change is its columns and its whole attendance.
pub struct SessionEntity;

impl Entity for SessionEntity {
    type Id = ClinicSessionId;
    type Row = SessionRow;
    type View = Session;
    type Changes = (SessionFields, Attendance);
    const KIND: &'static str = "clinic_session";
    const NAME: Record = Record::ClinicSession;
    /// Notes may describe people.
    const PERSONAL: &'static [&'static str] = &["notes"];

    fn find(conn: &mut AnyConnection, id: ClinicSessionId) -> Result<SessionRow, Error> {
        store::find(conn, id).map_err(Error::missing(Self::NAME))
    }

    fn view(conn: &mut AnyConnection, _: &Ctx, row: SessionRow) -> Result<Session, Error> {
        load(conn, row.id)
    }

    fn store(
        conn: &mut AnyConnection,
        id: ClinicSessionId,
        expected_version: i64,
        (fields, attendance): Self::Changes,
    ) -> Result<(), Error> {
        store::update(conn, id, expected_version, fields)?;
        store::replace_attendance(conn, id, &attendance)?;
        Ok(())
    }
}

pub async fn create(
    ctx: &Ctx,
    request: Idempotency,
    body: CreateSession,
) -> Result<Created, Error> {
    let (fields, attendance) = body.split();
    model::check(&fields, &attendance)?;
    ctx.write(move |conn, ctx| {
        create_once(conn, ctx, &request, |conn| {
            check_references(conn, fields.programme_id, &attendance)?;
            let row = store::insert(conn, fields)?;
            store::replace_attendance(conn, row.id, &attendance)?;
            let record = load(conn, row.id)?;
            versioned::committed(
                conn,
                ctx,
                "create",
                SessionEntity::KIND,
                &record.id.to_string(),
                None,
            )?;
            Created::new(&record, format!("/api/v1/clinic-sessions/{}", record.id))
        })
    })
    .await
}

/// Filters of the session list; they combine with AND. Unknown parameters are a 400.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SessionQuery {
    /// Only records changed at or after this time (RFC 3339, e.g. `2026-01-31T00:00:00Z`; by
    /// `updated_at`): a sync's catch-up. Archived records count only with `include_archived`
    /// where the list has it; the change feed (`/changes`) shows archivals too.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Only sessions of this programme.
    #[param(minimum = 1)]
    pub programme_id: Option<i64>,
    /// Only sessions of this kind.
    pub kind: Option<SessionKind>,
    /// Only sessions this case was invited to.
    #[param(minimum = 1)]
    pub case_id: Option<i64>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// Sessions, latest first.
pub async fn list(ctx: &Ctx, q: SessionQuery) -> Result<Page<Session>, Error> {
    let page = PageRequest::new(q.page, q.page_size)?;
    check_ids(&[("programme_id", q.programme_id), ("case_id", q.case_id)])?;
    let mut filter = SessionFilter {
        updated_since: q.updated_since.map(|t| t.naive_utc()),
        programme_id: q.programme_id.map(ProgrammeId),
        kind: q.kind,
        case_id: q.case_id.map(CaseId),
        visible_to: None,
    };
    let (items, total) = ctx
        .read(move |conn, ctx| {
            let scope = CaseScope::of(conn, &ctx.caller)?;
            filter.visible_to = scope.team_filter();
            let (rows, total) = store::list(conn, &filter, paging(&page))?;
            let sessions = with_attendance(conn, rows)?;
            Ok::<_, Error>((as_seen(conn, &scope, sessions)?, total))
        })
        .await?;
    Ok(page.wrap_capped(items, total))
}

pub async fn get(ctx: &Ctx, id: ClinicSessionId) -> Result<Session, Error> {
    ctx.read(move |conn, ctx| load_as_seen(conn, &ctx.caller, id))
        .await
}

pub async fn update(
    ctx: &Ctx,
    id: ClinicSessionId,
    if_match: IfMatch,
    patch: PatchSession,
) -> Result<Session, Error> {
    ctx.write(move |conn, ctx| {
        versioned::update::<SessionEntity>(conn, ctx, id, &if_match, |conn, row| {
            let current = store::attendance_of(conn, &[id])?
                .pop()
                .map(|(_, a)| a)
                .unwrap_or_default();
            let (fields, attendance) = patch.merge(row, current);
            model::check(&fields, &attendance)?;
            check_references(conn, fields.programme_id, &attendance)?;
            Ok((fields, attendance))
        })
    })
    .await
}
