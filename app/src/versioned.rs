//! The one way a record changes. Every mutable entity states what differs — how to find its row,
//! how to show it, how to store a change — and the path does the rest in one order: find (404),
//! validate the change (422), compare the version with `If-Match` (412), store it with the
//! version moved on, and record what changed in the audit trail, all in the caller's
//! transaction. [`committed`] is the single place an event about a change is written.

use klinik_persistence::{AnyConnection, Stamped};
use serde::Serialize;
use serde_json::Value;

use crate::audit::diff;
use crate::context::Ctx;
use crate::error::{Error, Record};

/// The versions named by `If-Match`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// No header: the write is unconditional.
    Absent,
    Any,
    Tags(Vec<String>),
}

impl IfMatch {
    /// Reads the header's values (`present`: whether the header was sent at all).
    pub fn parse<'a>(present: bool, values: impl Iterator<Item = &'a str>) -> Self {
        if !present {
            return IfMatch::Absent;
        }
        let tags: Vec<String> = values
            .flat_map(|v| v.split(','))
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect();
        if tags.iter().any(|t| t == "*") {
            IfMatch::Any
        } else {
            // A header that names no usable tag matches nothing: the precondition fails.
            IfMatch::Tags(tags)
        }
    }

    /// Passes when the header is absent, `*`, or lists the record's current ETag.
    pub fn check(&self, version: i64) -> Result<(), Error> {
        match self {
            IfMatch::Absent | IfMatch::Any => Ok(()),
            IfMatch::Tags(tags) => {
                let current = etag(version);
                if tags
                    .iter()
                    .any(|t| *t == current || t.strip_prefix("W/") == Some(current.as_str()))
                {
                    Ok(())
                } else {
                    Err(Error::PreconditionFailed)
                }
            }
        }
    }
}

/// The ETag of a record at `version`.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// A record as the API shows it, with the version its `ETag` carries.
pub trait Tagged {
    fn version(&self) -> i64;
}

/// What the write path needs to know of one kind of record.
pub trait Entity {
    /// What the record is found by.
    type Id: Copy;
    /// The stored row a change is computed from.
    type Row: Stamped;
    /// The record as the API shows it; the audit trail compares it before and after.
    type View: Serialize;
    /// A validated change, ready to store.
    type Changes;
    /// The audit trail's name of this kind of record (`cooperative`).
    const KIND: &'static str;
    /// What a 404 calls it (`Cooperative`).
    const NAME: Record;
    /// Fields of the view that are personal data: the trail shows only that they changed.
    const PERSONAL: &'static [&'static str] = &[];

    /// The row, unless it is missing or archived (404).
    fn find(conn: &mut AnyConnection, id: Self::Id) -> Result<Self::Row, Error>;
    fn view(conn: &mut AnyConnection, ctx: &Ctx, row: Self::Row) -> Result<Self::View, Error>;
    /// Stores `changes` if the row is still at `expected_version`, moving the version on by one
    /// (`StoreError::Stale` otherwise).
    fn store(
        conn: &mut AnyConnection,
        id: Self::Id,
        expected_version: i64,
        changes: Self::Changes,
    ) -> Result<(), Error>;
}

/// A kind of record that `DELETE` archives rather than erases.
pub trait Archived: Entity {
    fn archive(conn: &mut AnyConnection, id: Self::Id, expected_version: i64) -> Result<(), Error>;
}

/// Changes the record `id`: `prepare` validates the change against the current row (422), then
/// `If-Match` is compared (412), the change stored and audited as `update`.
pub fn update<E: Entity>(
    conn: &mut AnyConnection,
    ctx: &Ctx,
    id: E::Id,
    if_match: &IfMatch,
    prepare: impl FnOnce(&mut AnyConnection, &E::Row) -> Result<E::Changes, Error>,
) -> Result<E::View, Error> {
    change::<E>(conn, ctx, id, if_match, "update", prepare)
}

