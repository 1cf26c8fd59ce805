//! Accounts and sign-in: password hashing, access tokens, the first admin, and who a token names.

pub mod bootstrap;
pub mod caller_cache;
pub mod callers;
pub mod client_token;
pub mod passwords;
pub mod sign_in;
pub mod throttle;
pub mod tokens;
