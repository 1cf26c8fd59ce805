//! Evidence documents: files attached to the registry's and the clinic's records (docs/domain.md,
//! "Evidence documents"). The bytes stream into the object store first and the record is written
//! after, in one transaction with its audit event, so a record always has its bytes; what a crash
//! leaves in the store without a record, the daily cleanup removes ([`cleanup`]).

pub mod cleanup;
pub mod download;
pub mod model;
pub mod owner;
pub mod storage;
pub mod upload;

use klinik_domain::documents::{self as rules, DocumentOwner};
use klinik_domain::text::single_line;
use klinik_persistence::documents::{self as store, DocumentFields, DocumentFilter, DocumentRow};

use crate::prelude::*;
pub use model::{Document, DocumentQuery, DocumentReadQuery, PatchDocument, PurgeDocument};
pub use owner::{Intent, OwnerRef};
pub use storage::Storage;

/// Longest purge reason, in characters.
const REASON_MAX_CHARS: usize = 500;

pub struct DocumentEntity;

impl Entity for DocumentEntity {
    type Id = DocumentId;
    type Row = DocumentRow;
    type View = Document;
    type Changes = DocumentFields;
    const KIND: &'static str = "document";
    const NAME: Record = Record::Document;

    fn find(conn: &mut AnyConnection, id: DocumentId) -> Result<DocumentRow, Error> {
        store::find(conn, id, false).map_err(Error::missing(Self::NAME))
    }

    fn view(_: &mut AnyConnection, _: &Ctx, row: DocumentRow) -> Result<Document, Error> {
        Ok(Document::from(row))
    }

    fn store(
        conn: &mut AnyConnection,
        id: DocumentId,
        expected_version: i64,
        fields: DocumentFields,
    ) -> Result<(), Error> {
        Ok(store::update(conn, id, expected_version, fields)?)
    }
}

impl Archived for DocumentEntity {
    fn archive(
        conn: &mut AnyConnection,
        id: DocumentId,
        expected_version: i64,
    ) -> Result<(), Error> {
        Ok(store::archive(conn, id, expected_version)?)
    }
}

/// The document `id` if the caller may see it and its record with `intent` (404 otherwise).
fn visible(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: DocumentId,
    include_archived: bool,
    intent: Intent,
) -> Result<DocumentRow, Error> {
    let row = store::find(conn, id, include_archived).map_err(Error::missing(Record::Document))?;
    // A document whose record is gone or out of scope is missing too.
    match owner::resolve(
        conn,
        caller,
        OwnerRef::stored(row.owner_kind, row.owner_id),
        intent,
    ) {
        Err(Error::NotFound { .. }) => Err(Error::not_found(Record::Document)),
        Err(e) => Err(e),
        Ok(_) => Ok(row),
    }
}

/// A record's documents, oldest first.
pub async fn list(
    ctx: &Ctx,
    owner: OwnerRef,
    query: DocumentQuery,
) -> Result<Page<Document>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    let filter = DocumentFilter {
        kind: query.kind,
        include_archived: query.include_archived.unwrap_or(false),
    };
    let (rows, total) = ctx
        .read(move |conn, ctx| {
            let (kind, id) = owner::resolve(conn, &ctx.caller, owner, Intent::Read)?;
            Ok::<_, Error>(store::list(conn, kind, id, &filter, paging(&page))?)
        })
        .await?;
    Ok(page.wrap_capped(rows.into_iter().map(Document::from).collect(), total))
}

pub async fn get(ctx: &Ctx, id: DocumentId, query: DocumentReadQuery) -> Result<Document, Error> {
    let include_archived = query.include_archived.unwrap_or(false);
    ctx.read(move |conn, ctx| visible(conn, &ctx.caller, id, include_archived, Intent::Read))
        .await
        .map(Document::from)
}

/// Changes what describes a document (its kind, title, date, whether it is personal).
pub async fn update(
    ctx: &Ctx,
    id: DocumentId,
    if_match: IfMatch,
    patch: PatchDocument,
) -> Result<Document, Error> {
    ctx.write(move |conn, ctx| {
        visible(conn, &ctx.caller, id, false, Intent::Change)?;
        versioned::update::<DocumentEntity>(conn, ctx, id, &if_match, |_, current| {
            let fields = DocumentFields {
                kind: patch.kind.unwrap_or(current.kind),
                title: patch.title.clone().unwrap_or_else(|| current.title.clone()),
                document_date: patch.document_date.unwrap_or(current.document_date),
                personal: patch.personal.unwrap_or(current.personal),
            };
            rules::validate(current.owner_kind, fields.kind, &fields.title)?;
            Ok(fields)
        })
    })
    .await
}

