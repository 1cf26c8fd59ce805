//! Mentoring activities of a case and the experts who took part.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use klinik_domain::clinic::outcome::ActivityKind;

use super::Paging;
use crate::ids::{ActivityId, CaseId, ExpertId, RecommendationId};
use crate::schema::{mentoring_activities, mentoring_activity_experts};
use crate::{AnyConnection, EnumText, Parsed, StoreError, Total, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = mentoring_activities)]
pub struct ActivityRow {
    pub id: ActivityId,
    pub case_id: CaseId,
    pub held_on: NaiveDate,
    #[diesel(deserialize_as = Parsed<ActivityKind>)]
    pub kind: ActivityKind,
    /// Decimal hours, stored as their text.
    #[diesel(deserialize_as = Parsed<rust_decimal::Decimal>)]
    pub hours: rust_decimal::Decimal,
    pub notes: Option<String>,
    pub recommendation_id: Option<RecommendationId>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What an activity records; an update writes all of it.
#[derive(Debug, Clone, PartialEq, Eq, Insertable, AsChangeset)]
#[diesel(table_name = mentoring_activities, treat_none_as_null = true)]
pub struct ActivityFields {
    pub held_on: NaiveDate,
    #[diesel(serialize_as = EnumText)]
    pub kind: ActivityKind,
    pub hours: String,
    pub notes: Option<String>,
    pub recommendation_id: Option<RecommendationId>,
}

pub fn insert(
    conn: &mut AnyConnection,
    case_id: CaseId,
    fields: ActivityFields,
) -> Result<ActivityRow, StoreError> {
    let now = now_utc();
    Ok(diesel::insert_into(mentoring_activities::table)
        .values((
            fields,
            mentoring_activities::case_id.eq(case_id),
            mentoring_activities::version.eq(1),
            mentoring_activities::created_at.eq(now),
            mentoring_activities::updated_at.eq(now),
        ))
        .returning(mentoring_activities::all_columns)
        .get_result(conn)?)
}

pub fn find(conn: &mut AnyConnection, id: ActivityId) -> Result<ActivityRow, StoreError> {
    Ok(mentoring_activities::table
        .filter(mentoring_activities::id.eq(id))
        .select(ActivityRow::as_select())
        .first(conn)?)
}

/// One page of a case's activities, latest first, and the exact total.
/// A case's activities, latest first; with `since`, only those changed since.
pub fn of_case(
    conn: &mut AnyConnection,
    case_id: CaseId,
    since: Option<chrono::NaiveDateTime>,
    paging: Paging,
) -> Result<(Vec<ActivityRow>, Total), StoreError> {
    let matching = || {
        let mut query = mentoring_activities::table
            .filter(mentoring_activities::case_id.eq(case_id))
            .into_boxed();
        if let Some(since) = since {
            query = query.filter(mentoring_activities::updated_at.ge(since));
        }
        query
    };
    let rows = matching()
        .order((
            mentoring_activities::held_on.desc(),
            mentoring_activities::id.desc(),
        ))
        .select(ActivityRow::as_select())
        .limit(paging.limit)
        .offset(paging.offset)
        .load(conn)?;
    let count = matching().count().get_result(conn)?;
    Ok((rows, Total { count, exact: true }))
}

pub fn count_of_case(conn: &mut AnyConnection, case_id: CaseId) -> Result<i64, StoreError> {
    Ok(mentoring_activities::table
        .filter(mentoring_activities::case_id.eq(case_id))
        .count()
        .get_result(conn)?)
}

crate::versioned_writes!(mentoring_activities, ActivityId, ActivityFields);

/// `(activity_id, expert_id)` of the given activities.
pub fn experts_of(
    conn: &mut AnyConnection,
    ids: &[ActivityId],
) -> Result<Vec<(ActivityId, ExpertId)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(mentoring_activity_experts::table
        .filter(mentoring_activity_experts::activity_id.eq_any(ids))
        .order((
            mentoring_activity_experts::activity_id,
            mentoring_activity_experts::expert_id,
        ))
        .select((
            mentoring_activity_experts::activity_id,
            mentoring_activity_experts::expert_id,
        ))
        .load(conn)?)
}

pub fn replace_experts(
    conn: &mut AnyConnection,
    activity_id: ActivityId,
    expert_ids: &[ExpertId],
) -> Result<(), StoreError> {
    diesel::delete(
        mentoring_activity_experts::table
            .filter(mentoring_activity_experts::activity_id.eq(activity_id)),
    )
    .execute(conn)?;
    for expert_id in expert_ids {
        diesel::insert_into(mentoring_activity_experts::table)
            .values((
                mentoring_activity_experts::activity_id.eq(activity_id),
                mentoring_activity_experts::expert_id.eq(expert_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}
