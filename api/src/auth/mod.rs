//! Sign-in and access: password hashing, access tokens, the per-operation access rules, and the
//! middleware that applies them to every request.

pub mod access;
pub mod bootstrap;
pub mod caller;
pub mod caller_cache;
pub mod passwords;
pub mod tokens;

pub use caller::Caller;
