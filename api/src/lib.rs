//! Klinik KUMKM HTTP API: actix-web handlers, the OpenAPI contract and telemetry over the use
//! cases of `klinik_app`. `main.rs` only parses the command line and calls into here; tests build
//! the same app.

pub mod auth;
pub mod browser;
pub mod cli;
pub mod contract_file;
pub mod contract_shape;
pub mod extract;
pub mod language;
pub mod metrics;
pub mod openapi;
pub mod problem;
pub mod respond;
pub mod routes;
pub mod security_headers;
pub mod startup;
pub mod telemetry;

pub use klinik_app::{demo, settings};
pub use startup::{
    build_app, build_observed_app, configure_routes, openapi, openapi_json, prepare_state, serve,
};

/// What the app runs on: the use cases' shared state.
pub type AppState = klinik_app::App;

// The message catalogues (`api/locales/`), compiled in; see `routes::labels`.
rust_i18n::i18n!("locales");
