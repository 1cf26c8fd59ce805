//! Where documents' bytes live: an `object_store` (a local directory, or an S3-compatible
//! bucket), written and read as streams so that no file is ever whole in memory.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::{BoxStream, StreamExt, TryStreamExt};
use klinik_domain::documents::FileType;
use klinik_domain::msg;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ClientOptions, ObjectStore, ObjectStoreExt, RetryConfig, WriteMultipart};
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::settings::documents::{DocumentStore, Documents};

/// The prefix every document's object is kept under.
const PREFIX: &str = "documents";
/// Bytes read before the type is decided: enough for an office file's first entries.
const SNIFF_BYTES: usize = 64 * 1024;
/// Parts of a multipart upload (S3's smallest part is 5 MiB): what an upload holds in memory.
const PART_BYTES: usize = 5 * 1024 * 1024;

/// The configured object store.
#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    pub max_bytes: u64,
    /// Where a local store keeps its files (its crash leftovers are cleaned by walking it).
    local_root: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Storage({})", self.store)
    }
}

/// A store failure: logged once here, a 503 for the caller (try again later).
pub fn unavailable(error: object_store::Error) -> Error {
    tracing::error!(error = %error, "the document store failed");
    Error::StoreUnavailable
}

impl Storage {
    pub fn open(settings: &Documents) -> anyhow::Result<Self> {
        let (store, local_root): (Arc<dyn ObjectStore>, _) = match &settings.store {
            DocumentStore::Local(root) => {
                std::fs::create_dir_all(root.join(PREFIX))?;
                let store = LocalFileSystem::new_with_prefix(root)?.with_automatic_cleanup(true);
                (Arc::new(store), Some(root.clone()))
            }
            DocumentStore::S3 {
                bucket,
                endpoint,
                region,
                access_key_id,
                secret_access_key,
            } => {
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(bucket)
                    .with_region(region)
                    .with_access_key_id(access_key_id)
                    .with_secret_access_key(secret_access_key.expose())
                    // A slow or unreachable store fails a request in seconds (a 503), rather
                    // than holding it for the library's three minutes of retries.
                    .with_retry(RetryConfig {
                        max_retries: 2,
                        retry_timeout: Duration::from_secs(10),
                        ..RetryConfig::default()
                    })
                    .with_client_options(
                        ClientOptions::new()
                            .with_connect_timeout(Duration::from_secs(5))
                            .with_timeout(Duration::from_secs(60)),
                    );
                if let Some(endpoint) = endpoint {
                    builder = builder
                        .with_endpoint(endpoint)
                        .with_allow_http(endpoint.starts_with("http://"))
                        .with_virtual_hosted_style_request(false);
                }
                (Arc::new(builder.build()?), None)
            }
        };
        Ok(Storage {
            store,
            max_bytes: settings.max_bytes,
            local_root,
        })
    }

    /// A new, unique place for a file.
    fn new_key() -> ObjectPath {
        ObjectPath::from(format!("{PREFIX}/{}", uuid::Uuid::new_v4().simple()))
    }

    /// Starts receiving a file.
    pub fn sink(&self) -> FileSink {
        FileSink {
            storage: self.clone(),
            key: Self::new_key(),
            head: Vec::new(),
            writer: None,
            file_type: None,
            hasher: Sha256::new(),
            size: 0,
        }
    }

    /// The file's bytes as a stream (503 when the store does not answer).
    pub async fn read(
        &self,
        key: &str,
    ) -> Result<BoxStream<'static, Result<Bytes, std::io::Error>>, Error> {
        let found = self
            .store
            .get(&ObjectPath::from(key))
            .await
            .map_err(unavailable)?;
        Ok(found
            .into_stream()
            .map_err(|e| {
                tracing::error!(error = %e, "reading a document from the store failed");
                std::io::Error::other("the document store failed")
            })
            .boxed())
    }

    /// Deletes a file; a missing one is already deleted.
    pub async fn delete(&self, key: &str) -> Result<(), Error> {
        match self.store.delete(&ObjectPath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }

    /// Every stored file's key with the time it was last written.
    pub async fn list(&self) -> Result<Vec<(String, chrono::DateTime<chrono::Utc>)>, Error> {
        let prefix = ObjectPath::from(PREFIX);
        self.store
            .list(Some(&prefix))
            .map_ok(|meta| (meta.location.to_string(), meta.last_modified))
            .try_collect()
            .await
            .map_err(unavailable)
    }

    /// A local store's unfinished uploads (`<key>#<n>` files a crash left) older than `before`:
    /// they are invisible to [`Storage::list`].
    pub fn local_leftovers(&self, before: std::time::SystemTime) -> Vec<std::path::PathBuf> {
        let Some(root) = &self.local_root else {
            return Vec::new();
        };
        let Ok(entries) = std::fs::read_dir(root.join(PREFIX)) else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains('#'))
            .filter(|e| {
                e.metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t < before)
            })
            .map(|e| e.path())
            .collect()
    }
}

