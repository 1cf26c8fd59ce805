//! Protection of personal identifiers (UU PDP 27/2022): the NIK is stored encrypted with
//! AES-256-GCM and, for exact-match search, as an HMAC-SHA-256; both keys derive from
//! `KLINIK_DATA_KEY`. A database dump alone reveals neither. Also the masks shown to those who may
//! not see a value.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::prelude::*;

type HmacSha256 = Hmac<Sha256>;

/// Version tag of the stored ciphertext format: `v1:` + hex(nonce ‖ ciphertext+tag).
const FORMAT: &str = "v1:";

#[derive(Clone)]
pub struct DataKey {
    cipher: Aes256Gcm,
    hash_key: [u8; 32],
}

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

impl DataKey {
    /// Derives independent keys for encryption and for search hashes from one master key.
    pub fn from_master(master: &[u8]) -> Self {
        let encryption = hmac(master, b"klinik-kumkm:nik:encrypt:v1");
        let cipher = Aes256Gcm::new((&encryption).into());
        DataKey {
            cipher,
            hash_key: hmac(master, b"klinik-kumkm:nik:search:v1"),
        }
    }

    pub fn encrypt(&self, plaintext: &str) -> Result<String, Error> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(|e| Error::internal(&e))?;
        let ciphertext = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plaintext.as_bytes())
            .map_err(|_| Error::internal(&"encryption failed"))?;
        Ok(format!(
            "{FORMAT}{}{}",
            hex::encode(nonce),
            hex::encode(ciphertext)
        ))
    }

    pub fn decrypt(&self, stored: &str) -> Result<String, Error> {
        let bytes = stored
            .strip_prefix(FORMAT)
            .and_then(|h| hex::decode(h).ok())
            .filter(|b| b.len() > 12)
            .ok_or_else(|| Error::internal(&"unreadable ciphertext"))?;
        let (nonce, ciphertext) = bytes.split_at(12);
        let plaintext = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .map_err(|_| Error::internal(&"decryption failed (wrong KLINIK_DATA_KEY?)"))?;
        String::from_utf8(plaintext).map_err(|e| Error::internal(&e))
    }

    /// The keyed hash by which a NIK is found; equal NIKs give equal hashes.
    pub fn search_hash(&self, nik: &str) -> String {
        hex::encode(hmac(&self.hash_key, nik.as_bytes()))
    }
}

/// A phone number as shown to those who may not see it: its last three digits only.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().collect();
    let keep = digits.len().min(3);
    let hidden = digits.len() - keep;
    format!(
        "{}{}",
        "*".repeat(hidden),
        digits[hidden..].iter().collect::<String>()
    )
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
    fn phones_show_only_their_last_three_digits() {
        assert_eq!(mask_phone("+6281234567890"), "***********890");
        assert_eq!(mask_phone("12"), "12");
    }
}
