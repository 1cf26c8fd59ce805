//! Access: the per-operation rules, and the middleware and guard that apply them.

pub mod access;
pub mod client_address;
pub mod guard;

pub use guard::{Allowed, Public};
pub use klinik_app::auth::tokens;