/// A file being received: counted, hashed and typed as it streams into the store. Nothing is
/// written to the store until the first [`SNIFF_BYTES`] show an accepted type.
pub struct FileSink {
    storage: Storage,
    key: ObjectPath,
    head: Vec<u8>,
    writer: Option<WriteMultipart>,
    file_type: Option<FileType>,
    hasher: Sha256,
    size: u64,
}

/// A file stored whole.
#[derive(Debug, Clone)]
pub struct Received {
    pub key: String,
    pub file_type: FileType,
    pub size: u64,
    pub sha256: String,
}

/// The accepted type of a file that begins with `head`; 415 for any other.
pub fn file_type_of(head: &[u8]) -> Result<FileType, Error> {
    infer::get(head)
        .and_then(|t| FileType::from_media_type(t.mime_type()))
        .ok_or(Error::UnsupportedFileType)
}

impl FileSink {
    /// Takes the next piece of the file: 413 past the size limit, 415 when its first bytes are
    /// not an accepted type, 503 when the store fails. After an error, call [`FileSink::abort`].
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), Error> {
        self.size += chunk.len() as u64;
        if self.size > self.storage.max_bytes {
            return Err(Error::PayloadTooLarge {
                limit: usize::try_from(self.storage.max_bytes).unwrap_or(usize::MAX),
            });
        }
        self.hasher.update(chunk);
        match &mut self.writer {
            Some(writer) => {
                writer.write(chunk);
                writer.wait_for_capacity(2).await.map_err(unavailable)?;
            }
            None => {
                self.head.extend_from_slice(chunk);
                if self.head.len() >= SNIFF_BYTES {
                    self.start().await?;
                }
            }
        }
        Ok(())
    }

    /// Decides the type from what came so far and opens the upload with it.
    async fn start(&mut self) -> Result<(), Error> {
        let file_type = file_type_of(&self.head)?;
        let upload = self
            .storage
            .store
            .put_multipart(&self.key)
            .await
            .map_err(unavailable)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
        writer.write(&std::mem::take(&mut self.head));
        self.file_type = Some(file_type);
        self.writer = Some(writer);
        Ok(())
    }

    /// Completes the file: 422 when it is empty, 415 or 503 as for [`FileSink::write`].
    pub async fn finish(mut self) -> Result<Received, Error> {
        if self.size == 0 {
            return Err(Error::validation(
                "file",
                "empty_file",
                msg!("the file is empty"),
            ));
        }
        if self.writer.is_none() {
            self.start().await?;
        }
        let (Some(writer), Some(file_type)) = (self.writer.take(), self.file_type) else {
            return Err(Error::internal(&"an upload without a writer"));
        };
        let key = self.key.to_string();
        if let Err(e) = writer.finish().await {
            // The store may hold part of it: take it away (the cleanup job will if this fails).
            let _ = self.storage.delete(&key).await;
            return Err(unavailable(e));
        }
        Ok(Received {
            key,
            file_type,
            size: self.size,
            sha256: hex::encode(self.hasher.finalize()),
        })
    }

    /// Gives up on the file: what the store holds of it goes.
    pub async fn abort(mut self) {
        if let Some(writer) = self.writer.take()
            && let Err(e) = writer.abort().await
        {
            tracing::warn!(error = %e, "could not abort a document upload; the cleanup job will remove it");
        }
    }
}
