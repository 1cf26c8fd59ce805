//! Configuration, read once from `KLINIK_*` environment variables and passed explicitly.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `KLINIK_BIND` | `127.0.0.1:8080` | listen address |
//! | `KLINIK_METRICS_BIND` | none (no metrics) | address of the operators' Prometheus endpoint, `GET /metrics`, kept off the API's port |
//! | `KLINIK_DATA_DIR` | `./data` | directory for the embedded SQLite file (created if missing) |
//! | `KLINIK_DATABASE_URL` | `<data dir>/klinik.sqlite3` | `postgres://…` for PostgreSQL, or a SQLite path |
//! | `KLINIK_READ_DATABASE_URL` | none | comma-separated `postgres://` URLs of streaming replicas: lists, searches, exports and indicators read there |
//! | `KLINIK_DB_POOL_SIZE` | `8` | connections in the pool (1–64); on PostgreSQL as many again for point reads, shared among the workers |
//! | `KLINIK_LOG_LEVEL` | `info` | tracing filter, e.g. `warn` or `klinik_api=debug,info` |
//! | `KLINIK_LOG_FORMAT` | `text` | `text` or `json` |
//! | `KLINIK_REGIONS` | `32.71` (Kota Bogor) | the area served: province (`32`) or kabupaten/kota (`32.71`) codes, comma-separated |
//! | `KLINIK_ACTIVITY_RULE` | `rat_previous_book_year` | rule computing a cooperative's activity status |
//! | `KLINIK_MAX_BODY_BYTES` | `262144` | largest accepted request body (1024–10485760) |
//! | `KLINIK_WORKERS` | number of CPUs | HTTP worker threads (1–64) |
//! | `KLINIK_ENV` | `development` | `production` refuses to start without `KLINIK_JWT_SECRET` |
//! | `KLINIK_JWT_SECRET` | generated into the data dir | key signing access tokens, at least 32 bytes |
//! | `KLINIK_DATA_KEY` | generated into the data dir | 64 hex characters: the key protecting NIKs |
//! | `KLINIK_ADMIN_USERNAME` | — | with `KLINIK_ADMIN_PASSWORD`: the first admin, created when no user exists |
//! | `KLINIK_ADMIN_PASSWORD` | — | that admin's password (at least 12 characters) |
//! | `KLINIK_CHANGE_RETENTION_DAYS` | `90` | how long the change feed keeps an entry (1–3650) |
//! | `KLINIK_SCHEDULER_TICK_SECONDS` | `60` | how often the server looks for due background jobs (1–86400; `0` turns them off in this instance) |
//!
//! Protection against misuse (idempotency key lifetime, trusted proxies, sign-in limits) is
//! read by [`protection`]; previous keys during a rotation by [`keys`]; the change feed's
//! retention by [`integration`]; where documents are kept by [`documents`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

use klinik_domain::activity_status::ActivityRule;
use klinik_domain::regions::Area;
use klinik_persistence::DatabaseUrl;

pub mod documents;
pub mod integration;
pub mod keys;
pub mod protection;
pub mod reminders;
pub use documents::Documents;
pub use integration::Integration;
pub use keys::PreviousKeys;
pub use protection::Protection;
pub use reminders::Reminders;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// A secret value: usable, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Secret(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Shortest signing key accepted, in bytes.
pub const JWT_SECRET_MIN_BYTES: usize = 32;

#[derive(Debug, Clone)]
pub struct Settings {
    pub bind: SocketAddr,
    /// Where `GET /metrics` is served; `None`: metrics are off.
    pub metrics_bind: Option<SocketAddr>,
    pub data_dir: PathBuf,
    pub database_url: DatabaseUrl,
    /// PostgreSQL streaming replicas for lists, searches, exports and indicators.
    pub read_database_urls: Vec<String>,
    pub pool_size: u32,
    pub log_level: String,
    pub log_format: LogFormat,
    pub activity_rule: ActivityRule,
    /// The provinces and kabupaten/kota this deployment serves.
    pub area: Area,
    pub max_body_bytes: usize,
    pub workers: usize,
    pub environment: Environment,
    pub jwt_secret: Option<Secret>,
    /// 32 bytes, the key that encrypts and hashes personal identifiers (NIK).
    pub data_key: Option<Secret>,
    /// The first admin's username and password, used only while no user exists.
    pub bootstrap_admin: Option<(String, Secret)>,
    pub protection: Protection,
    pub integration: Integration,
    /// Where evidence documents are kept.
    pub documents: Documents,
    /// When follow-ups fall due, and the digest's mail server.
    pub reminders: Reminders,
    /// How often to look for due background jobs; `None` when this instance runs none.
    pub scheduler_tick: Option<std::time::Duration>,
    pub previous_keys: PreviousKeys,
}

