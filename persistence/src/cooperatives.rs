//! The cooperative registry: rows, board members, list queries, versioned updates, archiving.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use klinik_domain::activity_status::ActivityStatus;
use klinik_domain::cooperative::{
    BoardRole, CooperativeForm, CooperativeType, ManagementPattern, MembershipArea,
};

use crate::ids::CooperativeId;
use crate::schema::{board_members, cooperatives, kelurahan};
use crate::search::lower;
use crate::{AnyConnection, EnumText, Parsed, ParsedOpt, StoreError, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = cooperatives)]
pub struct CooperativeRow {
    pub id: CooperativeId,
    pub registration_number: Option<String>,
    pub name: String,
    pub legal_entity_number: Option<String>,
    pub legal_entity_date: Option<NaiveDate>,
    #[diesel(deserialize_as = Parsed<CooperativeForm>)]
    pub form: CooperativeForm,
    #[diesel(deserialize_as = Parsed<CooperativeType>)]
    pub cooperative_type: CooperativeType,
    #[diesel(deserialize_as = Parsed<ManagementPattern>)]
    pub management_pattern: ManagementPattern,
    pub savings_and_loan: bool,
    pub nib: Option<String>,
    pub npwp: Option<String>,
    #[diesel(deserialize_as = Parsed<MembershipArea>)]
    pub membership_area: MembershipArea,
    pub street: Option<String>,
    pub rt_rw: Option<String>,
    pub kelurahan_code: String,
    pub postal_code: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    #[diesel(deserialize_as = Parsed<ActivityStatus>)]
    pub computed_status: ActivityStatus,
    pub status_rule: String,
    #[diesel(deserialize_as = ParsedOpt<ActivityStatus>)]
    pub status_override: Option<ActivityStatus>,
    pub status_override_reason: Option<String>,
    #[diesel(deserialize_as = Parsed<ActivityStatus>)]
    pub status: ActivityStatus,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub archived_at: Option<NaiveDateTime>,
}

/// The fields a client sets when registering a cooperative.
#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = cooperatives, treat_none_as_null = true)]
pub struct CooperativeFields {
    pub registration_number: Option<String>,
    pub name: String,
    pub legal_entity_number: Option<String>,
    pub legal_entity_date: Option<NaiveDate>,
    #[diesel(serialize_as = EnumText)]
    pub form: CooperativeForm,
    #[diesel(serialize_as = EnumText)]
    pub cooperative_type: CooperativeType,
    #[diesel(serialize_as = EnumText)]
    pub management_pattern: ManagementPattern,
    pub savings_and_loan: bool,
    pub nib: Option<String>,
    pub npwp: Option<String>,
    #[diesel(serialize_as = EnumText)]
    pub membership_area: MembershipArea,
    pub street: Option<String>,
    pub rt_rw: Option<String>,
    pub kelurahan_code: String,
    pub postal_code: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A computed status with the name of the rule that produced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComputedStatus {
    pub status: ActivityStatus,
    pub rule: String,
}

/// A partial update: `None` leaves a column alone; `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default, PartialEq, Eq, AsChangeset)]
#[diesel(table_name = cooperatives)]
pub struct CooperativeChanges {
    pub registration_number: Option<Option<String>>,
    pub name: Option<String>,
    pub legal_entity_number: Option<Option<String>>,
    pub legal_entity_date: Option<Option<NaiveDate>>,
    #[diesel(serialize_as = EnumText)]
    pub form: Option<CooperativeForm>,
    #[diesel(serialize_as = EnumText)]
    pub cooperative_type: Option<CooperativeType>,
    #[diesel(serialize_as = EnumText)]
    pub management_pattern: Option<ManagementPattern>,
    pub savings_and_loan: Option<bool>,
    pub nib: Option<Option<String>>,
    pub npwp: Option<Option<String>>,
    #[diesel(serialize_as = EnumText)]
    pub membership_area: Option<MembershipArea>,
    pub street: Option<Option<String>>,
    pub rt_rw: Option<Option<String>>,
    pub kelurahan_code: Option<String>,
    pub postal_code: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub email: Option<Option<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = board_members, check_for_backend(crate::connection::MultiBackend))]
