//! Free-text fields: names, addresses and the like.
//!
//! The rule is deliberately one that a JSON Schema `pattern` can state exactly (see
//! [`SINGLE_LINE_PATTERN`]), so that the contract and the server never disagree about what is valid.

use crate::Violation;

/// A single line of text with no control characters and no leading or trailing space.
/// The same expression appears in the OpenAPI schema of every such field.
pub const SINGLE_LINE_PATTERN: &str = r"^[^\x00-\x20\x7F]([^\x00-\x1F\x7F]*[^\x00-\x20\x7F])?$";

fn is_control(c: char) -> bool {
    c <= '\u{1F}' || c == '\u{7F}'
}

fn is_edge_forbidden(c: char) -> bool {
    is_control(c) || c == ' '
}

/// True when `value` matches [`SINGLE_LINE_PATTERN`] (checked without a regex engine).
pub fn is_single_line(value: &str) -> bool {
    let (Some(first), Some(last)) = (value.chars().next(), value.chars().last()) else {
        return false;
    };
    !is_edge_forbidden(first) && !is_edge_forbidden(last) && !value.chars().any(is_control)
}

/// Checks a required single-line text of at most `max_chars` characters.
pub fn single_line(field: &str, value: &str, max_chars: usize) -> Result<(), Violation> {
    if value.is_empty() {
        return Err(Violation::new(field, "required", msg!("must not be empty")));
    }
    if value.chars().count() > max_chars {
        return Err(Violation::new(
            field,
            "too_long",
            msg!(
                "must be at most %{max_chars} characters",
                max_chars = max_chars
            ),
        ));
    }
    if !is_single_line(value) {
        return Err(Violation::new(
            field,
            "invalid_text",
            msg!("must be one line without control characters or leading/trailing spaces"),
        ));
    }
    Ok(())
}

/// Free text over several lines (notes): tabs and line breaks allowed, other control characters
/// not, and at least one visible character. The same expression appears in the OpenAPI schema.
pub const MULTI_LINE_PATTERN: &str =
    r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$";

/// True when `value` matches [`MULTI_LINE_PATTERN`].
pub fn is_multi_line(value: &str) -> bool {
    let allowed = |c: char| !is_control(c) || matches!(c, '\t' | '\n' | '\r');
    value.chars().all(allowed) && value.chars().any(|c| !is_edge_forbidden(c))
}

/// Checks a required multi-line text of at most `max_chars` characters.
pub fn multi_line(field: &str, value: &str, max_chars: usize) -> Result<(), Violation> {
    if value.chars().count() > max_chars {
        return Err(Violation::new(
            field,
            "too_long",
            msg!(
                "must be at most %{max_chars} characters",
                max_chars = max_chars
            ),
        ));
    }
    if !is_multi_line(value) {
        return Err(Violation::new(
            field,
            "invalid_text",
            msg!(
                "must hold visible text; tabs and line breaks are the only control characters allowed"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_names_are_single_lines() {
        assert!(is_single_line("Koperasi Serba Usaha Mekar Sari"));
        assert!(is_single_line("a"));
        assert!(is_single_line("Jl. Pajajaran No. 5, RT 01/RW 02"));
    }

    #[test]
    fn edges_and_control_characters_are_rejected() {
        for bad in ["", " a", "a ", "a\nb", "a\tb", "\u{7F}", "a\u{0}b"] {
            assert!(!is_single_line(bad), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        let name = "é".repeat(200);
        assert!(single_line("name", &name, 200).is_ok());
        let longer = "é".repeat(201);
        assert_eq!(
            single_line("name", &longer, 200).unwrap_err().code,
            "too_long"
        );
    }
}

#[cfg(test)]
mod pattern_parity {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        // The contract states the rule as a regular expression; the server checks it by hand.
        // Both must agree on every string, or schema-valid data would be refused.
        #[test]
        fn the_hand_written_check_agrees_with_the_published_pattern(s in "\\PC{0,3}[\\x00-\\x7F ]{0,3}\\PC{0,3}") {
            let pattern = regex::Regex::new(SINGLE_LINE_PATTERN).unwrap();
            prop_assert_eq!(is_single_line(&s), pattern.is_match(&s));
        }

        #[test]
        fn the_multi_line_check_agrees_with_its_pattern(s in "[\\x00-\\x7F \\n\\t]{0,4}\\PC{0,2}[\\x00-\\x20]{0,3}") {
            let pattern = regex::Regex::new(MULTI_LINE_PATTERN).unwrap();
            prop_assert_eq!(is_multi_line(&s), pattern.is_match(&s));
        }
    }
}
