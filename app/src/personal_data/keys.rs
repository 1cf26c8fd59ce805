//! The keys that protect personal data (UU PDP 27/2022): AES-256-GCM for the values, and
//! HMAC-SHA-256 for the NIK's search hash, both derived from `KLINIK_DATA_KEY`. Each key has an
//! id, written into every ciphertext (`v2:<key id>:<hex of nonce and ciphertext>`), so that after
//! a rotation values under a previous key (`KLINIK_DATA_KEY_PREVIOUS`) still read until
//! `klinik keys rotate` has re-sealed them (rotation.rs). `v1:` values, from before key ids, are
//! tried under every key.

use std::sync::Arc;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::prelude::*;

type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA-256 of `message` under `key` (HMAC takes keys of any length, so this cannot fail).
fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    match <HmacSha256 as Mac>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(message);
            mac.finalize().into_bytes().into()
        }
        Err(_) => [0u8; 32],
    }
}

/// One master key's derived keys.
#[derive(Clone)]
struct KeyMaterial {
    id: String,
    cipher: Aes256Gcm,
    hash_key: [u8; 32],
}

impl KeyMaterial {
    /// Independent keys for encryption, search hashes and the id, from one master key. (The
    /// labels name the NIK because it was sealed first; every sealed field shares the key.)
    fn from_master(master: &[u8]) -> Self {
        let encryption = hmac(master, b"klinik-kumkm:nik:encrypt:v1");
        KeyMaterial {
            id: hex::encode(&hmac(master, b"klinik-kumkm:data-key:id")[..4]),
            cipher: Aes256Gcm::new((&encryption).into()),
            hash_key: hmac(master, b"klinik-kumkm:nik:search:v1"),
        }
    }

    fn open(&self, bytes: &[u8]) -> Option<String> {
        let (nonce, ciphertext) = bytes.split_at(12);
        let plaintext = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .ok()?;
        String::from_utf8(plaintext).ok()
    }
}

/// The current data key (which seals) and the previous ones (which still open).
#[derive(Clone)]
pub struct DataKey {
    /// The current key first.
    keys: Arc<Vec<KeyMaterial>>,
}

impl DataKey {
    pub fn from_master(master: &[u8]) -> Self {
        Self::with_previous(master, &[])
    }

    /// Seals with `master`; opens with it and with each of `previous`.
    pub fn with_previous(master: &[u8], previous: &[Vec<u8>]) -> Self {
        let mut keys = vec![KeyMaterial::from_master(master)];
        keys.extend(previous.iter().map(|p| KeyMaterial::from_master(p)));
        DataKey {
            keys: Arc::new(keys),
        }
    }

    fn current(&self) -> &KeyMaterial {
        &self.keys[0]
    }

    /// The id of the key that seals now.
    pub fn current_id(&self) -> &str {
        &self.current().id
    }

