//! A person in clear and as stored: every personal field sealed under the data key.

use chrono::NaiveDate;
use klinik_domain::ukm::Sex;
use klinik_persistence::persons::{self, PersonFields, PersonRow};

use super::DataKey;
use crate::prelude::*;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
