//! Mentoring activities of a case (visits, trainings, consultations…) with the experts who took
//! part and the hours; notes are never logged.

pub mod model;

use std::collections::HashMap;

use chrono::Utc;
use klinik_domain::clinic::case::CaseStatus;
use klinik_persistence::clinic::activities::{self as store, ActivityFields, ActivityRow};
use klinik_persistence::clinic::cases::CaseRow;
use klinik_persistence::clinic::{experts, recommendations};

use crate::clinic::cases::access::{CaseScope, visible_case};
use crate::prelude::*;
pub use model::{Activity, ActivityExpert, CreateActivity, PatchActivity};

fn load_rows(conn: &mut AnyConnection, rows: Vec<ActivityRow>) -> Result<Vec<Activity>, Error> {
    let ids: Vec<ActivityId> = rows.iter().map(|r| r.id).collect();
    let links = store::experts_of(conn, &ids)?;
    let people: Vec<ExpertId> = links.iter().map(|(_, e)| *e).collect();
    let names: HashMap<ExpertId, String> = experts::names(conn, &people)?
        .into_iter()
        .map(|(id, name, _)| (id, name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let experts = links
                .iter()
                .filter(|(a, _)| *a == row.id)
                .map(|(_, e)| ActivityExpert {
                    expert_id: e.get(),
                    full_name: names.get(e).cloned().unwrap_or_default(),
                })
                .collect();
            Activity::from_row(row, experts)
        })
        .collect())
}

fn load(conn: &mut AnyConnection, id: ActivityId) -> Result<Activity, Error> {
    let row = store::find(conn, id).map_err(Error::missing(Record::Activity))?;
    load_rows(conn, vec![row])?
        .pop()
        .ok_or_else(|| Error::not_found(Record::Activity))
}

fn in_scope(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: ActivityId,
) -> Result<(ActivityRow, CaseRow), Error> {
    let row = store::find(conn, id).map_err(Error::missing(Record::Activity))?;
    let scope = CaseScope::of(conn, caller)?;
    let case = visible_case(conn, &scope, row.case_id).map_err(|e| match e {
        Error::NotFound { .. } => Error::not_found(Record::Activity),
        other => other,
    })?;
    Ok((row, case))
}

fn require_mentoring(case: &CaseRow) -> Result<(), Error> {
    if !matches!(case.status, CaseStatus::Mentoring | CaseStatus::Evaluating) {
        return Err(Error::conflict(
            "case_id",
            "case_not_mentoring",
            msg!(
                "The case is %{status}; activities are recorded while it is mentored or evaluated.",
                status = case.status
            ),
        ));
    }
    Ok(())
}

fn check_references(
    conn: &mut AnyConnection,
    case_id: CaseId,
    draft: &model::Draft,
) -> Result<(), Error> {
    let found = experts::existing_ids(conn, &draft.expert_ids)?;
    if let Some(i) = draft.expert_ids.iter().position(|id| !found.contains(id)) {
        return Err(Error::validation(
            &format!("expert_ids[{i}]"),
            "unknown_expert",
            msg!("is not an expert (or it is archived)"),
        ));
    }
    if let Some(id) = draft.fields.recommendation_id {
        let theirs = recommendations::find(conn, id)
            .ok()
            .is_some_and(|r| r.case_id == case_id);
        if !theirs {
            return Err(Error::validation(
                "recommendation_id",
                "recommendation_not_in_case",
                msg!("is not a recommendation of this case"),
            ));
        }
    }
    Ok(())
}

/// An activity: found by id; a change is its fields and its experts.
pub struct ActivityEntity;

impl Entity for ActivityEntity {
    type Id = ActivityId;
    type Row = ActivityRow;
    type View = Activity;
    type Changes = (ActivityFields, Vec<ExpertId>);
    const KIND: &'static str = "activity";
    const NAME: Record = Record::Activity;
    /// Notes may describe people.
    const PERSONAL: &'static [&'static str] = &["notes"];

    fn find(conn: &mut AnyConnection, id: ActivityId) -> Result<ActivityRow, Error> {
        store::find(conn, id).map_err(Error::missing(Self::NAME))
    }

    fn view(conn: &mut AnyConnection, _: &Ctx, row: ActivityRow) -> Result<Activity, Error> {
        load(conn, row.id)
    }

    fn store(
        conn: &mut AnyConnection,
        id: ActivityId,
        expected_version: i64,
        (fields, experts): Self::Changes,
    ) -> Result<(), Error> {
        store::update(conn, id, expected_version, fields)?;
        store::replace_experts(conn, id, &experts)?;
        Ok(())
    }
}

/// Records an activity while the case is mentored or evaluated (409 otherwise).
pub async fn create(
    ctx: &Ctx,
    case_id: CaseId,
    request: Idempotency,
    value: CreateActivity,
) -> Result<Created, Error> {
    let draft = value.into_draft();
    model::check(&draft, Utc::now().date_naive())?;
    ctx.write(move |conn, ctx| {
        create_once(conn, ctx, &request, |conn| {
            let scope = CaseScope::of(conn, &ctx.caller)?;
            let case = visible_case(conn, &scope, case_id)?;
            require_mentoring(&case)?;
            check_references(conn, case_id, &draft)?;
            let row = store::insert(conn, case_id, draft.fields.clone())?;
            store::replace_experts(conn, row.id, &draft.expert_ids)?;
            let record = load(conn, row.id)?;
            versioned::committed(
                conn,
                ctx,
                "create",
                "activity",
                &record.id.to_string(),
                None,
            )?;
            Created::new(&record, format!("/api/v1/activities/{}", record.id))
        })
    })
    .await
}

/// A case's activities, latest first.
pub async fn list_of_case(
    ctx: &Ctx,
    case_id: CaseId,
    query: SyncPageQuery,
) -> Result<Page<Activity>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    let since = query.since();
    let (items, total) = ctx
        .read(move |conn, ctx| {
            let scope = CaseScope::of(conn, &ctx.caller)?;
            visible_case(conn, &scope, case_id)?;
            let (rows, total) = store::of_case(conn, case_id, since, paging(&page))?;
            Ok::<_, Error>((load_rows(conn, rows)?, total))
        })
        .await?;
    Ok(page.wrap_capped(items, total))
}

pub async fn get(ctx: &Ctx, id: ActivityId) -> Result<Activity, Error> {
    ctx.read(move |conn, ctx| {
        in_scope(conn, &ctx.caller, id)?;
        load(conn, id)
    })
    .await
}

pub async fn update(
    ctx: &Ctx,
    id: ActivityId,
    if_match: IfMatch,
    patch: PatchActivity,
) -> Result<Activity, Error> {
    ctx.write(move |conn, ctx| {
        let (_, case) = in_scope(conn, &ctx.caller, id)?;
        versioned::update::<ActivityEntity>(conn, ctx, id, &if_match, |conn, row| {
            let experts = store::experts_of(conn, &[id])?
                .into_iter()
                .map(|(_, e)| e)
                .collect();
            let draft = patch.merge(row, experts);
            model::check(&draft, Utc::now().date_naive())?;
            require_mentoring(&case)?;
            check_references(conn, row.case_id, &draft)?;
            Ok((draft.fields, draft.expert_ids))
        })
    })
    .await
}