    pub fn encrypt(&self, plaintext: &str) -> Result<String, Error> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(|e| Error::internal(&e))?;
        let key = self.current();
        let ciphertext = key
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plaintext.as_bytes())
            .map_err(|_| Error::internal(&"encryption failed"))?;
        Ok(format!(
            "v2:{}:{}{}",
            key.id,
            hex::encode(nonce),
            hex::encode(ciphertext)
        ))
    }

    pub fn decrypt(&self, stored: &str) -> Result<String, Error> {
        let unreadable = || Error::internal(&"unreadable ciphertext");
        let bytes = |h: &str| {
            hex::decode(h)
                .ok()
                .filter(|b| b.len() > 12)
                .ok_or_else(unreadable)
        };
        let opened = if let Some(rest) = stored.strip_prefix("v2:") {
            let (id, body) = rest.split_once(':').ok_or_else(unreadable)?;
            let key = self.keys.iter().find(|k| k.id == id).ok_or_else(|| {
                Error::internal(&"sealed under a key that is neither KLINIK_DATA_KEY nor in KLINIK_DATA_KEY_PREVIOUS")
            })?;
            key.open(&bytes(body)?)
        } else if let Some(body) = stored.strip_prefix("v1:") {
            let bytes = bytes(body)?;
            self.keys.iter().find_map(|k| k.open(&bytes))
        } else {
            return Err(unreadable());
        };
        opened.ok_or_else(|| Error::internal(&"decryption failed (wrong KLINIK_DATA_KEY?)"))
    }

    /// Whether `stored` is sealed under the current key.
    pub fn is_current(&self, stored: &str) -> bool {
        stored
            .strip_prefix("v2:")
            .and_then(|rest| rest.split_once(':'))
            .is_some_and(|(id, _)| id == self.current_id())
    }

    /// The keyed hash by which a NIK is found now; equal NIKs give equal hashes.
    pub fn search_hash(&self, nik: &str) -> String {
        hex::encode(hmac(&self.current().hash_key, nik.as_bytes()))
    }

    /// The NIK's hash under every key, current first: during a rotation a person not yet
    /// re-sealed is still found by the hash of their previous key.
    pub fn search_hashes(&self, nik: &str) -> Vec<String> {
        self.keys
            .iter()
            .map(|k| hex::encode(hmac(&k.hash_key, nik.as_bytes())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nik_round_trips_and_its_ciphertext_hides_it() {
        let key = DataKey::from_master(&[7u8; 32]);
        let stored = key.encrypt("3271014501900001").unwrap();
        assert!(!stored.contains("3271014501900001"));
        assert_ne!(
            stored,
            key.encrypt("3271014501900001").unwrap(),
            "a fresh nonce each time"
        );
        assert_eq!(key.decrypt(&stored).unwrap(), "3271014501900001");
        let other = DataKey::from_master(&[8u8; 32]);
        assert!(
            other.decrypt(&stored).is_err(),
            "another key cannot read it"
        );
        let mut tampered = stored.clone();
        tampered.pop();
        tampered.push(if stored.ends_with('0') { '1' } else { '0' });
        assert!(key.decrypt(&tampered).is_err(), "authenticated");
    }

    #[test]
    fn search_hashes_match_equal_niks_only_and_depend_on_the_key() {
        let key = DataKey::from_master(&[7u8; 32]);
        assert_eq!(
            key.search_hash("3271014501900001"),
            key.search_hash("3271014501900001")
        );
        assert_ne!(
            key.search_hash("3271014501900001"),
            key.search_hash("3271014501900002")
        );
        assert_ne!(
            key.search_hash("3271014501900001"),
            DataKey::from_master(&[8u8; 32]).search_hash("3271014501900001")
        );
    }

    #[test]
    fn after_a_rotation_values_under_the_previous_key_still_open_and_new_ones_name_the_new_key() {
        let old = DataKey::from_master(&[7u8; 32]);
        let sealed_before = old.encrypt("+6281234567890").unwrap();
        let rotated = DataKey::with_previous(&[9u8; 32], &[vec![7u8; 32]]);
        assert_eq!(rotated.decrypt(&sealed_before).unwrap(), "+6281234567890");
        assert!(!rotated.is_current(&sealed_before));
        let sealed_after = rotated.encrypt("+6281234567890").unwrap();
        assert!(sealed_after.starts_with(&format!("v2:{}:", rotated.current_id())));
        assert!(rotated.is_current(&sealed_after));
        assert!(
            old.decrypt(&sealed_after).is_err(),
            "the old key alone cannot open it"
        );
        assert_eq!(
            rotated.search_hashes("3271014501900001"),
            [
                rotated.search_hash("3271014501900001"),
                old.search_hash("3271014501900001")
            ]
        );
        assert!(
            DataKey::from_master(&[9u8; 32])
                .decrypt(&sealed_before)
                .is_err(),
            "once the previous key is dropped its values are unreadable"
        );
    }

    #[test]
    fn values_sealed_before_key_ids_still_open() {
        // v1 format: "v1:" + hex(nonce ‖ ciphertext+tag) under the same derived key.
        let key = DataKey::from_master(&[7u8; 32]);
        let v2 = key.encrypt("3271014501900001").unwrap();
        let body = v2.rsplit(':').next().unwrap();
        assert_eq!(
            key.decrypt(&format!("v1:{body}")).unwrap(),
            "3271014501900001"
        );
        let rotated = DataKey::with_previous(&[9u8; 32], &[vec![7u8; 32]]);
        assert_eq!(
            rotated.decrypt(&format!("v1:{body}")).unwrap(),
            "3271014501900001"
        );
    }
}
