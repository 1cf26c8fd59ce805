//! Documents as the API shows and takes them.

use chrono::{DateTime, NaiveDate, Utc};
use klinik_domain::documents::{DocumentKind, DocumentOwner};
use klinik_persistence::documents::DocumentRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::fields::{nullable, present, utc};
use crate::versioned::Tagged;

/// An evidence document: what it is, which record it proves, and its file.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 7, "owner_kind": "cooperative", "owner_id": 12,
    "kind": "akta_pendirian", "title": "Akta pendirian 2019", "document_date": "2019-03-02",
    "personal": false, "file_name": "akta-pendirian.pdf", "media_type": "application/pdf",
    "size_bytes": 482113, "sha256": "9f2c4c0bd1c5a0f7bcbf0a3f5e4d0f1e0b6b3c3d2f1a0e9d8c7b6a5f4e3d2c1b",
    "content_url": "/api/v1/documents/7/content", "version": 1,
    "created_at": "2026-12-05T08:00:00Z", "updated_at": "2026-12-05T08:00:00Z",
    "archived_at": null, "purged_at": null, "purge_reason": null}))]
pub struct Document {
    pub id: i64,
    /// The kind of record it belongs to.
    pub owner_kind: DocumentOwner,
    /// That record's id (an annual report's own id, not its book year).
    pub owner_id: i64,
    pub kind: DocumentKind,
    pub title: String,
    /// The date the document bears (a deed's, a letter's), if given.
    pub document_date: Option<NaiveDate>,
    /// Holds personal data: viewers never download it; assessors only through their cases.
    pub personal: bool,
    /// The name it is downloaded under, ending in its real type's extension.
    pub file_name: String,
    /// Decided from the file's content, not from its name or the uploader's claim.
    pub media_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    /// Where the bytes are downloaded.
    pub content_url: String,
    /// Increases with every change; sent as the `ETag`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
    /// When an admin destroyed the bytes; the record stays.
    pub purged_at: Option<DateTime<Utc>>,
    /// Why they were destroyed.
    pub purge_reason: Option<String>,
}

impl From<DocumentRow> for Document {
    fn from(row: DocumentRow) -> Self {
        Document {
            id: row.id.get(),
            owner_kind: row.owner_kind,
            owner_id: row.owner_id,
            kind: row.kind,
            title: row.title,
            document_date: row.document_date,
            personal: row.personal,
            file_name: row.file_name,
            media_type: row.media_type,
            size_bytes: row.size_bytes,
            sha256: row.sha256,
            content_url: format!("/api/v1/documents/{}/content", row.id),
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            archived_at: row.archived_at.map(utc),
            purged_at: row.purged_at.map(utc),
            purge_reason: row.purge_reason,
        }
    }
}

impl Tagged for Document {
    fn version(&self) -> i64 {
        self.version
    }
}

/// What describes an uploaded file (the form's text fields), as read from the form.
#[derive(Debug, Clone, Default)]
pub struct DocumentDescription {
    pub kind: Option<String>,
    pub title: Option<String>,
    pub document_date: Option<String>,
    pub personal: Option<String>,
}

/// Changes a document's description; absent fields stay as they are. The file itself never
/// changes: upload another and archive this one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Akta pendirian (salinan resmi)", "personal": true}))]
pub struct PatchDocument {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = DocumentKind)]
    pub kind: Option<DocumentKind>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$")]
    pub title: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub document_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub personal: Option<bool>,
}

/// Why a document's bytes are destroyed (kept in the record and the audit trail).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Uploaded to the wrong cooperative; holds another member's KTP."}))]
pub struct PurgeDocument {
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
    )]
    pub reason: String,
}

/// Filters of a record's documents.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DocumentQuery {
    /// Only this kind.
    pub kind: Option<DocumentKind>,
    /// Include archived and purged documents.
    pub include_archived: Option<bool>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// Whether to read archived (and purged) documents too.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DocumentReadQuery {
    /// Also an archived document (admins restore them; a purged one has no bytes).
    pub include_archived: Option<bool>,
}
