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
    /// Manage user accounts.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create an admin account. The password is read from KLINIK_ADMIN_PASSWORD or, when that is
    /// not set, from the first line of standard input; never from the command line.
    CreateAdmin {
        /// The admin's username (3-64 lower-case letters, digits, '.', '_' or '-').
        #[arg(long)]
        username: String,
    },
}
