//! Callers as loaded a moment ago, so that a burst of requests with one token checks the account
//! once instead of once per request (the check was half the database work of reading a record).
//!
//! An entry serves only while this process has committed no write since it was loaded — a
//! deactivation, a password reset, a sign-out or a client's new scopes apply at once — and for
//! [`MAX_AGE`] at most, which bounds how long a change made by another instance takes to apply
//! when this one cannot hear it at once (`klinik_persistence::write_signals`).
//! Keyed by the verified access token itself: one token always names the same account, session
//! and scopes.

use std::time::Duration;

use crate::prelude::*;
use crate::write_stamped::WriteStamped;

/// How long a loaded caller serves when this process writes nothing.
pub const MAX_AGE: Duration = Duration::from_secs(1);
/// Most tokens kept.
const MAX_ENTRIES: usize = 4096;

pub struct CallerCache(WriteStamped<Caller>);

impl Default for CallerCache {
    fn default() -> Self {
        Self(WriteStamped::new(MAX_AGE, MAX_ENTRIES))
    }
}

impl std::ops::Deref for CallerCache {
    type Target = WriteStamped<Caller>;
    fn deref(&self) -> &WriteStamped<Caller> {
        &self.0
    }
}
