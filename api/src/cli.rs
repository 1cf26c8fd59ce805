//! The `klinik` command line.

use clap::{Parser, Subcommand};

/// Klinik KUMKM: the API of Kota Bogor's coaching clinic for cooperatives and small businesses.
///
/// Configuration comes only from KLINIK_* environment variables (see README.md and .env.example).
#[derive(Debug, Parser)]
#[command(name = "klinik", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API (the default): applies migrations first.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document of this build to standard output.
    Openapi,
}
