//! The coaching clinic: people, programmes, instruments, sessions, cases, diagnoses, and the
//! follow-up (recommendations, activities, evaluations, outcomes, dissolution proposals), and the
//! indicators the office reports.

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
