//! Accounts: people's user accounts, integration clients, and the audit trail.

pub mod audit_events;
pub mod clients;
pub mod users;
