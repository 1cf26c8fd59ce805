//! Storage of the coaching clinic: partners, experts, programmes, instruments, cases, diagnoses,
//! sessions, and the follow-up: recommendations, activities, evaluations, outcomes, dissolutions.

pub mod activities;
pub mod cases;
pub mod diagnoses;
pub mod dissolutions;
pub mod evaluations;
pub mod experts;
pub mod indicators;
pub mod instruments;
pub mod partners;
pub mod programmes;
pub mod recommendations;
pub mod sessions;

/// A page of a small clinic table with its exact total (these tables hold thousands of rows at
/// most, so counting them is cheap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub limit: i64,
    pub offset: i64,
}

impl Default for Paging {
    fn default() -> Self {
        Paging {
            limit: 20,
            offset: 0,
        }
    }
}
