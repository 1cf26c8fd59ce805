//! HTTP routes, one module per resource; each exposes `configure` for the app builder. A handler
//! takes its guard, extracts, calls one use case of `klinik_app` and maps the result.

pub mod annual_reports;
pub mod audit_events;
pub mod auth;
pub mod changes;
pub mod clients;
pub mod clinic;
pub mod cooperatives;
pub mod documents;
pub mod economy;
pub mod exports;
pub mod health;
pub mod imports;
pub mod labels;
pub mod notifications;
pub mod prelude;
pub mod regions;
pub mod token_errors;
pub mod ukm;
pub mod users;
pub mod webhooks;
