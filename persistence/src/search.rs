//! Case-insensitive substring search written once for both backends:
//! `lower(column) LIKE '%term%' ESCAPE '\'`, with the term's own `%`, `_` and `\` taken literally.

diesel::define_sql_function!(
    /// SQL `lower(text)`. SQLite folds ASCII letters only; PostgreSQL folds all.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text
);

/// A search term as it can be bound on both backends: PostgreSQL refuses a NUL in a text
/// parameter, so NUL becomes U+0001 — a character no stored text holds (every stored text is
/// validated free of control characters) — and the search finds nothing, as it should.
pub fn bindable(term: &str) -> String {
    term.replace('\0', "\u{1}")
}

/// Builds the LIKE pattern for a substring search: lower-cased, wildcards escaped.
pub fn like_pattern(term: &str) -> String {
    let mut pattern = String::with_capacity(term.len() + 2);
    pattern.push('%');
    for c in bindable(&term.to_lowercase()).chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_in_the_term_are_literal() {
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(like_pattern("Mekar"), "%mekar%");
        assert_eq!(
            like_pattern("a\0b"),
            "%a\u{1}b%",
            "NUL cannot be bound on PostgreSQL"
        );
    }
}
