//! Reading an upload's multipart form: the file streams through the use case's sink into the
//! store as it arrives; the text fields are small and read whole. Any failure after the file is
//! stored deletes it again.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use klinik_app::documents::model::DocumentDescription;
use klinik_app::documents::storage::Received;
use klinik_app::documents::{OwnerRef, upload};
use klinik_app::{Error, FieldError};
use klinik_domain::documents::DocumentKind;
use klinik_domain::msg;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Allowed;
use crate::problem::ApiError;
use crate::respond::{Reply, created};

/// Longest text field, in bytes (a 200-character title in any script fits).
const MAX_TEXT_FIELD_BYTES: usize = 1024;
/// What the form may add around the file.
const FORM_OVERHEAD_BYTES: u64 = 64 * 1024;

// The handler reads the stream itself; this type only describes the form to the contract.
/// The form of a document upload: these fields and no others (400 for another).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct DocumentForm {
    /// The file: PDF, PNG, JPEG, WebP, XLSX, DOCX, ODT or ODS, decided by its content. At most
    /// `KLINIK_DOCUMENT_MAX_BYTES` (20 MiB by default).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// What it is; each record takes its own kinds (422 `kind_not_for_owner` otherwise).
    kind: DocumentKind,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$"
    )]
    title: String,
    /// The date the document bears, `YYYY-MM-DD`.
    #[schema(value_type = Option<String>, format = Date)]
    document_date: Option<String>,
    /// `true` when it holds personal data (a KTP, a member list with NIKs): viewers never
    /// download it. Default `false`.
    #[serde(default)]
    personal: bool,
}

/// Receives an upload for `owner` and answers 201 with the new document.
pub async fn receive(
    allowed: &Allowed,
    owner: OwnerRef,
    request: &HttpRequest,
    payload: web::Payload,
) -> Reply {
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !is_multipart {
        return Err(ApiError(Error::UnsupportedMediaType));
    }
    let limit = allowed.app.documents.max_bytes;
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit + FORM_OVERHEAD_BYTES) {
        return Err(ApiError(Error::PayloadTooLarge {
            limit: usize::try_from(limit).unwrap_or(usize::MAX),
        }));
    }
    let target = upload::prepare(allowed, owner).await?;
    let mut form = Form::default();
    if let Err(error) = form.read(allowed, request, payload).await {
        form.discard(allowed).await;
        return Err(error);
    }
    let Some(file) = form.file else {
        return Err(field_error("file", "required", msg!("is required")));
    };
    created(upload::record(allowed, target, form.description, form.file_name, file).await?)
}

#[derive(Default)]
struct Form {
    description: DocumentDescription,
    file_name: String,
    file: Option<Received>,
}

impl Form {
    async fn read(
        &mut self,
        allowed: &Allowed,
        request: &HttpRequest,
        payload: web::Payload,
    ) -> Result<(), ApiError> {
        let mut form = Multipart::new(request.headers(), payload);
        while let Some(field) = form.next().await {
            let mut field = field.map_err(|_| malformed())?;
            let name = field.name().unwrap_or_default().to_owned();
            if name == "file" {
                if self.file.is_some() {
                    return Err(field_error("file", "repeated", msg!("must be sent once")));
                }
                self.file_name = field
                    .content_disposition()
                    .and_then(|d| d.get_filename())
                    .unwrap_or_default()
                    .to_owned();
                let mut sink = upload::sink(allowed);
                while let Some(chunk) = field.next().await {
                    let written = match chunk {
                        Ok(bytes) => sink.write(&bytes).await.map_err(ApiError),
                        Err(_) => Err(malformed()),
                    };
                    if let Err(error) = written {
                        sink.abort().await;
                        return Err(error);
                    }
                }
                self.file = Some(sink.finish().await?);
                continue;
            }
            let slot = match name.as_str() {
                "kind" => &mut self.description.kind,
                "title" => &mut self.description.title,
                "document_date" => &mut self.description.document_date,
                "personal" => &mut self.description.personal,
                _ => {
                    return Err(ApiError(Error::BadRequest {
                        code: "unknown_field",
                        detail: msg!("The form has a field this operation does not know."),
                        errors: vec![FieldError::new(
                            "form",
                            "unknown_field",
                            msg!("only file, kind, title, document_date and personal are accepted"),
                        )],
                    }));
                }
            };
            let mut bytes = Vec::new();
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(|_| malformed())?;
                if bytes.len() + chunk.len() > MAX_TEXT_FIELD_BYTES {
                    return Err(field_error(
                        &name,
                        "too_long",
                        msg!("is longer than allowed"),
                    ));
                }
                bytes.extend_from_slice(&chunk);
            }
            let text = String::from_utf8(bytes)
                .map_err(|_| field_error(&name, "invalid_utf8", msg!("must be UTF-8 text")))?;
            *slot = Some(text);
        }
        Ok(())
    }

    /// Deletes the stored file of a form that failed after it.
    async fn discard(&mut self, allowed: &Allowed) {
        if let Some(file) = self.file.take()
            && let Err(e) = allowed.app.documents.delete(&file.key).await
        {
            tracing::warn!(error = %e, "a refused upload's file was not deleted; the cleanup job will");
        }
    }
}

fn malformed() -> ApiError {
    ApiError(Error::BadRequest {
        code: "malformed_multipart",
        detail: msg!("The body is not a well-formed multipart/form-data form."),
        errors: Vec::new(),
    })
}

fn field_error(field: &str, code: &'static str, message: klinik_domain::Message) -> ApiError {
    ApiError(Error::validation(field, code, message))
}

/// A download: the bytes streamed as they come from the store, as an attachment the browser
/// must not sniff, with their digest (RFC 9530) so a client can check what it got.
pub fn stream(download: klinik_app::documents::download::Download) -> HttpResponse {
    use actix_web::http::header::{
        Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
    };
    use base64::Engine;
    let ascii: String = download
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut parameters = vec![DispositionParam::Filename(ascii.clone())];
    if ascii != download.file_name {
        parameters.push(DispositionParam::FilenameExt(ExtendedValue {
            charset: Charset::Ext("UTF-8".to_owned()),
            language_tag: None,
            value: download.file_name.clone().into_bytes(),
        }));
    }
    let digest = hex::decode(&download.sha256)
        .map(|raw| base64::engine::general_purpose::STANDARD.encode(raw))
        .unwrap_or_default();
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, download.media_type))
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters,
        })
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header(("Repr-Digest", format!("sha-256=:{digest}:")))
        // The files are compressed already, and the length must stay what the record says.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .no_chunking(download.size)
        .streaming(download.bytes)
}
