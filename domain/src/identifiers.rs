//! Identifiers that the office receives from other registries, validated by their shape.
//!
//! Each rule is also stated as a JSON Schema pattern (the `*_PATTERN` constants) so that the contract
//! says exactly what the server accepts.

use crate::Violation;

/// Nomor Induk Koperasi: the cooperative's registration number at the ministry, 13 to 16 digits.
/// Not to be confused with the 16-digit personal NIK (Nomor Induk Kependudukan).
pub const REGISTRATION_NUMBER_PATTERN: &str = "^[0-9]{13,16}$";
/// Nomor Induk Berusaha issued by OSS: exactly 13 digits.
pub const NIB_PATTERN: &str = "^[0-9]{13}$";
/// NPWP, the tax number: 15 digits (old form) or 16 digits (the NIK-based form since 2024).
pub const NPWP_PATTERN: &str = "^[0-9]{15,16}$";
/// Indonesian postal code: 5 digits.
pub const POSTAL_CODE_PATTERN: &str = "^[0-9]{5}$";

/// Rukun Tetangga / Rukun Warga of an address, e.g. `001/005`.
pub const RT_RW_PATTERN: &str = "^[0-9]{1,3}/[0-9]{1,3}$";
/// A telephone number: digits with an optional leading `+`, 6 to 15 digits (E.164 length).
pub const PHONE_PATTERN: &str = r"^\+?[0-9]{6,15}$";
/// An e-mail address: one `@`, no spaces or control characters, a dotted domain.
pub const EMAIL_PATTERN: &str = r"^[^@\x00-\x20\x7F]+@[^@.\x00-\x20\x7F]+(\.[^@.\x00-\x20\x7F]+)+$";

fn digits_between(value: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit())
}

pub fn registration_number(field: &str, value: &str) -> Result<(), Violation> {
    if digits_between(value, 13, 16) {
        Ok(())
    } else {
        Err(Violation::new(
            field,
            "registration_number_format",
            msg!("must be 13 to 16 digits (nomor induk koperasi)"),
        ))
    }
}

pub fn nib(field: &str, value: &str) -> Result<(), Violation> {
    if digits_between(value, 13, 13) {
        Ok(())
    } else {
        Err(Violation::new(
            field,
            "nib_format",
            msg!("must be exactly 13 digits (NIB)"),
        ))
    }
}

pub fn npwp(field: &str, value: &str) -> Result<(), Violation> {
    if digits_between(value, 15, 16) {
        Ok(())
    } else {
        Err(Violation::new(
            field,
            "npwp_format",
            msg!("must be 15 or 16 digits (NPWP)"),
        ))
    }
}

pub fn postal_code(field: &str, value: &str) -> Result<(), Violation> {
    if digits_between(value, 5, 5) {
        Ok(())
    } else {
        Err(Violation::new(
            field,
            "postal_code_format",
            msg!("must be exactly 5 digits"),
        ))
    }
}

pub fn rt_rw(field: &str, value: &str) -> Result<(), Violation> {
    let ok = value
        .split_once('/')
        .is_some_and(|(rt, rw)| digits_between(rt, 1, 3) && digits_between(rw, 1, 3));
    if ok {
        Ok(())
    } else {
        Err(Violation::new(
            field,
            "rt_rw_format",
            msg!("must be RT/RW as digits, e.g. 001/005"),
        ))
    }
}

pub fn phone(field: &str, value: &str) -> Result<(), Violation> {
    let digits = value.strip_prefix('+').unwrap_or(value);
    if digits_between(digits, 6, 15) {
        Ok(())
    } else {
        Err(Violation::new(
            field,
            "phone_format",
            msg!("must be 6 to 15 digits, optionally starting with +"),
        ))
    }
}

fn email_part_ok(part: &str) -> bool {
    !part.is_empty() && part.chars().all(|c| c > ' ' && c != '\u{7F}' && c != '@')
}

