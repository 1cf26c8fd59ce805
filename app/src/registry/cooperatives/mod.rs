//! The cooperative registry: register, list, read, change and archive cooperatives, and set or
//! clear a manual activity status.

pub mod model;
pub mod query;
pub mod rules;
pub mod status;

use std::collections::HashMap;

use klinik_persistence::StoreError;
use klinik_persistence::cooperatives::{
    self as store, ComputedStatus, CooperativeChanges, CooperativeRow, NewBoardMember,
};

use crate::prelude::*;
use crate::state::RegionIndex;
use model::{Cooperative, CreateCooperative, PatchCooperative, StatusOverrideInput};
use query::{CooperativeQuery, CooperativeSort, IncludeArchivedQuery};

/// Reads one cooperative with its board, as the API shows it.
pub fn load(
    conn: &mut AnyConnection,
    regions: &RegionIndex,
    id: CooperativeId,
    include_archived: bool,
) -> Result<Cooperative, Error> {
    let row =
        store::find(conn, id, include_archived).map_err(Error::missing(Record::Cooperative))?;
    let board = store::boards_of(conn, &[row.id])?;
    Ok(Cooperative::from_rows(row, board, regions))
}

/// Turns rows into API records, fetching all their boards in one query.
pub fn with_boards(
    conn: &mut AnyConnection,
    regions: &RegionIndex,
    rows: Vec<CooperativeRow>,
) -> Result<Vec<Cooperative>, Error> {
    let ids: Vec<CooperativeId> = rows.iter().map(|r| r.id).collect();
    let mut boards: HashMap<CooperativeId, Vec<_>> = HashMap::new();
    for member in store::boards_of(conn, &ids)? {
        boards
            .entry(member.cooperative_id)
            .or_default()
            .push(member);
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let board = boards.remove(&row.id).unwrap_or_default();
            Cooperative::from_rows(row, board, regions)
        })
        .collect())
}

/// A duplicate registration number, named as the field it concerns.
pub fn duplicate(error: StoreError) -> Error {
    if error.duplicate_of("registration_number") {
        Error::conflict(
            "registration_number",
            "duplicate_registration_number",
            msg!("Another cooperative already has this registration number."),
        )
    } else {
        Error::from(error)
    }
}

/// What the write path needs to know of a cooperative. A change is its columns and, when the
/// request names one, its whole new board.
pub struct CooperativeEntity;

impl Entity for CooperativeEntity {
    type Id = CooperativeId;
    type Row = CooperativeRow;
    type View = Cooperative;
    type Changes = (CooperativeChanges, Option<Vec<NewBoardMember>>);
    const KIND: &'static str = "cooperative";
    const NAME: Record = Record::Cooperative;
    /// The board names people: in the audit trail it shows only as changed.
    const PERSONAL: &'static [&'static str] = &["board_members"];

    fn find(conn: &mut AnyConnection, id: CooperativeId) -> Result<CooperativeRow, Error> {
        store::find(conn, id, false).map_err(Error::missing(Self::NAME))
    }

    fn view(
        conn: &mut AnyConnection,
        ctx: &Ctx,
        row: CooperativeRow,
    ) -> Result<Cooperative, Error> {
        let board = store::boards_of(conn, &[row.id])?;
        Ok(Cooperative::from_rows(row, board, &ctx.app.regions))
    }

    fn store(
        conn: &mut AnyConnection,
        id: CooperativeId,
        expected_version: i64,
        (changes, board): Self::Changes,
    ) -> Result<(), Error> {
        store::update(conn, id, expected_version, changes).map_err(duplicate)?;
        if let Some(board) = board {
            store::replace_board(conn, id, &board)?;
        }
        Ok(())
    }
}

impl Archived for CooperativeEntity {
    fn archive(
        conn: &mut AnyConnection,
        id: CooperativeId,
        expected_version: i64,
    ) -> Result<(), Error> {
        Ok(store::archive(conn, id, expected_version)?)
    }
}

