//! Reading a document's bytes: the record's access rules, the personal-data rule, and an audit
//! event for every download of a personal document, written before a byte leaves.

use bytes::Bytes;
use futures_util::stream::BoxStream;
use klinik_persistence::documents::DocumentRow;

use super::owner::Intent;
use super::{check_download, visible};
use crate::prelude::*;

/// A document's bytes on their way out, with what the response says of them.
pub struct Download {
    pub file_name: String,
    pub media_type: String,
    pub size: u64,
    pub sha256: String,
    pub bytes: BoxStream<'static, Result<Bytes, std::io::Error>>,
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("media_type", &self.media_type)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// The bytes of document `id`: 404 when the caller may not see it or it is archived (a purged
/// one is archived too), 403 for a personal document their role may not read, 503 when the store
/// fails.
pub async fn download(ctx: &Ctx, id: DocumentId) -> Result<Download, Error> {
    let row: DocumentRow = ctx
        .read(move |conn, ctx| {
            let row = visible(conn, &ctx.caller, id, false, Intent::Read)?;
            check_download(&ctx.caller, &row)?;
            Ok::<_, Error>(row)
        })
        .await?;
    if row.personal {
        // Written before a byte leaves: a download missing from the trail does not happen.
        ctx.write(move |conn, ctx| {
            let kind = super::DocumentEntity::KIND;
            versioned::committed(conn, ctx, "download", kind, &id.to_string(), None)
        })
        .await?;
    }
    let bytes = ctx.app.documents.read(&row.storage_key).await?;
    Ok(Download {
        file_name: row.file_name,
        media_type: row.media_type,
        size: u64::try_from(row.size_bytes).unwrap_or_default(),
        sha256: row.sha256,
        bytes,
    })
}