pub fn email(field: &str, value: &str) -> Result<(), Violation> {
    let ok = value.chars().count() <= 254
        && value.split_once('@').is_some_and(|(local, domain)| {
            let labels: Vec<&str> = domain.split('.').collect();
            email_part_ok(local) && labels.len() >= 2 && labels.iter().all(|l| email_part_ok(l))
        });
    if ok {
        Ok(())
    } else {
        Err(Violation::new(
            field,
            "email_format",
            msg!("must be an e-mail address such as koperasi@example.id"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn registration_number_accepts_13_to_16_digits_only() {
        assert!(registration_number("f", &"1".repeat(12)).is_err());
        assert!(registration_number("f", &"1".repeat(13)).is_ok());
        assert!(registration_number("f", &"1".repeat(16)).is_ok());
        assert!(registration_number("f", &"1".repeat(17)).is_err());
        assert!(registration_number("f", "327107006000a").is_err());
        assert!(registration_number("f", "").is_err());
    }

    #[test]
    fn nib_is_exactly_13_digits() {
        assert!(nib("f", "1234567890123").is_ok());
        assert!(nib("f", "123456789012").is_err());
        assert!(nib("f", "12345678901234").is_err());
        assert_eq!(nib("f", "12345678901x3").unwrap_err().code, "nib_format");
    }

    #[test]
    fn npwp_is_15_or_16_digits() {
        assert!(npwp("f", &"0".repeat(14)).is_err());
        assert!(npwp("f", &"0".repeat(15)).is_ok());
        assert!(npwp("f", &"0".repeat(16)).is_ok());
        assert!(npwp("f", &"0".repeat(17)).is_err());
    }

    #[test]
    fn non_ascii_digits_are_not_digits() {
        // Arabic-Indic digits are numeric in Unicode but not in the registries.
        assert!(nib("f", "١٢٣٤٥٦٧٨٩٠١٢٣").is_err());
    }

    #[test]
    fn contact_and_address_shapes() {
        assert!(rt_rw("f", "001/005").is_ok());
        assert!(rt_rw("f", "1/5").is_ok());
        assert!(rt_rw("f", "0001/005").is_err());
        assert!(rt_rw("f", "001-005").is_err());
        assert!(phone("f", "+62251123456").is_ok());
        assert!(phone("f", "0251833").is_ok());
        assert!(phone("f", "12345").is_err());
        assert!(phone("f", "++62251123").is_err());
        assert!(email("f", "kop@bogorkota.go.id").is_ok());
        assert!(email("f", "kop@localhost").is_err());
        assert!(email("f", "a b@x.id").is_err());
        assert!(email("f", "a@@x.id").is_err());
        assert!(email("f", "a@x..id").is_err());
    }

    fn matches(pattern: &str, value: &str) -> bool {
        regex::Regex::new(pattern).unwrap().is_match(value)
    }

    proptest! {
        // Each hand-written check agrees with the pattern published in the contract.
        #[test]
        fn checks_agree_with_their_published_patterns(s in "[0-9a-z@.+/ \\x00-\\x7F]{0,20}") {
            prop_assert_eq!(registration_number("f", &s).is_ok(), matches(REGISTRATION_NUMBER_PATTERN, &s));
            prop_assert_eq!(nib("f", &s).is_ok(), matches(NIB_PATTERN, &s));
            prop_assert_eq!(npwp("f", &s).is_ok(), matches(NPWP_PATTERN, &s));
            prop_assert_eq!(postal_code("f", &s).is_ok(), matches(POSTAL_CODE_PATTERN, &s));
            prop_assert_eq!(rt_rw("f", &s).is_ok(), matches(RT_RW_PATTERN, &s));
            prop_assert_eq!(phone("f", &s).is_ok(), matches(PHONE_PATTERN, &s));
            prop_assert_eq!(email("f", &s).is_ok(), matches(EMAIL_PATTERN, &s));
        }

        #[test]
        fn shaped_values_agree_with_their_patterns(
            local in "[a-z0-9.]{0,5}", domain in "[a-z.]{0,6}", digits in "[0-9/+]{0,18}"
        ) {
            let mail = format!("{local}@{domain}");
            prop_assert_eq!(email("f", &mail).is_ok(), matches(EMAIL_PATTERN, &mail));
            prop_assert_eq!(phone("f", &digits).is_ok(), matches(PHONE_PATTERN, &digits));
            prop_assert_eq!(rt_rw("f", &digits).is_ok(), matches(RT_RW_PATTERN, &digits));
        }

        #[test]
        fn any_string_of_13_to_16_ascii_digits_is_a_registration_number(s in "[0-9]{13,16}") {
            prop_assert!(registration_number("f", &s).is_ok());
        }

        #[test]
        fn strings_with_a_non_digit_are_never_registration_numbers(
            prefix in "[0-9]{0,8}", bad in "[^0-9]", suffix in "[0-9]{0,8}"
        ) {
            let value = format!("{prefix}{bad}{suffix}");
            prop_assert!(registration_number("f", &value).is_err());
        }
    }
}
