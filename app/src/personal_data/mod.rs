//! Protection of personal data (UU PDP 27/2022): a person's NIK, birth date, phone and home
//! address are stored encrypted, and the NIK also as a keyed hash for exact-match search
//! (keys.rs); a database dump alone reveals none of them. The application works with
//! [`ClearPerson`] and seals it only for storage (person.rs). Also the masks shown to those who
//! may not see a value, and the key rotation (rotation.rs).

mod keys;
mod person;
pub mod rotation;

pub use keys::DataKey;
pub use person::{ClearPerson, seal_legacy};

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
    fn phones_show_only_their_last_three_digits() {
        assert_eq!(mask_phone("+6281234567890"), "***********890");
        assert_eq!(mask_phone("12"), "12");
    }
}