/// A variable with a value the service cannot use; the message names the variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct SettingsError {
    pub variable: &'static str,
    pub message: String,
}

fn invalid(variable: &'static str, message: impl Into<String>) -> SettingsError {
    SettingsError {
        variable,
        message: message.into(),
    }
}

fn number<T: FromStr + PartialOrd + std::fmt::Display + Copy>(
    lookup: &dyn Fn(&str) -> Option<String>,
    variable: &'static str,
    default: T,
    min: T,
    max: T,
) -> Result<T, SettingsError> {
    match lookup(variable) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse::<T>()
            .ok()
            .filter(|v| *v >= min && *v <= max)
            .ok_or_else(|| {
                invalid(
                    variable,
                    format!("must be a whole number from {min} to {max}"),
                )
            }),
    }
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(&|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Reads settings through `lookup`, so that tests can supply their own values.
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let bind = match lookup("KLINIK_BIND") {
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
            Some(raw) => raw.parse().map_err(|_| {
                invalid(
                    "KLINIK_BIND",
                    "must be an address and port such as 127.0.0.1:8080",
                )
            })?,
        };
        let metrics_bind = match lookup("KLINIK_METRICS_BIND") {
            None => None,
            Some(raw) => Some(raw.parse().map_err(|_| {
                invalid(
                    "KLINIK_METRICS_BIND",
                    "must be an address and port such as 127.0.0.1:9464",
                )
            })?),
        };
        let data_dir = PathBuf::from(lookup("KLINIK_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = match lookup("KLINIK_DATABASE_URL") {
            None => DatabaseUrl::Sqlite(
                data_dir
                    .join("klinik.sqlite3")
                    .to_string_lossy()
                    .into_owned(),
            ),
            Some(raw) => {
                let url = DatabaseUrl::parse(&raw);
                if raw.contains("://")
                    && !matches!(&url, DatabaseUrl::Postgres(_))
                    && !raw.starts_with("sqlite://")
                {
                    return Err(invalid(
                        "KLINIK_DATABASE_URL",
                        "must start with postgres://, postgresql:// or sqlite://, or be a file path",
                    ));
                }
                url
            }
        };
        let log_format = match lookup("KLINIK_LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(_) => return Err(invalid("KLINIK_LOG_FORMAT", "must be text or json")),
        };
        let log_level = lookup("KLINIK_LOG_LEVEL").unwrap_or_else(|| "info".into());
        tracing_subscriber::EnvFilter::try_new(&log_level).map_err(|_| {
            invalid(
                "KLINIK_LOG_LEVEL",
                "must be a tracing filter such as info or warn,klinik_api=debug",
            )
        })?;
        let read_database_urls: Vec<String> = lookup("KLINIK_READ_DATABASE_URL")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_owned)
            .collect();
        if !read_database_urls.is_empty() {
            if !matches!(database_url, DatabaseUrl::Postgres(_)) {
                return Err(invalid(
                    "KLINIK_READ_DATABASE_URL",
                    "needs KLINIK_DATABASE_URL to name the PostgreSQL primary",
                ));
            }
            if !read_database_urls
                .iter()
                .all(|u| klinik_persistence::replicas::is_replica_url(u))
            {
                return Err(invalid(
                    "KLINIK_READ_DATABASE_URL",
                    "must be postgres:// URLs of streaming replicas, comma-separated",
                ));
            }
        }
        let activity_rule = match lookup("KLINIK_ACTIVITY_RULE") {
            None => ActivityRule::default(),
            Some(raw) => raw
                .parse()
                .map_err(|e| invalid("KLINIK_ACTIVITY_RULE", format!("{e}")))?,
        };
        let area = match lookup("KLINIK_REGIONS") {
            None => Area::kota_bogor(),
            Some(raw) => Area::parse(&raw).map_err(|e| {
                invalid(
                    "KLINIK_REGIONS",
                    format!(
                        "{e}: give province (32) or kabupaten/kota (32.71) codes, comma-separated"
                    ),
                )
            })?,
        };
        let environment = match lookup("KLINIK_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(_) => return Err(invalid("KLINIK_ENV", "must be development or production")),
        };
        let jwt_secret = match lookup("KLINIK_JWT_SECRET") {
            Some(secret) if secret.len() < JWT_SECRET_MIN_BYTES => {
                return Err(invalid(
                    "KLINIK_JWT_SECRET",
                    format!("must be at least {JWT_SECRET_MIN_BYTES} bytes"),
                ));
            }
            Some(secret) => Some(Secret::new(secret)),
            None if environment == Environment::Production => {
                return Err(invalid(
                    "KLINIK_JWT_SECRET",
                    "is required when KLINIK_ENV=production",
                ));
            }
            None => None,
        };
        let data_key = match lookup("KLINIK_DATA_KEY") {
            Some(key) if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) => {
                return Err(invalid(
                    "KLINIK_DATA_KEY",
                    "must be 64 hexadecimal characters (32 bytes)",
                ));
            }
            Some(key) => Some(Secret::new(key)),
            None if environment == Environment::Production => {
                return Err(invalid(
                    "KLINIK_DATA_KEY",
                    "is required when KLINIK_ENV=production",
                ));
            }
            None => None,
        };
        let bootstrap_admin = match (
            lookup("KLINIK_ADMIN_USERNAME"),
            lookup("KLINIK_ADMIN_PASSWORD"),
        ) {
            (None, None) => None,
            (Some(username), Some(password)) => Some((username, Secret::new(password))),
            (Some(_), None) => {
                return Err(invalid(
                    "KLINIK_ADMIN_PASSWORD",
                    "is required with KLINIK_ADMIN_USERNAME",
                ));
            }
            (None, Some(_)) => {
                return Err(invalid(
                    "KLINIK_ADMIN_USERNAME",
                    "is required with KLINIK_ADMIN_PASSWORD",
                ));
            }
        };
        let cpus = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let documents = Documents::from_lookup(lookup, &data_dir)?;
        Ok(Settings {
            bind,
            metrics_bind,
            data_dir,
            database_url,
            read_database_urls,
            pool_size: number(lookup, "KLINIK_DB_POOL_SIZE", 8, 1, 64)?,
            log_level,
            log_format,
            activity_rule,
            area,
            max_body_bytes: number(
                lookup,
                "KLINIK_MAX_BODY_BYTES",
                256 * 1024,
                1024,
                10 * 1024 * 1024,
            )?,
            workers: number(lookup, "KLINIK_WORKERS", cpus.clamp(1, 64), 1, 64)?,
            environment,
            jwt_secret,
            data_key,
            bootstrap_admin,
            protection: Protection::from_lookup_for(
                lookup,
                environment == Environment::Production,
            )?,
            previous_keys: PreviousKeys::from_lookup(lookup)?,
            integration: Integration::from_lookup(lookup)?,
            documents,
            reminders: Reminders::from_lookup(lookup)?,
            scheduler_tick: match number(lookup, "KLINIK_SCHEDULER_TICK_SECONDS", 60, 0, 86_400)? {
                0 => None,
                seconds => Some(std::time::Duration::from_secs(seconds)),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(&|name| map.get(name).cloned())
    }

    #[test]
    fn the_area_defaults_to_kota_bogor_and_takes_provinces_and_kabupaten_kota() {
        assert_eq!(settings(&[]).unwrap().area.to_setting(), "32.71");
        let west_java = settings(&[("KLINIK_REGIONS", "32")]).unwrap();
        assert_eq!(west_java.area.to_setting(), "32");
        for bad in ["", "32.71.01", "32,32.71", "x"] {
            let error = settings(&[("KLINIK_REGIONS", bad)]).unwrap_err();
            assert_eq!(error.variable, "KLINIK_REGIONS", "{bad:?}");
        }
    }

    #[test]
    fn read_replicas_need_a_postgresql_primary_and_postgresql_urls() {
        let primary = ("KLINIK_DATABASE_URL", "postgres://db-1/klinik");
        let two = settings(&[
            primary,
            (
                "KLINIK_READ_DATABASE_URL",
                "postgres://db-2/klinik, postgres://db-3/klinik",
            ),
        ])
        .unwrap();
        assert_eq!(two.read_database_urls.len(), 2);
        assert!(settings(&[primary]).unwrap().read_database_urls.is_empty());
        let on_sqlite =
            settings(&[("KLINIK_READ_DATABASE_URL", "postgres://db-2/klinik")]).unwrap_err();
        assert_eq!(on_sqlite.variable, "KLINIK_READ_DATABASE_URL");
        let not_pg =
            settings(&[primary, ("KLINIK_READ_DATABASE_URL", "/tmp/x.sqlite3")]).unwrap_err();
        assert_eq!(not_pg.variable, "KLINIK_READ_DATABASE_URL");
    }

    #[test]
    fn without_configuration_it_serves_locally_over_sqlite_in_the_data_dir() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(
            s.database_url,
            DatabaseUrl::Sqlite("./data/klinik.sqlite3".into())
        );
        assert_eq!(s.activity_rule, ActivityRule::default());
        assert_eq!(s.max_body_bytes, 262_144);
    }

    #[test]
    fn a_postgres_url_selects_postgres() {
        let s = settings(&[("KLINIK_DATABASE_URL", "postgres://u@h/db")]).unwrap();
        assert_eq!(
            s.database_url,
            DatabaseUrl::Postgres("postgres://u@h/db".into())
        );
    }

    #[test]
    fn each_bad_value_names_its_variable() {
        let cases = [
            ("KLINIK_BIND", "localhost"),
            ("KLINIK_METRICS_BIND", "9464"),
            ("KLINIK_DB_POOL_SIZE", "0"),
            ("KLINIK_DB_POOL_SIZE", "many"),
            ("KLINIK_LOG_FORMAT", "xml"),
            ("KLINIK_LOG_LEVEL", "info,[[["),
            ("KLINIK_ACTIVITY_RULE", "always"),
            ("KLINIK_MAX_BODY_BYTES", "10"),
            ("KLINIK_WORKERS", "1000"),
            ("KLINIK_DATABASE_URL", "mysql://x/y"),
            ("KLINIK_ENV", "staging"),
            ("KLINIK_JWT_SECRET", "too-short"),
            ("KLINIK_DATA_KEY", "not-hex"),
        ];
        for (variable, value) in cases {
            let err = settings(&[(variable, value)]).unwrap_err();
            assert_eq!(err.variable, variable, "{variable}={value}");
            assert!(err.to_string().starts_with(variable));
        }
    }
}

