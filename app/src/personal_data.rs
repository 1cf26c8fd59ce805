//! Protection of personal data (UU PDP 27/2022): a person's NIK, birth date, phone and home
//! address are stored encrypted with AES-256-GCM, and the NIK also, for exact-match search, as an
//! HMAC-SHA-256; both keys derive from `KLINIK_DATA_KEY`. A database dump alone reveals none of
//! them. The application works with [`ClearPerson`] and seals it only for storage. Also the masks
//! shown to those who may not see a value.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use klinik_domain::ukm::Sex;
use klinik_persistence::persons::{self, PersonFields, PersonRow};
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
    /// Derives independent keys for encryption and for search hashes from one master key. (The
    /// labels name the NIK because it was sealed first; every sealed field shares the key.)
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

/// A person's details in clear, as the application works with them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClearPerson {
    pub full_name: String,
    pub nik: Option<String>,
    pub sex: Option<Sex>,
    pub birth_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub home_address: Option<String>,
}

impl ClearPerson {
    /// Whether two records describe the person the same way, apart from the NIK that found them.
    pub fn same_details(&self, other: &ClearPerson) -> bool {
        (
            &self.full_name,
            self.sex,
            self.birth_date,
            &self.phone,
            &self.home_address,
        ) == (
            &other.full_name,
            other.sex,
            other.birth_date,
            &other.phone,
            &other.home_address,
        )
    }
}

const DATE: &str = "%Y-%m-%d";

impl DataKey {
    fn seal(&self, value: Option<&str>) -> Result<Option<String>, Error> {
        value.map(|v| self.encrypt(v)).transpose()
    }

    fn open(&self, stored: Option<&str>) -> Result<Option<String>, Error> {
        stored.map(|v| self.decrypt(v)).transpose()
    }

    /// The person as stored: every personal field encrypted, the NIK also hashed.
    pub fn seal_person(&self, person: &ClearPerson) -> Result<PersonFields, Error> {
        Ok(PersonFields {
            full_name: person.full_name.clone(),
            nik_encrypted: self.seal(person.nik.as_deref())?,
            nik_hash: person.nik.as_deref().map(|n| self.search_hash(n)),
            sex: person.sex,
            birth_date_encrypted: self.seal(
                person
                    .birth_date
                    .map(|d| d.format(DATE).to_string())
                    .as_deref(),
            )?,
            phone_encrypted: self.seal(person.phone.as_deref())?,
            home_address_encrypted: self.seal(person.home_address.as_deref())?,
        })
    }

    /// A stored person in clear. Fails (500) when a value does not decrypt under this key.
    pub fn open_person(&self, row: &PersonRow) -> Result<ClearPerson, Error> {
        let birth_date = self
            .open(row.birth_date_encrypted.as_deref())?
            .map(|d| NaiveDate::parse_from_str(&d, DATE))
            .transpose()
            .map_err(|e| Error::internal(&e))?;
        Ok(ClearPerson {
            full_name: row.full_name.clone(),
            nik: self.open(row.nik_encrypted.as_deref())?,
            sex: row.sex,
            birth_date,
            phone: self.open(row.phone_encrypted.as_deref())?,
            home_address: self.open(row.home_address_encrypted.as_deref())?,
        })
    }
}

/// Seals what migration 13 left in the clear `legacy_*` columns of persons, in batches, each
/// batch in its own transaction (an interrupted start resumes where it stopped); returns how
/// many persons it sealed.
pub fn seal_legacy(conn: &mut AnyConnection, key: &DataKey) -> Result<usize, Error> {
    let mut sealed = 0;
    loop {
        let done = klinik_persistence::write_transaction(conn, |conn| {
            let batch = persons::legacy_clear(conn, 1000)?;
            for person in &batch {
                let birth = person.birth_date.map(|d| d.format(DATE).to_string());
                persons::replace_legacy(
                    conn,
                    person.id,
                    key.seal(birth.as_deref())?,
                    key.seal(person.phone.as_deref())?,
                    key.seal(person.home_address.as_deref())?,
                )?;
            }
            Ok::<_, Error>(batch.len())
        })?;
        sealed += done;
        if done == 0 {
            return Ok(sealed);
        }
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
    fn a_person_is_stored_with_no_personal_value_in_clear_and_opens_unchanged() {
        let key = DataKey::from_master(&[7u8; 32]);
        let person = ClearPerson {
            full_name: "Siti Aminah".into(),
            nik: Some("3271014501900001".into()),
            sex: Some(Sex::Perempuan),
            birth_date: NaiveDate::from_ymd_opt(1990, 1, 5),
            phone: Some("+6281234567890".into()),
            home_address: Some("Jl. Pajajaran No. 1".into()),
        };
        let stored = key.seal_person(&person).unwrap();
        let text = format!("{stored:?}");
        for secret in [
            "3271014501900001",
            "1990-01-05",
            "+6281234567890",
            "Pajajaran",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        let row = PersonRow {
            id: PersonId(1),
            full_name: stored.full_name,
            nik_encrypted: stored.nik_encrypted,
            nik_hash: stored.nik_hash,
            sex: stored.sex,
            birth_date_encrypted: stored.birth_date_encrypted,
            phone_encrypted: stored.phone_encrypted,
            home_address_encrypted: stored.home_address_encrypted,
            version: 1,
            created_at: chrono::NaiveDateTime::default(),
            updated_at: chrono::NaiveDateTime::default(),
        };
        assert_eq!(key.open_person(&row).unwrap(), person);
        let empty = ClearPerson {
            full_name: "Budi".into(),
            ..ClearPerson::default()
        };
        let sealed = key.seal_person(&empty).unwrap();
        assert_eq!(
            (
                sealed.nik_encrypted,
                sealed.phone_encrypted,
                sealed.birth_date_encrypted
            ),
            (None, None, None),
            "absent stays absent"
        );
    }

    #[test]
    fn phones_show_only_their_last_three_digits() {
        assert_eq!(mask_phone("+6281234567890"), "***********890");
        assert_eq!(mask_phone("12"), "12");
    }
}
