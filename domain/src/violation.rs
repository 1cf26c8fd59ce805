//! A broken rule, named by the field it concerns and a stable machine code.

use std::fmt;

use crate::Message;

/// One rule that a submitted value breaks. The message never repeats the value itself: values can be
/// personal data, and error bodies end up in logs and screenshots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The JSON field the rule is about, in `snake_case` (nested fields joined with `.`).
    pub field: String,
    /// Stable machine-readable code, e.g. `registration_number_format`.
    pub code: &'static str,
    /// Human-readable explanation, without the rejected value.
    pub message: Message,
}

impl Violation {
    pub fn new(field: impl Into<String>, code: &'static str, message: Message) -> Self {
        Self {
            field: field.into(),
            code,
            message,
        }
    }
}

/// All the rules a submission breaks, collected so that the caller can fix them in one go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Violations(pub Vec<Violation>);

impl Violations {
    pub fn push(&mut self, violation: Violation) {
        self.0.push(violation);
    }

    /// Records the outcome of a check that reports at most one violation.
    pub fn check(&mut self, outcome: Result<(), Violation>) {
        if let Err(violation) = outcome {
            self.0.push(violation);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was broken, otherwise every violation.
    pub fn into_result(self) -> Result<(), Violations> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl From<Violation> for Violations {
    fn from(violation: Violation) -> Self {
        Self(vec![violation])
    }
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let codes: Vec<&str> = self.0.iter().map(|v| v.code).collect();
        write!(f, "validation failed: {}", codes.join(", "))
    }
}

impl std::error::Error for Violations {}
