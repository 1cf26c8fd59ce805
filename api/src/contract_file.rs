//! The contract as served at `/api-docs/openapi.json`: serialised, hashed and compressed once, then
//! answered from memory in the encoding the client accepts. Serialising and compressing 330 KB on
//! every request cost most of the throughput (bench/RESULTS.md, "compression").

use std::io::Write;
use std::sync::OnceLock;

use actix_web::http::header::{self, AcceptEncoding, ContentEncoding, Encoding, Header};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

/// Where the contract is served (and where Swagger UI reads it).
pub const CONTRACT_PATH: &str = "/api-docs/openapi.json";

/// The contract's bytes in each encoding, and their ETag (a hash of the JSON).
pub struct ContractFile {
    json: Bytes,
    gzip: Bytes,
    brotli: Bytes,
    etag: String,
}

impl ContractFile {
    fn build(spec: &utoipa::openapi::OpenApi) -> std::io::Result<Self> {
        let json = spec.to_json().map_err(std::io::Error::other)?.into_bytes();
        let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&json)[..8]));
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gzip.write_all(&json)?;
        let gzip = gzip.finish()?;
        let mut brotli = Vec::new();
        {
            // Quality 9 of 11: within a few percent of the best, in a fraction of its time.
            let mut writer = brotli::CompressorWriter::new(&mut brotli, 64 * 1024, 9, 22);
            writer.write_all(&json)?;
        }
        Ok(Self {
            json: Bytes::from(json),
            gzip: Bytes::from(gzip),
            brotli: Bytes::from(brotli),
            etag,
        })
    }

    /// The contract of this process, built on first use (every app in a process serves the same).
    pub fn of(spec: &utoipa::openapi::OpenApi) -> std::io::Result<&'static ContractFile> {
        static FILE: OnceLock<ContractFile> = OnceLock::new();
        if let Some(file) = FILE.get() {
            return Ok(file);
        }
        let built = Self::build(spec)?;
        Ok(FILE.get_or_init(|| built))
    }

    /// The contract in the best encoding `Accept-Encoding` allows (brotli, gzip, or none).
    pub fn respond(&self, request: &HttpRequest) -> HttpResponse {
        let supported = [Encoding::brotli(), Encoding::gzip(), Encoding::identity()];
        let chosen = AcceptEncoding::parse(request)
            .ok()
            .and_then(|accepted| accepted.negotiate(supported.iter()))
            .unwrap_or_else(Encoding::identity);
        let (body, encoding) = if chosen == Encoding::brotli() {
            (self.brotli.clone(), Some(ContentEncoding::Brotli))
        } else if chosen == Encoding::gzip() {
            (self.gzip.clone(), Some(ContentEncoding::Gzip))
        } else {
            (self.json.clone(), None)
        };
        let mut response = HttpResponse::Ok();
        response
            .content_type("application/json")
            .insert_header((header::ETAG, self.etag.clone()))
            .insert_header((header::VARY, "Accept-Encoding"));
        if let Some(encoding) = encoding {
            // Set, so the compression middleware passes the body through as it is.
            response.insert_header((header::CONTENT_ENCODING, encoding));
        }
        response.body(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn every_encoding_holds_the_same_contract() {
        let spec = crate::startup::openapi();
        let file = ContractFile::build(&spec).expect("builds");
        let mut from_gzip = Vec::new();
        flate2::read::GzDecoder::new(&file.gzip[..])
            .read_to_end(&mut from_gzip)
            .expect("gzip");
        let mut from_brotli = Vec::new();
        brotli::Decompressor::new(&file.brotli[..], 4096)
            .read_to_end(&mut from_brotli)
            .expect("brotli");
        assert_eq!(from_gzip, file.json);
        assert_eq!(from_brotli, file.json);
        assert!(file.brotli.len() * 5 < file.json.len());
    }
}
