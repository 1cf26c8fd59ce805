//! Receiving a document: the caller and the record are checked before a byte is read; the file
//! streams into the store ([`super::storage::FileSink`]); then its description is checked and the
//! record written with its audit event in one transaction. Whatever fails after the bytes are
//! stored takes them away again, so no failed upload leaves a file or a record behind.

use chrono::NaiveDate;
use klinik_domain::documents::{self as rules, DocumentKind, DocumentOwner};
use klinik_persistence::documents::{self as store, DocumentFields, StoredFile};

use super::DocumentEntity;
use super::model::{Document, DocumentDescription};
use super::owner::{self, Intent, OwnerRef};
use super::storage::{FileSink, Received};
use crate::prelude::*;

/// A record the caller may attach documents to, checked before the upload is read.
#[derive(Debug, Clone, Copy)]
pub struct UploadTarget {
    owner: OwnerRef,
}

/// Checks the record and the caller's right to attach to it (404, 403), before the body is read.
pub async fn prepare(ctx: &Ctx, owner: OwnerRef) -> Result<UploadTarget, Error> {
    ctx.read(move |conn, ctx| owner::resolve(conn, &ctx.caller, owner, Intent::Change))
        .await?;
    Ok(UploadTarget { owner })
}

/// Where the file's bytes go.
pub fn sink(ctx: &Ctx) -> FileSink {
    ctx.app.documents.sink()
}

/// Writes the record of a stored file; on any failure the file is deleted again.
pub async fn record(
    ctx: &Ctx,
    target: UploadTarget,
    description: DocumentDescription,
    submitted_name: String,
    file: Received,
) -> Result<Created, Error> {
    let key = file.key.clone();
    let outcome = write(ctx, target, description, submitted_name, file).await;
    if outcome.is_err()
        && let Err(e) = ctx.app.documents.delete(&key).await
    {
        tracing::warn!(error = %e, "a refused upload's file was not deleted; the cleanup job will");
    }
    outcome
}

async fn write(
    ctx: &Ctx,
    target: UploadTarget,
    description: DocumentDescription,
    submitted_name: String,
    file: Received,
) -> Result<Created, Error> {
    let (kind, title, document_date, personal) = parse(target.owner.kind(), &description)?;
    ctx.write(move |conn, ctx| {
        let (owner, owner_id) = owner::resolve(conn, &ctx.caller, target.owner, Intent::Change)?;
        if let Some(existing) = store::same_file(conn, owner, owner_id, &file.sha256)? {
            return Err(duplicate(existing));
        }
        let fields = DocumentFields {
            kind,
            title,
            document_date,
            personal,
        };
        let stored = StoredFile {
            file_name: rules::safe_file_name(&submitted_name, file.file_type),
            media_type: file.file_type.media_type().to_owned(),
            size_bytes: i64::try_from(file.size).map_err(|e| Error::internal(&e))?,
            sha256: file.sha256,
            storage_key: file.key,
        };
        let row = store::insert(conn, owner, owner_id, fields, stored).map_err(|e| {
            // Two uploads of one file racing: the index tells the second.
            if e.duplicate_of("documents_same_file") || e.duplicate_of("sha256") {
                duplicate_unknown()
            } else {
                e.into()
            }
        })?;
        let view = Document::from(row);
        versioned::created::<DocumentEntity>(conn, ctx, view.id, &view)?;
        Created::new(&view, format!("/api/v1/documents/{}", view.id))
    })
    .await
}

/// The form's text fields, checked against the rules of `owner`'s documents: every problem at
/// once, by field.
fn parse(
    owner: DocumentOwner,
    description: &DocumentDescription,
) -> Result<(DocumentKind, String, Option<NaiveDate>, bool), Error> {
    let mut errors = Vec::new();
    let kind = match description.kind.as_deref() {
        None => {
            errors.push(required("kind"));
            None
        }
        Some(text) => text.parse::<DocumentKind>().ok().or_else(|| {
            errors.push(FieldError::new(
                "kind",
                "invalid_enum_value",
                msg!("is not one of the allowed values"),
            ));
            None
        }),
    };
    let title = description.title.clone().unwrap_or_default();
    if description.title.is_none() {
        errors.push(required("title"));
    }
    let document_date = match description.document_date.as_deref() {
        None => None,
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .or_else(|| {
                errors.push(FieldError::new(
                    "document_date",
                    "invalid_date",
                    msg!("must be a date as YYYY-MM-DD"),
                ));
                None
            }),
    };
    let personal = match description.personal.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            errors.push(FieldError::new(
                "personal",
                "invalid_boolean",
                msg!("must be true or false"),
            ));
            false
        }
    };
    if let Some(kind) = kind
        && let Err(violations) = rules::validate(owner, kind, &title)
    {
        // A missing title is already reported; the rules add what else is wrong.
        let more: Vec<FieldError> = Error::from(violations)
            .field_errors()
            .into_iter()
            .filter(|e| !errors.iter().any(|known| known.field == e.field))
            .collect();
        errors.extend(more);
    }
    match kind {
        Some(kind) if errors.is_empty() => Ok((kind, title, document_date, personal)),
        _ => Err(Error::Validation { errors }),
    }
}

fn required(field: &str) -> FieldError {
    FieldError::new(field, "required", msg!("is required"))
}

fn duplicate(existing: DocumentId) -> Error {
    Error::conflict(
        "file",
        "duplicate_document",
        msg!(
            "The record already has this file, as document %{id}.",
            id = existing.get()
        ),
    )
}

fn duplicate_unknown() -> Error {
    Error::conflict(
        "file",
        "duplicate_document",
        msg!("The record already has this file."),
    )
}

/// A description built in code rather than read from a form (the demo city's documents).
pub fn describe(kind: DocumentKind, title: &str, personal: bool) -> DocumentDescription {
    DocumentDescription {
        kind: Some(kind.as_str().to_owned()),
        title: Some(title.to_owned()),
        document_date: None,
        personal: Some(personal.to_string()),
    }
}
