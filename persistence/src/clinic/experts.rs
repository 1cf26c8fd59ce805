//! Experts: the people of diagnosis teams, mentors and speakers, with their areas of expertise.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use klinik_domain::clinic::{ExpertRole, ProblemCategory};

use super::Paging;
use crate::ids::{ExpertId, PartnerId, UserId};
use crate::schema::{expert_expertise, experts};
use crate::search::lower;
use crate::{AnyConnection, EnumText, Parsed, StoreError, Total, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = experts)]
pub struct ExpertRow {
    pub id: ExpertId,
    pub full_name: String,
    #[diesel(deserialize_as = Parsed<ExpertRole>)]
    pub role: ExpertRole,
    pub partner_id: Option<PartnerId>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub user_id: Option<UserId>,
    pub active: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub archived_at: Option<NaiveDateTime>,
}

/// Every column a client sets; an update writes them all (the API merges a patch first).
#[derive(Debug, Clone, PartialEq, Eq, Insertable, AsChangeset)]
#[diesel(table_name = experts, treat_none_as_null = true)]
pub struct ExpertFields {
    pub full_name: String,
    #[diesel(serialize_as = EnumText)]
    pub role: ExpertRole,
    pub partner_id: Option<PartnerId>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub user_id: Option<UserId>,
    pub active: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ExpertFilter {
    /// Only records changed at or after this time (a sync's catch-up).
    pub updated_since: Option<chrono::NaiveDateTime>,
    pub role: Option<ExpertRole>,
    pub partner_id: Option<PartnerId>,
    pub expertise: Option<ProblemCategory>,
    pub active: Option<bool>,
    pub q: Option<String>,
    pub include_archived: bool,
}

pub fn insert(conn: &mut AnyConnection, fields: ExpertFields) -> Result<ExpertRow, StoreError> {
    let now = now_utc();
    Ok(diesel::insert_into(experts::table)
        .values((
            fields,
            experts::version.eq(1),
            experts::created_at.eq(now),
            experts::updated_at.eq(now),
        ))
        .returning(experts::all_columns)
        .get_result(conn)?)
}

pub fn find(
    conn: &mut AnyConnection,
    id: ExpertId,
    include_archived: bool,
) -> Result<ExpertRow, StoreError> {
    let mut query = experts::table.filter(experts::id.eq(id)).into_boxed();
    if !include_archived {
        query = query.filter(experts::archived_at.is_null());
    }
    Ok(query.select(ExpertRow::as_select()).first(conn)?)
}

type Backend = <AnyConnection as diesel::Connection>::Backend;

fn filtered(filter: &ExpertFilter) -> experts::BoxedQuery<'static, Backend> {
    let mut query = experts::table.into_boxed();
    if !filter.include_archived {
        query = query.filter(experts::archived_at.is_null());
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(experts::updated_at.ge(since));
    }
    if let Some(role) = filter.role {
        query = query.filter(experts::role.eq(role.as_str()));
    }
    if let Some(partner) = filter.partner_id {
        query = query.filter(experts::partner_id.eq(partner));
    }
    if let Some(category) = filter.expertise {
        let with_it = expert_expertise::table
            .filter(expert_expertise::category.eq(category.as_str()))
            .select(expert_expertise::expert_id);
        query = query.filter(experts::id.eq_any(with_it));
    }
    if let Some(active) = filter.active {
        query = query.filter(experts::active.eq(active));
    }
    if let Some(term) = &filter.q {
        query = query.filter(
            lower(experts::full_name)
                .like(crate::like_pattern(term))
                .escape('\\'),
        );
    }
    query
}

