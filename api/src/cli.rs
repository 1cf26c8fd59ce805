//! The `klinik` command line.

use clap::{Parser, Subcommand};

/// Klinik KUMKM: the API of a coaching clinic for cooperatives and small businesses (Kota Bogor's by default).
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
    /// Fill an empty database with a synthetic city, for frontend developers and testers.
    SeedDemo {
        /// `bogor-2017`: Kota Bogor as the 2017 article describes it (800 cooperatives, 307 active;
        /// 23,706 UKM, 8,500 active). `province`: those figures for every kabupaten/kota of
        /// `--region` (West Java, `32`: 21,600 cooperatives, 640,062 UKM). `national`: a larger
        /// set for benchmarks, sized by `--ukm`.
        #[arg(long, default_value = "bogor-2017")]
        scale: String,
        /// The province or kabupaten/kota to fill (default: the whole of KLINIK_REGIONS); it must
        /// lie inside KLINIK_REGIONS, e.g. KLINIK_REGIONS=32 with --region 32.
        #[arg(long)]
        region: Option<String>,
        /// With `--scale national`: how many UKM (default 1,000,000; at most 9,999,000), in the
        /// proportions of bogor-2017 (one cooperative per 30 UKM, the same active shares).
        #[arg(long)]
        ukm: Option<usize>,
        /// The same seed gives the same city.
        #[arg(long, default_value_t = 2017)]
        seed: u64,
    },
    /// Write a consistent copy of the embedded SQLite database to FILE (a new file) while the
    /// server keeps running. To restore: stop the server and put the copy in place of the
    /// database file. On PostgreSQL use pg_dump and pg_restore (docs/operations.md).
    Backup {
        /// The file to write; it must not exist.
        file: std::path::PathBuf,
    },
    /// Manage user accounts.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Manage the region reference data.
    Regions {
        #[command(subcommand)]
        command: RegionsCommand,
    },
    /// Manage the keys that protect personal data.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum RegionsCommand {
    /// Apply a Kepmendagri region list (CSV `code,level,name`, as app/reference/wilayah-indonesia.csv)
    /// to the configured area: new regions are added, renamed ones take the new name, regions the
    /// list no longer has are retired (records naming them still read; new records may not), and
    /// retired ones it has again are restored. Without FILE, the list shipped with this build.
    /// Restart the server afterwards.
    Apply {
        /// The list to apply.
        file: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Re-seal every person's personal data under KLINIK_DATA_KEY, reading what is sealed under
    /// the keys in KLINIK_DATA_KEY_PREVIOUS. Resumable and safe to interrupt; prints what it did.
    /// When it reports nothing left to re-seal, remove the old key from KLINIK_DATA_KEY_PREVIOUS.
    Rotate,
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
