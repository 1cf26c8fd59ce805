//! Exact decimals as JSON strings (`"65.98"`): binary floating point would turn 79.99 into
//! 79.98999…, and a score must sit on the right side of a cut-off.
//!
//! Only the plain form is accepted — an optional minus, up to seven digits, up to four decimals —
//! which [`DECIMAL_PATTERN`] states for the contract; exponents, `+`, blanks and underscores are
//! refused, so the schema and the server agree on every string.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serializer};

/// The contract's pattern for every decimal string.
pub const DECIMAL_PATTERN: &str = r"^-?[0-9]{1,7}(\.[0-9]{1,4})?$";

/// Parses `text` when it has exactly the form of [`DECIMAL_PATTERN`].
pub fn parse(text: &str) -> Option<Decimal> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match digits.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (digits, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let whole_ok = (1..=7).contains(&whole.len()) && all_digits(whole);
    let fraction_ok = fraction.is_none_or(|f| (1..=4).contains(&f.len()) && all_digits(f));
    if !(whole_ok && fraction_ok) {
        return None;
    }
    text.parse().ok()
}

/// The plain text of `value`, without trailing zeros (`80`, `65.98`).
pub fn format(value: &Decimal) -> String {
    value.normalize().to_string()
}

/// `#[serde(with = "text")]` for a `Decimal`.
pub mod text {
    use super::*;

    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format(value))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse(&text).ok_or_else(|| {
            serde::de::Error::custom(
                "expected a decimal string such as \"65.98\" (up to 7 digits and 4 decimals)",
            )
        })
    }
}

/// `#[serde(with = "computed")]` for a computed `Decimal` (a weighted score may carry more
/// decimals than an input may): written like [`text`], read back from storage in any plain form.
pub mod computed {
    use super::*;

    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format(value))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse()
            .map_err(|_| serde::de::Error::custom("expected a decimal string"))
    }
}

/// `#[serde(with = "optional_text")]` for an `Option<Decimal>`.
pub mod optional_text {
    use super::*;

    pub fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => serializer.serialize_str(&format(value)),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        match Option::<String>::deserialize(deserializer)? {
            None => Ok(None),
            Some(text) => parse(&text).map(Some).ok_or_else(|| {
                serde::de::Error::custom(
                    "expected a decimal string such as \"65.98\" (up to 7 digits and 4 decimals)",
                )
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn only_the_plain_form_parses() {
        for good in ["0", "80", "79.99", "-3.5", "1234567.1234", "007"] {
            assert!(parse(good).is_some(), "{good}");
        }
        for bad in [
            "", "-", ".5", "5.", "+5", "1e3", " 5", "5 ", "1_000", "12345678", "1.23456", "NaN",
            "٣",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn the_parser_agrees_with_the_contract_pattern(text in "\\PC{0,14}|-?[0-9]{0,9}(\\.[0-9]{0,6})?") {
            let pattern = regex::Regex::new(DECIMAL_PATTERN).expect("pattern compiles");
            prop_assert_eq!(parse(&text).is_some(), pattern.is_match(&text));
        }

        #[test]
        fn formatting_round_trips(n in -9_999_999i64..=9_999_999, scale in 0u32..=4) {
            let value = Decimal::new(n, scale);
            prop_assert_eq!(parse(&format(&value)), Some(value));
        }
    }
}
