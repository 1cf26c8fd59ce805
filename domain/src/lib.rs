//! Pure types and rules of Klinik KUMKM.
//!
//! Nothing here does I/O or knows about the database or the web framework: the API and persistence
//! crates convert their own types into these and ask these rules for a verdict. The `openapi` feature
//! derives `utoipa::ToSchema` so that one enum serves the rules and the contract.

pub mod accounts;
pub mod activity_status;
pub mod annual_report;
pub mod clinic;
pub mod cooperative;
pub mod identifiers;
pub mod name_search;
pub mod nik;
pub mod size_class;
pub mod text;
pub mod violation;

pub use violation::{Violation, Violations};
