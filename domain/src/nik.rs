//! The personal NIK (Nomor Induk Kependudukan), validated by its structure only (docs/domain.md,
//! "The personal NIK and personal data"): 16 digits = province (2) + regency (2) + district (2) +
//! birth date DDMMYY (women: day + 40) + sequence (4, from 0001). Nothing else is inferred from it:
//! it is personal data, never logged and masked on output.

use crate::Violation;

/// Kemendagri province codes, the 38 provinces since the 2022 Papua split (91–96 cover both the
/// old and the new Papua codes).
pub const PROVINCE_CODES: [u8; 38] = [
    11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63, 64, 65,
    71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96,
];

/// The whole structural rule as a regular expression, published in the contract.
pub const NIK_PATTERN: &str = r"^(1[1-9]|21|3[1-6]|5[1-3]|6[1-5]|7[1-6]|8[12]|9[1-6])[0-9]{4}(0[1-9]|[12][0-9]|3[01]|4[1-9]|[56][0-9]|7[01])(0[1-9]|1[0-2])[0-9]{2}([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})$";

fn two_digits(bytes: &[u8]) -> u8 {
    (bytes[0] - b'0') * 10 + (bytes[1] - b'0')
}

/// Checks a NIK's structure; each broken rule has its own code.
pub fn validate(field: &str, nik: &str) -> Result<(), Violation> {
    let bytes = nik.as_bytes();
    if bytes.len() != 16 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(Violation::new(
            field,
            "nik_format",
            msg!("must be exactly 16 digits"),
        ));
    }
    if !PROVINCE_CODES.contains(&two_digits(&bytes[0..2])) {
        return Err(Violation::new(
            field,
            "nik_province",
            msg!("does not start with an Indonesian province code"),
        ));
    }
    let day = two_digits(&bytes[6..8]);
    if !((1..=31).contains(&day) || (41..=71).contains(&day)) {
        return Err(Violation::new(
            field,
            "nik_birth_day",
            msg!("has no valid birth day (01-31, or 41-71 for women)"),
        ));
    }
    let month = two_digits(&bytes[8..10]);
    if !(1..=12).contains(&month) {
        return Err(Violation::new(
            field,
            "nik_birth_month",
            msg!("has no valid birth month (01-12)"),
        ));
    }
    if &bytes[12..16] == b"0000" {
        return Err(Violation::new(
            field,
            "nik_sequence",
            msg!("has sequence 0000, which is never issued"),
        ));
    }
    Ok(())
}

/// The NIK as shown to those who may not see it: province and regency, then `********`, then the
/// sequence (`3271********0001`).
pub fn mask(nik: &str) -> String {
    if nik.len() != 16 || !nik.is_ascii() {
        return "****************".into();
    }
    format!("{}********{}", &nik[..4], &nik[12..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(nik: &str) -> Option<&'static str> {
        validate("nik", nik).err().map(|v| v.code)
    }

    #[test]
    fn each_structural_rule_has_its_code_and_its_boundaries() {
        assert_eq!(code("3271010101900001"), None);
        assert_eq!(code("327101010190000"), Some("nik_format"));
        assert_eq!(code("32710101019000011"), Some("nik_format"));
        assert_eq!(code("32710101019O0001"), Some("nik_format"));
        assert_eq!(code("1071010101900001"), Some("nik_province"));
        assert_eq!(code("1171010101900001"), None);
        assert_eq!(code("9671010101900001"), None);
        assert_eq!(code("9771010101900001"), Some("nik_province"));
        for (day, ok) in [
            ("00", false),
            ("01", true),
            ("31", true),
            ("32", false),
            ("40", false),
            ("41", true),
            ("71", true),
            ("72", false),
        ] {
            assert_eq!(
                code(&format!("327101{day}0190 0001").replace(' ', "")),
                if ok { None } else { Some("nik_birth_day") },
                "day {day}"
            );
        }
        for (month, ok) in [("00", false), ("01", true), ("12", true), ("13", false)] {
            assert_eq!(
                code(&format!("32710101{month}900001")),
                if ok { None } else { Some("nik_birth_month") },
                "month {month}"
            );
        }
        assert_eq!(code("3271010101900000"), Some("nik_sequence"));
    }

    #[test]
    fn masking_keeps_only_the_region_and_the_sequence() {
        assert_eq!(mask("3271014501900001"), "3271********0001");
        assert_eq!(mask("short"), "****************");
    }

    proptest! {
        #[test]
        fn the_published_pattern_is_the_rule(s in "[0-9]{15,17}", province in proptest::sample::select(PROVINCE_CODES.to_vec()), rest in "[0-9]{14}") {
            let pattern = regex::Regex::new(NIK_PATTERN).unwrap();
            prop_assert_eq!(validate("nik", &s).is_ok(), pattern.is_match(&s));
            let likely = format!("{province:02}{rest}");
            prop_assert_eq!(validate("nik", &likely).is_ok(), pattern.is_match(&likely), "{}", likely);
        }

        #[test]
        fn any_well_formed_nik_is_accepted(
            province in proptest::sample::select(PROVINCE_CODES.to_vec()),
            region in 0u32..10000, day in 1u32..=31, female in any::<bool>(), month in 1u32..=12,
            year in 0u32..100, sequence in 1u32..10000,
        ) {
            let day = if female { day + 40 } else { day };
            let nik = format!("{province:02}{region:04}{day:02}{month:02}{year:02}{sequence:04}");
            prop_assert!(validate("nik", &nik).is_ok(), "{}", nik);
            prop_assert!(!mask(&nik).contains(&nik[4..12]));
        }
    }
}
