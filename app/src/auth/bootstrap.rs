//! What sign-in needs at start: the signing key, and the first admin when there is no user yet.

use std::path::Path;

use anyhow::Context;
use klinik_domain::accounts::{self, Role};
use klinik_persistence::audit;
use klinik_persistence::users::{self, NewUser};

use super::passwords;
use crate::prelude::*;
use crate::settings::{JWT_SECRET_MIN_BYTES, Settings};

/// The signing key: `KLINIK_JWT_SECRET`, or (outside production) one generated once and kept in the
/// data directory, so that tokens survive a restart.
pub fn signing_key(settings: &Settings) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = &settings.jwt_secret {
        return Ok(secret.expose().as_bytes().to_vec());
    }
    let path = settings.data_dir.join("jwt-secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_owned();
        anyhow::ensure!(
            existing.len() >= JWT_SECRET_MIN_BYTES,
            "{} holds too short a key",
            path.display()
        );
        return Ok(existing.into_bytes());
    }
    let key = passwords::random_hex(32).map_err(|_| anyhow::anyhow!("no random source"))?;
    write_private(&path, &key)?;
    tracing::warn!(
        path = %path.display(),
        "KLINIK_JWT_SECRET is not set: generated a signing key for this local run; set it in production"
    );
    Ok(key.into_bytes())
}