/// Sets a document aside: gone from lists and reads, its bytes kept; an admin may restore it.
pub async fn archive(ctx: &Ctx, id: DocumentId, if_match: IfMatch) -> Result<(), Error> {
    ctx.write(move |conn, ctx| {
        visible(conn, &ctx.caller, id, false, Intent::Change)?;
        versioned::archive::<DocumentEntity>(conn, ctx, id, &if_match)
    })
    .await
}

/// Takes an archived document back (admins). A purged one has no bytes to come back to (409).
pub async fn restore(ctx: &Ctx, id: DocumentId, if_match: IfMatch) -> Result<Document, Error> {
    ctx.write(move |conn, ctx| {
        let row = visible(conn, &ctx.caller, id, true, Intent::Change)?;
        if row.purged_at.is_some() {
            return Err(purged());
        }
        if row.archived_at.is_none() {
            return Err(Error::conflict(
                "archived_at",
                "not_archived",
                msg!("The document is not archived."),
            ));
        }
        if_match.check(row.version)?;
        let before = Document::from(row);
        store::restore(conn, id, before.version)?;
        let after = Document::from(store::find(conn, id, false)?);
        let changes = crate::audit::diff(Some(&before), Some(&after), &[]);
        versioned::committed(
            conn,
            ctx,
            "restore",
            DocumentEntity::KIND,
            &id.to_string(),
            Some(changes),
        )?;
        Ok(after)
    })
    .await
}

/// Destroys a document's bytes for good (admins, with a reason); the record stays, marked
/// purged, and the audit trail says who did it and why.
pub async fn purge(
    ctx: &Ctx,
    id: DocumentId,
    if_match: IfMatch,
    input: PurgeDocument,
) -> Result<Document, Error> {
    single_line("reason", &input.reason, REASON_MAX_CHARS)
        .map_err(klinik_domain::Violations::from)?;
    let (after, key) = ctx
        .write(move |conn, ctx| {
            let row = visible(conn, &ctx.caller, id, true, Intent::Change)?;
            if row.purged_at.is_some() {
                return Err(purged());
            }
            if_match.check(row.version)?;
            let key = row.storage_key.clone();
            let archived_at = row.archived_at;
            let before = Document::from(row);
            store::purge(conn, id, before.version, &input.reason, archived_at)?;
            let after = Document::from(store::find(conn, id, true)?);
            let changes = crate::audit::diff(Some(&before), Some(&after), &[]);
            versioned::committed(
                conn,
                ctx,
                "purge",
                DocumentEntity::KIND,
                &id.to_string(),
                Some(changes),
            )?;
            Ok((after, key))
        })
        .await?;
    // After the commit: if this fails, the bytes are an orphan the cleanup job removes.
    if let Err(e) = ctx.app.documents.delete(&key).await {
        tracing::warn!(document = %id, error = %e, "purged document's bytes not deleted yet");
    }
    Ok(after)
}

/// The 409 of a document whose bytes are gone.
fn purged() -> Error {
    Error::conflict(
        "purged_at",
        "document_purged",
        msg!("The document was purged: its file no longer exists."),
    )
}

/// Whether `role` may download this document at all (before reading its bytes).
pub(crate) fn check_download(caller: &Caller, row: &DocumentRow) -> Result<(), Error> {
    if rules::may_download(caller.role(), row.personal, row.owner_kind) {
        Ok(())
    } else {
        Err(Error::forbidden(msg!(
            "This document holds personal data, which your role may not download."
        )))
    }
}

/// Documents a record still has bytes for: a record that is erased (not archived) must not
/// leave them behind.
pub fn refuse_erasing_with_documents(
    conn: &mut AnyConnection,
    owner: DocumentOwner,
    id: i64,
) -> Result<(), Error> {
    if store::live_count(conn, owner, id)? > 0 {
        return Err(Error::conflict(
            "documents",
            "has_documents",
            msg!("The record still has documents; an admin must purge them first."),
        ));
    }
    Ok(())
}