pub struct BoardMemberRow {
    pub id: i64,
    pub cooperative_id: CooperativeId,
    pub position: i32,
    #[diesel(deserialize_as = Parsed<BoardRole>)]
    pub role: BoardRole,
    pub name: String,
    pub term_start: Option<NaiveDate>,
    pub term_end: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBoardMember {
    pub role: BoardRole,
    pub name: String,
    pub term_start: Option<NaiveDate>,
    pub term_end: Option<NaiveDate>,
}

#[derive(Insertable)]
#[diesel(table_name = board_members, treat_none_as_null = true)]
struct BoardMemberInsert<'a> {
    cooperative_id: CooperativeId,
    position: i32,
    #[diesel(serialize_as = EnumText)]
    role: BoardRole,
    name: &'a str,
    term_start: Option<NaiveDate>,
    term_end: Option<NaiveDate>,
}

/// What a list may be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Name,
    RegistrationNumber,
    CreatedAt,
    UpdatedAt,
}

/// Filters, order and page of a list; every filter is optional and they combine with AND.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only records changed at or after this time (a sync's catch-up).
    pub updated_since: Option<chrono::NaiveDateTime>,
    pub kabupaten_kota_code: Option<String>,
    pub kecamatan_code: Option<String>,
    pub kelurahan_code: Option<String>,
    pub cooperative_type: Option<CooperativeType>,
    pub form: Option<CooperativeForm>,
    pub status: Option<ActivityStatus>,
    pub savings_and_loan: Option<bool>,
    /// Case-insensitive substring of the name or registration number; taken literally.
    pub q: Option<String>,
    pub include_archived: bool,
    pub sort: SortKey,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
}

pub fn insert(
    conn: &mut AnyConnection,
    fields: CooperativeFields,
    status: &ComputedStatus,
) -> Result<CooperativeRow, StoreError> {
    let now = now_utc();
    let row = diesel::insert_into(cooperatives::table)
        .values((
            fields,
            cooperatives::computed_status.eq(status.status.as_str()),
            cooperatives::status_rule.eq(&status.rule),
            cooperatives::status.eq(status.status.as_str()),
            cooperatives::version.eq(1),
            cooperatives::created_at.eq(now),
            cooperatives::updated_at.eq(now),
        ))
        .returning(cooperatives::all_columns)
        .get_result::<CooperativeRow>(conn)?;
    Ok(row)
}

/// The cooperative with `id`; an archived one only when `include_archived`.
pub fn find(
    conn: &mut AnyConnection,
    id: CooperativeId,
    include_archived: bool,
) -> Result<CooperativeRow, StoreError> {
    let mut query = cooperatives::table
        .filter(cooperatives::id.eq(id))
        .into_boxed();
    if !include_archived {
        query = query.filter(cooperatives::archived_at.is_null());
    }
    Ok(query.select(CooperativeRow::as_select()).first(conn)?)
}

/// Board members of the given cooperatives, in list order.
pub fn boards_of(
    conn: &mut AnyConnection,
    ids: &[CooperativeId],
) -> Result<Vec<BoardMemberRow>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(board_members::table
        .filter(board_members::cooperative_id.eq_any(ids))
        .order((board_members::cooperative_id, board_members::position))
        .select(BoardMemberRow::as_select())
        .load(conn)?)
}

/// Replaces the whole board of a cooperative.
pub fn replace_board(
    conn: &mut AnyConnection,
    cooperative_id: CooperativeId,
    members: &[NewBoardMember],
) -> Result<(), StoreError> {
    diesel::delete(board_members::table.filter(board_members::cooperative_id.eq(cooperative_id)))
        .execute(conn)?;
    // One insert per row: the multi-connection type does not support multi-row VALUES, and a
    // board has at most a few dozen members.
    for (position, member) in members.iter().enumerate() {
        diesel::insert_into(board_members::table)
            .values(BoardMemberInsert {
                cooperative_id,
                position: i32::try_from(position).unwrap_or(i32::MAX),
                role: member.role,
                name: &member.name,
                term_start: member.term_start,
                term_end: member.term_end,
            })
            .execute(conn)?;
    }
    Ok(())
}

type Backend = <AnyConnection as diesel::Connection>::Backend;

