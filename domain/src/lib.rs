//! Pure types and rules of Klinik KUMKM.
//!
//! Nothing here does I/O or knows about the database or the web framework: the API and persistence
//! crates convert their own types into these and ask these rules for a verdict. The `openapi` feature
//! derives `utoipa::ToSchema` so that one enum serves the rules and the contract.

// First, so that every module below can write `msg!`.
#[macro_use]
pub mod message;

pub mod accounts;
pub mod activity_status;
pub mod annual_report;
pub mod clinic;
pub mod cooperative;
pub mod documents;
pub mod economy;
pub mod identifiers;
pub mod imports;
pub mod name_search;
pub mod nik;
pub mod regions;
pub mod reminders;
pub mod size_class;
pub mod text;
pub mod ukm;
pub mod violation;
pub mod webhooks;

pub use message::Message;
pub use violation::{Violation, Violations};

/// A closed classification stored as text: each value has one spelling, read back with `FromStr`.
/// Storage maps these to and from text columns; an unknown stored spelling is an error there.
pub trait TextEnum: Copy + std::str::FromStr + 'static {
    fn as_str(self) -> &'static str;
}