/// One page by name, and the exact total.
pub fn list(
    conn: &mut AnyConnection,
    filter: &ExpertFilter,
    paging: Paging,
) -> Result<(Vec<ExpertRow>, Total), StoreError> {
    let rows = filtered(filter)
        .order((experts::full_name.asc(), experts::id.asc()))
        .select(ExpertRow::as_select())
        .limit(paging.limit)
        .offset(paging.offset)
        .load(conn)?;
    let count: i64 = filtered(filter).count().get_result(conn)?;
    Ok((rows, Total { count, exact: true }))
}

crate::versioned_writes!(experts, ExpertId, ExpertFields);

/// Archives the expert (who is no longer active) if still at `expected_version`.
pub fn archive(
    conn: &mut AnyConnection,
    id: ExpertId,
    expected_version: i64,
) -> Result<(), StoreError> {
    let now = now_utc();
    let updated = diesel::update(
        experts::table
            .filter(experts::id.eq(id))
            .filter(experts::version.eq(expected_version)),
    )
    .set((
        experts::archived_at.eq(Some(now)),
        experts::active.eq(false),
        experts::updated_at.eq(now),
        experts::version.eq(expected_version + 1),
    ))
    .execute(conn)?;
    crate::versioned::one_row(updated)
}

/// `(expert_id, category)` of the given experts, in category order.
pub fn expertise_of(
    conn: &mut AnyConnection,
    ids: &[ExpertId],
) -> Result<Vec<(ExpertId, ProblemCategory)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(expert_expertise::table
        .filter(expert_expertise::expert_id.eq_any(ids))
        .order((expert_expertise::expert_id, expert_expertise::category))
        .select((expert_expertise::expert_id, expert_expertise::category))
        .load::<(ExpertId, Parsed<ProblemCategory>)>(conn)?
        .into_iter()
        .map(|(id, category)| (id, category.0))
        .collect())
}

/// Replaces an expert's areas of expertise.
pub fn replace_expertise(
    conn: &mut AnyConnection,
    expert_id: ExpertId,
    categories: &[ProblemCategory],
) -> Result<(), StoreError> {
    diesel::delete(expert_expertise::table.filter(expert_expertise::expert_id.eq(expert_id)))
        .execute(conn)?;
    // One insert per row, as `MultiConnection` writes them; an expert has at most 14 categories.
    for category in categories {
        diesel::insert_into(expert_expertise::table)
            .values((
                expert_expertise::expert_id.eq(expert_id),
                expert_expertise::category.eq(category.as_str()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Which of `ids` are experts that are active and not archived.
pub fn active_ids(conn: &mut AnyConnection, ids: &[ExpertId]) -> Result<Vec<ExpertId>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(experts::table
        .filter(experts::id.eq_any(ids))
        .filter(experts::active.eq(true))
        .filter(experts::archived_at.is_null())
        .select(experts::id)
        .load(conn)?)
}

/// The expert a user account is linked to, if any (at most one: `user_id` is unique).
pub fn of_user(conn: &mut AnyConnection, user_id: UserId) -> Result<Option<ExpertId>, StoreError> {
    Ok(experts::table
        .filter(experts::user_id.eq(user_id))
        .filter(experts::archived_at.is_null())
        .select(experts::id)
        .first(conn)
        .optional()?)
}

/// `(id, full_name, role)` of the given experts.
pub fn names(
    conn: &mut AnyConnection,
    ids: &[ExpertId],
) -> Result<Vec<(ExpertId, String, ExpertRole)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(experts::table
        .filter(experts::id.eq_any(ids))
        .select((experts::id, experts::full_name, experts::role))
        .load::<(ExpertId, String, Parsed<ExpertRole>)>(conn)?
        .into_iter()
        .map(|(id, name, role)| (id, name, role.0))
        .collect())
}

/// Which of `ids` are experts that are not archived (active or not).
pub fn existing_ids(
    conn: &mut AnyConnection,
    ids: &[ExpertId],
) -> Result<Vec<ExpertId>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(experts::table
        .filter(experts::id.eq_any(ids))
        .filter(experts::archived_at.is_null())
        .select(experts::id)
        .load(conn)?)
}
