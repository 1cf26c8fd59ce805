//! Klinik KUMKM use cases, between storage and HTTP.
//!
//! Every use case is a function that takes the acting caller ([`Ctx`]) and a typed command and
//! returns a typed result or an [`Error`]; the HTTP layer only extracts, calls and maps. Imports,
//! demo seeding and start-up call the same functions. Changes to records go through one
//! versioned write path ([`versioned`]). See `docs/architecture.md`.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod changes;
pub mod clinic;
pub mod context;
pub mod created;
pub mod demo;
pub mod documents;
pub mod economy;
pub mod error;
pub mod fields;
pub mod health;
pub mod paging;
pub mod personal_data;
pub mod prelude;
pub mod registry;
pub mod reminders;
pub mod scheduler;
pub mod settings;
pub mod spreadsheet;
pub mod startup;
pub mod state;
pub mod versioned;
pub mod webhooks;
pub mod write_stamped;

pub use context::{Caller, Ctx, Origin};
pub use error::{Error, FieldError, Record, Result};
pub use state::{App, RegionIndex};