/// Registers a cooperative: validates every field, derives the kecamatan from the kelurahan and
/// computes the activity status (no annual report yet).
pub async fn create(
    ctx: &Ctx,
    request: Idempotency,
    body: CreateCooperative,
) -> Result<Created, Error> {
    let (fields, board) = body.into_fields(&ctx.app.regions)?;
    ctx.write(move |conn, ctx| {
        create_once(conn, ctx, &request, |conn| {
            let status = status::initial(ctx.app.activity_rule);
            let row = store::insert(conn, fields, &status).map_err(duplicate)?;
            store::replace_board(conn, row.id, &board)?;
            let record = load(conn, &ctx.app.regions, row.id, false)?;
            versioned::created::<CooperativeEntity>(conn, ctx, row.id, &record)?;
            Created::new(&record, format!("/api/v1/cooperatives/{}", record.id))
        })
    })
    .await
}

/// One page of cooperatives matching the filters.
pub async fn list(ctx: &Ctx, query: CooperativeQuery) -> Result<Page<Cooperative>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    let (sort, descending) = query.sort.unwrap_or(CooperativeSort::Name).key();
    let filter = store::ListFilter {
        updated_since: query.updated_since.map(|t| t.naive_utc()),
        sort,
        descending,
        limit: page.limit(),
        offset: page.offset(),
        ..query.filters().into_store(&ctx.app.regions)?
    };
    let regions = ctx.app.regions.clone();
    let (items, total) = ctx
        .read_nearby(move |conn, _ctx| {
            let (rows, total) = store::list(conn, &filter)?;
            Ok::<_, Error>((with_boards(conn, &regions, rows)?, total))
        })
        .await?;
    Ok(page.wrap_capped(items, total))
}

/// One cooperative; an archived one only when asked for.
pub async fn get(
    ctx: &Ctx,
    id: CooperativeId,
    query: IncludeArchivedQuery,
) -> Result<Cooperative, Error> {
    let include_archived = query.include_archived.unwrap_or(false);
    let regions = ctx.app.regions.clone();
    ctx.read(move |conn, _ctx| load(conn, &regions, id, include_archived))
        .await
}

/// Changes some fields; the result must satisfy every rule as a whole.
pub async fn update(
    ctx: &Ctx,
    id: CooperativeId,
    if_match: IfMatch,
    patch: PatchCooperative,
) -> Result<Cooperative, Error> {
    ctx.write(move |conn, ctx| {
        versioned::update::<CooperativeEntity>(conn, ctx, id, &if_match, |_, current| {
            Ok(patch.into_changes(current, &ctx.app.regions)?)
        })
    })
    .await
}

/// Archives a cooperative: kept, but gone from lists and reads unless asked for.
pub async fn archive(ctx: &Ctx, id: CooperativeId, if_match: IfMatch) -> Result<(), Error> {
    ctx.write(move |conn, ctx| versioned::archive::<CooperativeEntity>(conn, ctx, id, &if_match))
        .await
}

/// Sets a manual activity status, which wins over the computed one until it is cleared.
pub async fn set_status_override(
    ctx: &Ctx,
    id: CooperativeId,
    if_match: IfMatch,
    body: StatusOverrideInput,
) -> Result<Cooperative, Error> {
    body.validate()?;
    ctx.write(move |conn, ctx| {
        versioned::change::<status::StatusEntity>(
            conn,
            ctx,
            id,
            &if_match,
            "set_status_override",
            |_, _| Ok(Some((body.status, body.reason))),
        )
    })
    .await
}

/// Clears the manual status; the computed one applies again. Clearing when none is set changes
/// nothing.
pub async fn clear_status_override(
    ctx: &Ctx,
    id: CooperativeId,
    if_match: IfMatch,
) -> Result<Cooperative, Error> {
    ctx.write(move |conn, ctx| {
        let current = store::find(conn, id, false).map_err(Error::missing(Record::Cooperative))?;
        if current.status_override.is_none() {
            if_match.check(current.version)?;
            return load(conn, &ctx.app.regions, id, false);
        }
        versioned::change::<status::StatusEntity>(
            conn,
            ctx,
            id,
            &if_match,
            "clear_status_override",
            |_, _| Ok(None),
        )
    })
    .await
}

/// The computed status columns of `row`, as stored.
fn computed_of(row: &CooperativeRow) -> ComputedStatus {
    ComputedStatus {
        status: row.computed_status,
        rule: row.status_rule.clone(),
    }
}