#[cfg(test)]
mod secret_tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(&|name| map.get(name).cloned())
    }

    #[test]
    fn production_refuses_to_start_without_a_signing_key() {
        let err = settings(&[("KLINIK_ENV", "production")]).unwrap_err();
        assert_eq!(err.variable, "KLINIK_JWT_SECRET");
        let key = "k".repeat(32);
        let err =
            settings(&[("KLINIK_ENV", "production"), ("KLINIK_JWT_SECRET", &key)]).unwrap_err();
        assert_eq!(err.variable, "KLINIK_DATA_KEY");
        let data_key = "ab".repeat(32);
        assert!(
            settings(&[
                ("KLINIK_ENV", "production"),
                ("KLINIK_JWT_SECRET", &key),
                ("KLINIK_DATA_KEY", &data_key)
            ])
            .is_ok()
        );
    }

    #[test]
    fn secrets_never_print() {
        let key = "super-secret-signing-key-of-32-bytes!";
        let s = settings(&[
            ("KLINIK_JWT_SECRET", key),
            ("KLINIK_ADMIN_USERNAME", "admin"),
            ("KLINIK_ADMIN_PASSWORD", "correct horse battery"),
        ])
        .unwrap();
        let printed = format!("{s:?}");
        assert!(!printed.contains(key));
        assert!(!printed.contains("correct horse"));
    }
}
