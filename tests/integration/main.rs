//! One integration-test binary: the real app against a real database per test (SQLite by
//! default; PostgreSQL when `KLINIK_TEST_DATABASE_URL` is set). Tests run in parallel.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod abuse;
mod access;
mod annual_reports;
mod audit;
mod auth;
mod backup;
mod browser;
mod clients;
mod clinic_article;
mod clinic_cases;
mod clinic_followup;
mod clinic_kit;
mod clinic_people;
mod clinic_scope;
mod contract;
mod cooperatives;
mod demo;
mod helpers;
mod http;
mod idempotency;
mod imports;
mod imports_registry;
mod key_rotation;
mod packaging;
mod pool;
mod regions;
mod scheduler;
mod schema_drift;
mod schema_parity;
mod status;
mod ukm;
mod ukm_search;
mod users;
mod validation;
