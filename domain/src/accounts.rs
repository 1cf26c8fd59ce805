//! Who may sign in and what they may do: roles, client scopes, and the password policy.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::Violation;
use crate::cooperative::{UnknownValue, text_enum};

text_enum!(
    /// A person's role: `admin` (manages users, clients and everything else), `officer` (office
    /// staff: edits the registries), `assessor` (diagnosis-team member), `viewer` (leadership:
    /// reads). `integration` is the role of API clients, never of a person.
    Role {
        Admin => "admin",
        Officer => "officer",
        Assessor => "assessor",
        Viewer => "viewer",
        Integration => "integration",
    }
);

/// What an integration client may do: `registry:read`, `registry:write`, `clinic:read`,
/// `clinic:write`, `indicators:read`, `capital:write`. Write scopes are granted only explicitly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Scope {
    #[serde(rename = "registry:read")]
    #[cfg_attr(feature = "openapi", schema(rename = "registry:read"))]
    RegistryRead,
    #[serde(rename = "registry:write")]
    #[cfg_attr(feature = "openapi", schema(rename = "registry:write"))]
    RegistryWrite,
    #[serde(rename = "clinic:read")]
    #[cfg_attr(feature = "openapi", schema(rename = "clinic:read"))]
    ClinicRead,
    #[serde(rename = "clinic:write")]
    #[cfg_attr(feature = "openapi", schema(rename = "clinic:write"))]
    ClinicWrite,
    #[serde(rename = "indicators:read")]
    #[cfg_attr(feature = "openapi", schema(rename = "indicators:read"))]
    IndicatorsRead,
    /// A partner bank reports approval and disbursement of capital recommendations (its own).
    #[serde(rename = "capital:write")]
    #[cfg_attr(feature = "openapi", schema(rename = "capital:write"))]
    CapitalWrite,
}

impl Scope {
    pub const ALL: &'static [Scope] = &[
        Scope::RegistryRead,
        Scope::RegistryWrite,
        Scope::ClinicRead,
        Scope::ClinicWrite,
        Scope::IndicatorsRead,
        Scope::CapitalWrite,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::RegistryRead => "registry:read",
            Scope::RegistryWrite => "registry:write",
            Scope::ClinicRead => "clinic:read",
            Scope::ClinicWrite => "clinic:write",
            Scope::IndicatorsRead => "indicators:read",
            Scope::CapitalWrite => "capital:write",
        }
    }
}

impl crate::TextEnum for Scope {
    fn as_str(self) -> &'static str {
        Scope::as_str(self)
    }
}

impl FromStr for Scope {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == s)
            .ok_or(UnknownValue)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Shortest password accepted.
pub const PASSWORD_MIN_CHARS: usize = 12;
/// Longest password accepted (argon2 takes any length; this bounds the work per attempt).
pub const PASSWORD_MAX_CHARS: usize = 256;
/// A username: lower-case letters, digits, `.`, `_`, `-`; 3 to 64 characters, starting with a
/// letter or digit.
pub const USERNAME_PATTERN: &str = "^[a-z0-9][a-z0-9._-]{2,63}$";

pub fn username(field: &str, value: &str) -> Result<(), Violation> {
    let mut chars = value.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let rest_ok =
        chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if first_ok && rest_ok && (3..=64).contains(&value.len()) {
        Ok(())
    } else {
        Err(Violation::new(
            field,
            "username_format",
            msg!(
                "must be 3 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"
            ),
        ))
    }
}

/// The password policy: at least 12 characters, at most 256, and not the username.
pub fn password(field: &str, value: &str, username: &str) -> Result<(), Violation> {
    let length = value.chars().count();
    if length < PASSWORD_MIN_CHARS {
        return Err(Violation::new(
            field,
            "password_too_short",
            msg!(
                "must be at least %{password_min_chars} characters",
                password_min_chars = PASSWORD_MIN_CHARS
            ),
        ));
    }
    if length > PASSWORD_MAX_CHARS {
        return Err(Violation::new(
            field,
            "password_too_long",
            msg!(
                "must be at most %{password_max_chars} characters",
                password_max_chars = PASSWORD_MAX_CHARS
            ),
        ));
    }
    if value.eq_ignore_ascii_case(username) {
        return Err(Violation::new(
            field,
            "password_equals_username",
            msg!("must not be the username"),
        ));
    }
    Ok(())
}