fn write_private(path: &Path, content: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    std::io::Write::write_all(&mut file, content.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

/// The key protecting personal identifiers: `KLINIK_DATA_KEY` (64 hex characters), or (outside
/// production) one generated once into the data directory. Losing it makes stored NIKs unreadable.
/// The data key in force, with the previous ones still readable (`KLINIK_DATA_KEY_PREVIOUS`).
pub fn data_keys(settings: &Settings) -> anyhow::Result<crate::personal_data::DataKey> {
    let previous = settings
        .previous_keys
        .data
        .iter()
        .map(|k| hex::decode(k.expose()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| anyhow::anyhow!("KLINIK_DATA_KEY_PREVIOUS is not hexadecimal"))?;
    Ok(crate::personal_data::DataKey::with_previous(
        &data_key(settings)?,
        &previous,
    ))
}

/// The signing key in force and the previous ones, which verify until their tokens expire.
pub fn token_keys(settings: &Settings) -> anyhow::Result<super::tokens::TokenKeys> {
    let previous: Vec<Vec<u8>> = settings
        .previous_keys
        .jwt
        .iter()
        .map(|k| k.expose().as_bytes().to_vec())
        .collect();
    super::tokens::TokenKeys::with_previous(&signing_key(settings)?, &previous)
        .map_err(|e| anyhow::anyhow!("loading the signing keys: {e}"))
}

pub fn data_key(settings: &Settings) -> anyhow::Result<Vec<u8>> {
    let text = match &settings.data_key {
        Some(key) => key.expose().to_owned(),
        None => {
            let path = settings.data_dir.join("data-key");
            match std::fs::read_to_string(&path) {
                Ok(existing) => existing.trim().to_owned(),
                Err(_) => {
                    let key = passwords::random_hex(32)
                        .map_err(|_| anyhow::anyhow!("no random source"))?;
                    write_private(&path, &key)?;
                    tracing::warn!(
                        path = %path.display(),
                        "KLINIK_DATA_KEY is not set: generated a key for personal data for this local run; back it up, set it in production"
                    );
                    key
                }
            }
        }
    };
    let bytes =
        hex::decode(&text).map_err(|_| anyhow::anyhow!("the data key is not hexadecimal"))?;
    anyhow::ensure!(bytes.len() == 32, "the data key must be 32 bytes");
    Ok(bytes)
}

/// Validates and stores an admin account; audited as done by the system.
pub fn create_admin(
    conn: &mut AnyConnection,
    username: &str,
    password: &str,
) -> anyhow::Result<i64> {
    accounts::username("username", username)
        .map_err(|v| anyhow::anyhow!("username {}", v.message))?;
    accounts::password("password", password, username)
        .map_err(|v| anyhow::anyhow!("password {}", v.message))?;
    let hash =
        passwords::hash(password).map_err(|_| anyhow::anyhow!("hashing the password failed"))?;
    let row = users::insert(
        conn,
        NewUser {
            username: username.to_owned(),
            display_name: username.to_owned(),
            email: None,
            role: Role::Admin,
            password_hash: hash,
            active: true,
        },
    )
    .map_err(|e| anyhow::anyhow!("storing the admin: {e}"))?;
    audit::append(
        conn,
        &audit::NewAuditEvent {
            actor_type: "system".into(),
            actor_id: None,
            actor_name: None,
            actor_role: None,
            action: "create".into(),
            entity_type: "user".into(),
            entity_id: Some(row.id.to_string()),
            changes: Some(serde_json::json!({"username": {"before": null, "after": username}, "role": {"before": null, "after": "admin"}}).to_string()),
            request_id: None,
            client_address: None,
        },
    )
    .map_err(|e| anyhow::anyhow!("auditing the admin: {e}"))?;
    Ok(row.id.get())
}

/// Creates the first admin from `KLINIK_ADMIN_USERNAME`/`KLINIK_ADMIN_PASSWORD` while no user exists.
pub fn first_admin(conn: &mut AnyConnection, settings: &Settings) -> anyhow::Result<()> {
    let Some((username, password)) = &settings.bootstrap_admin else {
        return Ok(());
    };
    klinik_persistence::write_transaction(conn, |conn| {
        if users::count(conn).map_err(|e| anyhow::anyhow!("{e}"))? > 0 {
            return Ok(());
        }
        create_admin(conn, username, password.expose())
            .context("KLINIK_ADMIN_USERNAME/KLINIK_ADMIN_PASSWORD")?;
        tracing::info!("created the first admin account");
        Ok::<(), anyhow::Error>(())
    })
}

/// For `klinik users create-admin`: opens the database (migrating it) and adds an admin.
pub fn create_admin_in(settings: &Settings, username: &str, password: &str) -> anyhow::Result<i64> {
    let (_pool, mut conn) = crate::startup::command_connection(settings, true)?;
    klinik_persistence::write_transaction(&mut conn, |conn| {
        if users::find_by_username(conn, username)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .is_some()
        {
            anyhow::bail!("an account named {username} already exists");
        }
        create_admin(conn, username, password)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(dir: &Path, secret: Option<&str>) -> Settings {
        let data_dir = dir.to_string_lossy().into_owned();
        let secret = secret.map(str::to_owned);
        Settings::from_lookup(&|name| match name {
            "KLINIK_DATA_DIR" => Some(data_dir.clone()),
            "KLINIK_JWT_SECRET" => secret.clone(),
            _ => None,
        })
        .unwrap()
    }

    #[test]
    fn without_a_configured_key_one_is_generated_privately_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = signing_key(&settings(dir.path(), None)).unwrap();
        assert_eq!(first.len(), 64);
        assert_eq!(
            signing_key(&settings(dir.path(), None)).unwrap(),
            first,
            "kept across restarts"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("jwt-secret"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let configured = "c".repeat(40);
        assert_eq!(
            signing_key(&settings(dir.path(), Some(&configured))).unwrap(),
            configured.as_bytes()
        );
    }

    #[test]
    fn the_command_line_admin_can_sign_in_and_a_second_one_with_the_same_name_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let settings = settings(&dir.path().join("data"), None);
        let id = create_admin_in(&settings, "kepala", "a long pass phrase").unwrap();
        assert_eq!(id, 1);
        assert!(create_admin_in(&settings, "kepala", "a long pass phrase").is_err());
        assert!(
            create_admin_in(&settings, "other", "short").is_err(),
            "the password policy holds"
        );
        let pool =
            klinik_persistence::build_pool(&settings.database_url, Default::default()).unwrap();
        let mut conn = pool.get().unwrap();
        let stored = users::find_by_username(&mut conn, "kepala")
            .unwrap()
            .unwrap();
        assert_eq!(stored.role, Role::Admin);
        assert!(passwords::verify(
            "a long pass phrase",
            &stored.password_hash
        ));
    }
}