fn filtered(filter: &ListFilter) -> cooperatives::BoxedQuery<'static, Backend> {
    let mut query = cooperatives::table.into_boxed();
    if !filter.include_archived {
        query = query.filter(cooperatives::archived_at.is_null());
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(cooperatives::updated_at.ge(since));
    }
    if let Some(code) = &filter.kabupaten_kota_code {
        // Region codes are digits and dots: the pattern matches the prefix literally.
        let in_kabupaten_kota = kelurahan::table
            .filter(kelurahan::code.like(format!("{code}.%")))
            .select(kelurahan::code);
        query = query.filter(cooperatives::kelurahan_code.eq_any(in_kabupaten_kota));
    }
    if let Some(code) = &filter.kecamatan_code {
        let in_kecamatan = kelurahan::table
            .filter(kelurahan::kecamatan_code.eq(code.clone()))
            .select(kelurahan::code);
        query = query.filter(cooperatives::kelurahan_code.eq_any(in_kecamatan));
    }
    if let Some(code) = &filter.kelurahan_code {
        query = query.filter(cooperatives::kelurahan_code.eq(code.clone()));
    }
    if let Some(value) = filter.cooperative_type {
        query = query.filter(cooperatives::cooperative_type.eq(value.as_str()));
    }
    if let Some(value) = filter.form {
        query = query.filter(cooperatives::form.eq(value.as_str()));
    }
    if let Some(value) = filter.status {
        query = query.filter(cooperatives::status.eq(value.as_str()));
    }
    if let Some(value) = filter.savings_and_loan {
        query = query.filter(cooperatives::savings_and_loan.eq(value));
    }
    if let Some(term) = &filter.q {
        let pattern = crate::like_pattern(term);
        query = query.filter(
            lower(cooperatives::name)
                .like(pattern.clone())
                .escape('\\')
                .or(cooperatives::registration_number.like(pattern).escape('\\')),
        );
    }
    query
}

/// One page of cooperatives and the total that match the filter.
pub fn list(
    conn: &mut AnyConnection,
    filter: &ListFilter,
) -> Result<(Vec<CooperativeRow>, crate::Total), StoreError> {
    let query = filtered(filter);
    use cooperatives::{created_at, id, name, registration_number, updated_at};
    let query = match (filter.sort, filter.descending) {
        (SortKey::Name, false) => query.order((name.asc(), id.asc())),
        (SortKey::Name, true) => query.order((name.desc(), id.desc())),
        (SortKey::RegistrationNumber, false) => query.order((registration_number.asc(), id.asc())),
        (SortKey::RegistrationNumber, true) => query.order((registration_number.desc(), id.desc())),
        (SortKey::CreatedAt, false) => query.order((created_at.asc(), id.asc())),
        (SortKey::CreatedAt, true) => query.order((created_at.desc(), id.desc())),
        (SortKey::UpdatedAt, false) => query.order((updated_at.asc(), id.asc())),
        (SortKey::UpdatedAt, true) => query.order((updated_at.desc(), id.desc())),
    };
    let rows = query
        .select(CooperativeRow::as_select())
        .limit(filter.limit)
        .offset(filter.offset)
        .load(conn)?;
    // A first page that is not full holds every match: no count needed.
    let total = if filter.offset == 0 && (rows.len() as i64) < filter.limit {
        crate::Total::from_capped(rows.len())
    } else {
        crate::Total::from_capped(
            filtered(filter)
                .select(cooperatives::id)
                .limit(crate::COUNT_CAP + 1)
                .load::<i64>(conn)?
                .len(),
        )
    };
    Ok((rows, total))
}

crate::versioned_writes!(cooperatives, CooperativeId, CooperativeChanges, archive);