/// Scopes as stored and sent in tokens: space-separated, in a stable order, without repeats.
pub fn format_scopes(scopes: &[Scope]) -> String {
    let mut sorted: Vec<Scope> = scopes.to_vec();
    sorted.sort_by_key(|s| s.as_str());
    sorted.dedup();
    sorted
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A client's scopes as stored: space-separated, each one known. Reading a stored list with an
/// unknown name fails, where a list asked for by a client ([`parse_scopes`]) drops it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeList(pub Vec<Scope>);

impl FromStr for ScopeList {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.split_whitespace()
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map(ScopeList)
    }
}

impl fmt::Display for ScopeList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_scopes(&self.0))
    }
}

/// Reads a space-separated scope list; unknown names are dropped (they grant nothing).
pub fn parse_scopes(text: &str) -> Vec<Scope> {
    text.split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn passwords_need_twelve_characters_and_must_differ_from_the_username() {
        assert_eq!(
            password("p", &"a".repeat(11), "siti").unwrap_err().code,
            "password_too_short"
        );
        assert!(password("p", &"a".repeat(12), "siti").is_ok());
        assert!(
            password("p", &"é".repeat(12), "siti").is_ok(),
            "characters, not bytes"
        );
        assert_eq!(
            password("p", "siti.aminah.1", "SITI.AMINAH.1")
                .unwrap_err()
                .code,
            "password_equals_username"
        );
        assert!(password("p", &"a".repeat(256), "siti").is_ok());
        assert_eq!(
            password("p", &"a".repeat(257), "siti").unwrap_err().code,
            "password_too_long"
        );
    }

    #[test]
    fn usernames_are_short_lower_case_identifiers() {
        for ok in ["siti", "budi.s", "a_1", "x-y", "abc"] {
            assert!(username("u", ok).is_ok(), "{ok}");
        }
        for bad in ["ab", "Siti", ".siti", "siti aminah", "", &"a".repeat(65)] {
            assert!(username("u", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scopes_are_spelled_with_a_colon_everywhere() {
        for scope in Scope::ALL {
            assert_eq!(serde_json::to_value(scope).unwrap(), scope.as_str());
            assert_eq!(scope.as_str().parse::<Scope>(), Ok(*scope));
        }
        for role in Role::ALL {
            assert_eq!(serde_json::to_value(role).unwrap(), role.as_str());
        }
    }

    #[test]
    fn scopes_round_trip_in_a_stable_order() {
        let text = format_scopes(&[
            Scope::RegistryWrite,
            Scope::ClinicRead,
            Scope::RegistryWrite,
        ]);
        assert_eq!(text, "clinic:read registry:write");
        assert_eq!(
            parse_scopes(&text),
            [Scope::ClinicRead, Scope::RegistryWrite]
        );
        assert_eq!(
            parse_scopes("registry:read admin:all"),
            [Scope::RegistryRead]
        );
    }

    #[test]
    fn a_stored_scope_list_reads_back_and_refuses_unknown_names() {
        let list: ScopeList = "clinic:read registry:write".parse().unwrap();
        assert_eq!(list.0, [Scope::ClinicRead, Scope::RegistryWrite]);
        assert_eq!(list.to_string(), "clinic:read registry:write");
        assert_eq!("".parse::<ScopeList>(), Ok(ScopeList(Vec::new())));
        assert!("registry:read admin:all".parse::<ScopeList>().is_err());
    }

    proptest! {
        #[test]
        fn the_username_check_agrees_with_its_pattern(s in "[a-zA-Z0-9._ -]{0,70}") {
            let pattern = regex::Regex::new(USERNAME_PATTERN).unwrap();
            prop_assert_eq!(username("u", &s).is_ok(), pattern.is_match(&s));
        }
    }
}
