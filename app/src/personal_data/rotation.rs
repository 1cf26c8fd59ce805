//! `klinik keys rotate`: re-seals every person's personal data, and every webhook subscription's
//! signing secret, under the current data key.
//!
//! The operator sets the new key as `KLINIK_DATA_KEY` and the old one in
//! `KLINIK_DATA_KEY_PREVIOUS`, restarts the servers (which then read both and seal with the new
//! one), and runs this. It walks the persons in id order, 500 per transaction, re-sealing those
//! not yet under the current key (and re-hashing their NIK). Interrupted, it loses nothing: a
//! batch commits whole or not at all, and a re-run skips what is already done. When it reports
//! nothing left, the old key can leave `KLINIK_DATA_KEY_PREVIOUS`.

use klinik_persistence::persons::{self, PersonRow};
use klinik_persistence::webhooks;
use klinik_persistence::write_transaction;

use super::DataKey;
use crate::prelude::*;

const BATCH: i64 = 500;

/// What a rotation run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rotation {
    pub examined: usize,
    pub resealed: usize,
}

/// Whether anything of `row` is sealed under another key than the current one.
fn needs_resealing(key: &DataKey, row: &PersonRow) -> Result<bool, Error> {
    let sealed = [
        &row.nik_encrypted,
        &row.birth_date_encrypted,
        &row.phone_encrypted,
        &row.home_address_encrypted,
    ];
    if sealed
        .iter()
        .any(|v| v.as_deref().is_some_and(|v| !key.is_current(v)))
    {
        return Ok(true);
    }
    // Sealed under the current key, but the search hash may still be the old key's.
    Ok(match (&row.nik_encrypted, &row.nik_hash) {
        (Some(nik), Some(hash)) => *hash != key.search_hash(&key.decrypt(nik)?),
        _ => false,
    })
}

/// Re-seals, batch by batch, every person not yet under the current key; `progress` hears
/// after each batch.
pub fn rotate(
    conn: &mut AnyConnection,
    key: &DataKey,
    mut progress: impl FnMut(Rotation),
) -> Result<Rotation, Error> {
    let mut done = Rotation::default();
    let mut after = PersonId(0);
    loop {
        let batch = write_transaction(conn, |conn| {
            let rows = persons::page_after(conn, after, BATCH)?;
            let mut resealed = 0;
            for row in &rows {
                if needs_resealing(key, row)? {
                    let clear = key.open_person(row)?;
                    persons::reseal(conn, row.id, &key.seal_person(&clear)?)?;
                    resealed += 1;
                }
            }
            Ok::<_, Error>((rows.last().map(|r| r.id), rows.len(), resealed))
        })?;
        let (last, examined, resealed) = batch;
        done.examined += examined;
        done.resealed += resealed;
        progress(done);
        match last {
            Some(id) => after = id,
            None => break,
        }
    }
    // Webhook secrets: few, so in one transaction.
    let (examined, resealed) = write_transaction(conn, |conn| {
        let secrets = webhooks::sealed_secrets(conn)?;
        let mut resealed = 0;
        for (id, sealed) in &secrets {
            if !key.is_current(sealed) {
                webhooks::reseal_secret(conn, *id, &key.encrypt(&key.decrypt(sealed)?)?)?;
                resealed += 1;
            }
        }
        Ok::<_, Error>((secrets.len(), resealed))
    })?;
    done.examined += examined;
    done.resealed += resealed;
    progress(done);
    Ok(done)
}

/// `klinik keys rotate`: the rotation on the configured database, recorded in the audit trail.
pub fn run(settings: &crate::settings::Settings) -> anyhow::Result<Rotation> {
    let key = crate::auth::bootstrap::data_keys(settings)?;
    let (_pool, mut conn) = crate::startup::command_connection(settings, true)?;
    let done = rotate(&mut conn, &key, |so_far| {
        tracing::info!(
            examined = so_far.examined,
            resealed = so_far.resealed,
            "rotating"
        );
    })
    .map_err(|e| anyhow::anyhow!("rotating the data key: {e}"))?;
    let audit = crate::audit::AuditContext {
        actor_type: "system",
        actor_name: Some("keys-rotate".into()),
        ..Default::default()
    };
    write_transaction(&mut conn, |conn| {
        audit.record(
            conn,
            "rotate_data_key",
            "data_key",
            Some(key.current_id().to_owned()),
            Some(serde_json::json!({"examined": done.examined, "resealed": done.resealed})),
        )
    })
    .map_err(|e| anyhow::anyhow!("recording the rotation: {e}"))?;
    Ok(done)
}
