//! Klinik KUMKM HTTP API: actix-web handlers, the OpenAPI contract, settings and telemetry.
//! `main.rs` only parses the command line and calls into here; tests build the same app.

pub mod audit;
pub mod auth;
pub mod cli;
pub mod demo;
pub mod extract;
pub mod imports;
pub mod openapi;
pub mod personal_data;
pub mod point_reads;
pub mod problem;
pub mod region_codes;
pub mod routes;
pub mod settings;
pub mod spreadsheet;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod write_stamped;

pub use startup::{build_app, configure_routes, openapi, openapi_json, prepare_state, serve};
pub use state::AppState;