/// As [`update`], audited as `action` (a status override, a transition stored as a change).
pub fn change<E: Entity>(
    conn: &mut AnyConnection,
    ctx: &Ctx,
    id: E::Id,
    if_match: &IfMatch,
    action: &str,
    prepare: impl FnOnce(&mut AnyConnection, &E::Row) -> Result<E::Changes, Error>,
) -> Result<E::View, Error> {
    let row = E::find(conn, id)?;
    let changes = prepare(conn, &row)?;
    let version = row.version();
    if_match.check(version)?;
    let record_id = row.record_id();
    let before = E::view(conn, ctx, row)?;
    E::store(conn, id, version, changes)?;
    let stored = E::find(conn, id)?;
    let after = E::view(conn, ctx, stored)?;
    let changes = diff(Some(&before), Some(&after), E::PERSONAL);
    committed(conn, ctx, action, E::KIND, &record_id, Some(changes))?;
    Ok(after)
}

/// Archives the record `id` after comparing `If-Match`; archiving twice is a 404.
pub fn archive<E: Archived>(
    conn: &mut AnyConnection,
    ctx: &Ctx,
    id: E::Id,
    if_match: &IfMatch,
) -> Result<(), Error> {
    let row = E::find(conn, id)?;
    if_match.check(row.version())?;
    E::archive(conn, id, row.version())?;
    committed(conn, ctx, "archive", E::KIND, &row.record_id(), None)
}

/// [`archive`] as one write transaction: the whole of an archive operation.
pub async fn archive_in_transaction<E>(ctx: &Ctx, id: E::Id, if_match: IfMatch) -> Result<(), Error>
where
    E: Archived,
    E::Id: Send + 'static,
{
    ctx.write(move |conn, ctx| archive::<E>(conn, ctx, id, &if_match))
        .await
}

/// Records a record just created: every field of its view, personal ones masked.
pub fn created<E: Entity>(
    conn: &mut AnyConnection,
    ctx: &Ctx,
    record_id: impl std::fmt::Display,
    view: &E::View,
) -> Result<(), Error> {
    let changes = diff::<E::View, E::View>(None, Some(view), E::PERSONAL);
    committed(
        conn,
        ctx,
        "create",
        E::KIND,
        &record_id.to_string(),
        Some(changes),
    )
}

/// The one place where a change to a record is written down, in the change's own transaction:
/// the audit event (who, what, which record, the changed fields) and, for the records other
/// systems follow, the change feed's outbox entry.
pub fn committed(
    conn: &mut AnyConnection,
    ctx: &Ctx,
    action: &str,
    kind: &str,
    id: &str,
    changes: Option<Value>,
) -> Result<(), Error> {
    ctx.audit
        .record(conn, action, kind, Some(id.to_owned()), changes)?;
    crate::changes::follow(conn, kind, action, id)
}

/// Many records of one kind changed at once (an import), written down in that change's
/// transaction with one multi-row insert: each as `(action, record id, changed fields)`.
pub fn committed_many(
    conn: &mut AnyConnection,
    ctx: &Ctx,
    kind: &str,
    changes: Vec<(&str, String, Value)>,
) -> Result<(), Error> {
    let mut followed = Vec::with_capacity(changes.len());
    let mut events = Vec::with_capacity(changes.len());
    for (action, id, changes) in changes {
        if let Ok(number) = id.parse::<i64>() {
            followed.push((action, number));
        }
        events.push(ctx.audit.event(action, kind, Some(id), Some(changes)));
    }
    klinik_persistence::audit::append_many(conn, &events)?;
    crate::changes::follow_many(conn, kind, &followed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_accepts_the_current_tag_star_or_absence() {
        assert!(IfMatch::Absent.check(3).is_ok());
        assert!(IfMatch::Any.check(3).is_ok());
        assert!(IfMatch::Tags(vec!["\"3\"".into()]).check(3).is_ok());
        assert!(IfMatch::Tags(vec!["W/\"3\"".into()]).check(3).is_ok());
        assert!(IfMatch::Tags(vec!["\"2\"".into()]).check(3).is_err());
        assert!(IfMatch::Tags(vec![]).check(3).is_err());
    }

    #[test]
    fn the_header_is_read_as_a_list_of_tags() {
        assert_eq!(IfMatch::parse(false, std::iter::empty()), IfMatch::Absent);
        assert_eq!(
            IfMatch::parse(true, [" \"1\" , \"2\""].into_iter()),
            IfMatch::Tags(vec!["\"1\"".into(), "\"2\"".into()])
        );
        assert_eq!(IfMatch::parse(true, ["\"1\", *"].into_iter()), IfMatch::Any);
        assert_eq!(
            IfMatch::parse(true, [""].into_iter()),
            IfMatch::Tags(vec![])
        );
    }
}
