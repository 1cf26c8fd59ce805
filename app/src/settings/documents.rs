//! Where evidence documents' bytes are kept, and how large one may be.

use std::path::{Path, PathBuf};

use super::{Secret, SettingsError, invalid, number};

/// | variable | default | meaning |
/// |---|---|---|
/// | `KLINIK_DOCUMENT_MAX_BYTES` | `20971520` (20 MiB) | largest accepted document (1024–1073741824); a larger upload is a 413 |
/// | `KLINIK_DOCUMENT_STORE` | `local` | `local`: files under `<data dir>/documents/`; `s3`: an S3-compatible bucket |
/// | `KLINIK_S3_BUCKET` | — | the bucket (required for `s3`) |
/// | `KLINIK_S3_ENDPOINT` | Amazon S3 | the server of an S3-compatible store, e.g. `http://127.0.0.1:9000` (path-style requests) |
/// | `KLINIK_S3_REGION` | `us-east-1` | the bucket's region |
/// | `KLINIK_S3_ACCESS_KEY_ID` | — | with `KLINIK_S3_SECRET_ACCESS_KEY`: the credentials (required for `s3`) |
/// | `KLINIK_S3_SECRET_ACCESS_KEY` | — | the secret key |
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Documents {
    pub max_bytes: u64,
    pub store: DocumentStore,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentStore {
    /// A directory on this machine (the data directory; files go under its `documents/`).
    Local(PathBuf),
    S3 {
        bucket: String,
        endpoint: Option<String>,
        region: String,
        access_key_id: String,
        secret_access_key: Secret,
    },
}

pub const DEFAULT_MAX_BYTES: u64 = 20 * 1024 * 1024;

impl Documents {
    /// Local files under `data_dir`, 20 MiB.
    pub fn local(data_dir: &Path) -> Self {
        Documents {
            max_bytes: DEFAULT_MAX_BYTES,
            store: DocumentStore::Local(data_dir.to_path_buf()),
        }
    }

    pub fn from_lookup(
        lookup: &dyn Fn(&str) -> Option<String>,
        data_dir: &Path,
    ) -> Result<Self, SettingsError> {
        let max_bytes = number(
            lookup,
            "KLINIK_DOCUMENT_MAX_BYTES",
            DEFAULT_MAX_BYTES,
            1024,
            1024 * 1024 * 1024,
        )?;
        let required = |variable: &'static str| {
            lookup(variable)
                .ok_or_else(|| invalid(variable, "is required when KLINIK_DOCUMENT_STORE is s3"))
        };
        let store = match lookup("KLINIK_DOCUMENT_STORE").as_deref() {
            None | Some("local") => DocumentStore::Local(data_dir.to_path_buf()),
            Some("s3") => {
                let endpoint = lookup("KLINIK_S3_ENDPOINT");
                if let Some(url) = &endpoint
                    && !(url.starts_with("http://") || url.starts_with("https://"))
                {
                    return Err(invalid(
                        "KLINIK_S3_ENDPOINT",
                        "must be an http:// or https:// URL",
                    ));
                }
                DocumentStore::S3 {
                    bucket: required("KLINIK_S3_BUCKET")?,
                    endpoint,
                    region: lookup("KLINIK_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
                    access_key_id: required("KLINIK_S3_ACCESS_KEY_ID")?,
                    secret_access_key: Secret::new(required("KLINIK_S3_SECRET_ACCESS_KEY")?),
                }
            }
            Some(_) => return Err(invalid("KLINIK_DOCUMENT_STORE", "must be local or s3")),
        };
        Ok(Documents { max_bytes, store })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<Documents, SettingsError> {
        let owned: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Documents::from_lookup(
            &|name| {
                owned
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            },
            Path::new("/srv/klinik"),
        )
    }

    #[test]
    fn nothing_configured_is_a_local_directory_and_20_mib() {
        assert_eq!(
            read(&[]).unwrap(),
            Documents::local(Path::new("/srv/klinik"))
        );
    }

    #[test]
    fn s3_needs_a_bucket_and_credentials_and_an_http_endpoint() {
        let err = read(&[("KLINIK_DOCUMENT_STORE", "s3")]).unwrap_err();
        assert_eq!(err.variable, "KLINIK_S3_BUCKET");
        let base = [
            ("KLINIK_DOCUMENT_STORE", "s3"),
            ("KLINIK_S3_BUCKET", "klinik"),
            ("KLINIK_S3_ACCESS_KEY_ID", "id"),
            ("KLINIK_S3_SECRET_ACCESS_KEY", "secret"),
        ];
        assert!(matches!(
            read(&base).unwrap().store,
            DocumentStore::S3 { .. }
        ));
        let mut odd = base.to_vec();
        odd.push(("KLINIK_S3_ENDPOINT", "127.0.0.1:9000"));
        assert_eq!(read(&odd).unwrap_err().variable, "KLINIK_S3_ENDPOINT");
        assert_eq!(
            read(&[("KLINIK_DOCUMENT_MAX_BYTES", "10")])
                .unwrap_err()
                .variable,
            "KLINIK_DOCUMENT_MAX_BYTES"
        );
    }
}