/// Records the status columns (computed, rule, override and the effective status) as a new version.
pub fn set_status(
    conn: &mut AnyConnection,
    id: CooperativeId,
    computed: &ComputedStatus,
    status_override: Option<(ActivityStatus, &str)>,
    effective: ActivityStatus,
) -> Result<(), StoreError> {
    diesel::update(cooperatives::table.filter(cooperatives::id.eq(id)))
        .set((
            cooperatives::computed_status.eq(computed.status.as_str()),
            cooperatives::status_rule.eq(&computed.rule),
            cooperatives::status_override.eq(status_override.map(|(s, _)| s.as_str())),
            cooperatives::status_override_reason.eq(status_override.map(|(_, r)| r)),
            cooperatives::status.eq(effective.as_str()),
            cooperatives::version.eq(cooperatives::version + 1),
            cooperatives::updated_at.eq(now_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// What the status rule needs of every cooperative: id and the stored status columns.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct StatusSnapshot {
    pub id: CooperativeId,
    #[diesel(deserialize_as = Parsed<ActivityStatus>)]
    pub computed_status: ActivityStatus,
    pub status_rule: String,
    #[diesel(deserialize_as = ParsedOpt<ActivityStatus>)]
    pub status_override: Option<ActivityStatus>,
    pub status_override_reason: Option<String>,
}

pub fn status_snapshots(conn: &mut AnyConnection) -> Result<Vec<StatusSnapshot>, StoreError> {
    Ok(cooperatives::table
        .select((
            cooperatives::id,
            cooperatives::computed_status,
            cooperatives::status_rule,
            cooperatives::status_override,
            cooperatives::status_override_reason,
        ))
        .order(cooperatives::id)
        .load(conn)?)
}

/// Which of `ids` are registered cooperatives that are not archived.
pub fn existing_ids(
    conn: &mut AnyConnection,
    ids: &[CooperativeId],
) -> Result<Vec<CooperativeId>, StoreError> {
    let mut found = Vec::new();
    for chunk in ids.chunks(500) {
        found.extend(
            cooperatives::table
                .filter(cooperatives::id.eq_any(chunk))
                .filter(cooperatives::archived_at.is_null())
                .select(cooperatives::id)
                .load::<CooperativeId>(conn)?,
        );
    }
    Ok(found)
}

/// The cooperatives (archived too) holding any of `numbers`.
pub fn find_by_registration_numbers(
    conn: &mut AnyConnection,
    numbers: &[String],
) -> Result<Vec<CooperativeRow>, StoreError> {
    let mut rows = Vec::new();
    for chunk in numbers.chunks(500) {
        rows.extend(
            cooperatives::table
                .filter(cooperatives::registration_number.eq_any(chunk))
                .select(CooperativeRow::as_select())
                .load(conn)?,
        );
    }
    Ok(rows)
}

/// Every cooperative matching `filter` (paging ignored), by id, up to `limit` rows.
pub fn list_all(
    conn: &mut AnyConnection,
    filter: &ListFilter,
    limit: i64,
) -> Result<Vec<CooperativeRow>, StoreError> {
    Ok(filtered(filter)
        .order(cooperatives::id.asc())
        .select(CooperativeRow::as_select())
        .limit(limit)
        .load(conn)?)
}

impl From<&CooperativeRow> for CooperativeFields {
    fn from(r: &CooperativeRow) -> Self {
        CooperativeFields {
            registration_number: r.registration_number.clone(),
            name: r.name.clone(),
            legal_entity_number: r.legal_entity_number.clone(),
            legal_entity_date: r.legal_entity_date,
            form: r.form,
            cooperative_type: r.cooperative_type,
            management_pattern: r.management_pattern,
            savings_and_loan: r.savings_and_loan,
            nib: r.nib.clone(),
            npwp: r.npwp.clone(),
            membership_area: r.membership_area,
            street: r.street.clone(),
            rt_rw: r.rt_rw.clone(),
            kelurahan_code: r.kelurahan_code.clone(),
            postal_code: r.postal_code.clone(),
            phone: r.phone.clone(),
            email: r.email.clone(),
        }
    }
}

impl From<CooperativeFields> for CooperativeChanges {
    /// Every column set: a full replacement.
    fn from(f: CooperativeFields) -> Self {
        CooperativeChanges {
            registration_number: Some(f.registration_number),
            name: Some(f.name),
            legal_entity_number: Some(f.legal_entity_number),
            legal_entity_date: Some(f.legal_entity_date),
            form: Some(f.form),
            cooperative_type: Some(f.cooperative_type),
            management_pattern: Some(f.management_pattern),
            savings_and_loan: Some(f.savings_and_loan),
            nib: Some(f.nib),
            npwp: Some(f.npwp),
            membership_area: Some(f.membership_area),
            street: Some(f.street),
            rt_rw: Some(f.rt_rw),
            kelurahan_code: Some(f.kelurahan_code),
            postal_code: Some(f.postal_code),
            phone: Some(f.phone),
            email: Some(f.email),
        }
    }
}
