//! Word-prefix search over names: what a registry's `q` means.
//!
//! A name matches a term when one of its words begins with the term — the term may run on over the
//! following words: "siti" and "bu si" both find "Warung Bu Siti", "arung" does not. Letters are
//! compared lower-cased (all of Unicode, the same on both databases), and runs of white space
//! count as one space.
//!
//! The store keeps, for every name, each *tail* that starts at a word: "warung bu siti",
//! "bu siti", "siti". A name matches exactly when some tail lies in the term's [`prefix_range`],
//! which a B-tree answers from its sorted keys. Tails compare byte by byte (UTF-8 byte order is
//! code-point order), as `COLLATE "C"` on PostgreSQL and `BINARY` on SQLite do.

/// Lower-cases `text` and joins its white-space-separated pieces with single spaces.
pub fn normalise(text: &str) -> String {
    text.to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The tails of a name that start at a word: at a letter or digit that does not follow one.
pub fn word_tails(name: &str) -> Vec<String> {
    let name = normalise(name);
    let mut tails = Vec::new();
    let mut after_word_character = false;
    for (at, c) in name.char_indices() {
        let word_character = c.is_alphanumeric();
        if word_character && !after_word_character {
            tails.push(name[at..].to_owned());
        }
        after_word_character = word_character;
    }
    tails
}

/// The keys to index for a record found by its name or its identifier (e.g. a NIB): the name's
/// tails, and the identifier as one more word, without repeats.
pub fn search_keys(name: &str, identifier: Option<&str>) -> Vec<String> {
    let mut keys = word_tails(name);
    if let Some(identifier) = identifier.map(normalise).filter(|i| !i.is_empty()) {
        keys.push(identifier);
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// The half-open range `[low, high)` of keys that begin with `term` (normalised); `None` when the
/// term holds nothing but white space.
pub fn prefix_range(term: &str) -> Option<(String, String)> {
    let low = normalise(term);
    let high = successor(&low)?;
    Some((low, high))
}

/// The least string greater than every string that begins with `prefix`: its last character that
/// can grow, grown by one, with what followed it dropped. `None` for an empty prefix (every string
/// begins with it) or one of `char::MAX` alone.
fn successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn matches(name: &str, term: &str) -> bool {
        let Some((low, high)) = prefix_range(term) else {
            return false;
        };
        search_keys(name, None)
            .iter()
            .any(|k| *k >= low && *k < high)
    }

    #[test]
    fn a_term_matches_the_start_of_any_word_and_may_run_on() {
        assert!(matches("Warung Bu Siti", "siti"));
        assert!(matches("Warung Bu Siti", "SITI"));
        assert!(matches("Warung Bu Siti", "bu si"));
        assert!(matches("Warung  Bu\tSiti", "warung bu siti"));
        assert!(matches("Warung Bu Siti", "  bu   siti "));
        assert!(!matches("Warung Bu Siti", "arung"));
        assert!(!matches("Warung Bu Siti", "siti warung"));
    }

    #[test]
    fn punctuation_separates_words() {
        assert_eq!(
            word_tails("KSP Simpan-Pinjam (Bu Ani)"),
            [
                "ksp simpan-pinjam (bu ani)",
                "simpan-pinjam (bu ani)",
                "pinjam (bu ani)",
                "bu ani)",
                "ani)"
            ]
        );
        assert!(matches("CV. Maju Jaya", "cv. maju"));
        assert!(matches("Toko 99 Jaya", "99"));
    }

    #[test]
    fn letters_fold_beyond_ascii() {
        assert!(matches("KOPI ÉCLAIR", "éclair"));
        assert_eq!(word_tails("Ölçü Dağ"), ["ölçü dağ", "dağ"]);
    }

    #[test]
    fn the_identifier_is_one_more_key_and_repeats_go() {
        assert_eq!(
            search_keys("Jaya Jaya", Some("1234567890123")),
            ["1234567890123", "jaya", "jaya jaya"]
        );
        assert_eq!(search_keys("Jaya", Some(" ")), ["jaya"]);
    }

    #[test]
    fn the_range_ends_just_after_the_prefix() {
        assert_eq!(
            prefix_range("Soto"),
            Some(("soto".to_owned(), "sotp".to_owned()))
        );
        assert_eq!(prefix_range(" \t "), None);
        assert_eq!(successor("a\u{10FFFF}"), Some("b".to_owned()));
        assert_eq!(successor("\u{D7FF}"), Some("\u{E000}".to_owned()));
        assert_eq!(successor("\u{10FFFF}"), None);
    }

    proptest! {
        #[test]
        fn a_key_is_in_the_range_exactly_when_it_begins_with_the_term(
            term in "[a-zé \u{10FFFF}]{1,4}",
            key in "[a-zé \u{10FFFF}]{0,6}",
        ) {
            if let Some((low, high)) = prefix_range(&term) {
                prop_assert_eq!(key >= low && key < high, key.starts_with(&low));
            }
        }

        #[test]
        fn every_word_of_a_name_finds_it(words in proptest::collection::vec("[A-Za-z0-9]{1,8}", 1..5)) {
            let name = words.join(" ");
            for word in &words {
                prop_assert!(matches(&name, word));
            }
            prop_assert!(matches(&name, &name));
        }
    }
}
