//! Other instances' writes, heard at once. Several API instances on one PostgreSQL keep caches
//! that a write must empty (the indicators, the callers, `crate::database::Database::writes`).
//! A write of this process empties them itself; to hear the others', every write transaction on
//! PostgreSQL ends with `NOTIFY klinik_writes` — delivered when it commits, never when it rolls
//! back — and each instance keeps one connection that `LISTEN`s and counts what it hears as a
//! write. SQLite has one process by design and needs none of this.

use std::time::Duration;

use diesel::RunQueryDsl;
use tokio_postgres::AsyncMessage;

use crate::AnyConnection;
use crate::pg_reads::{PointReadUrl, libpq_like_tls};

/// The channel every instance of one database shares.
pub const CHANNEL: &str = "klinik_writes";

/// Tells the other instances, inside a write transaction, that it wrote (PostgreSQL only).
pub(crate) fn announce(conn: &mut AnyConnection) -> Result<(), diesel::result::Error> {
    if let AnyConnection::Pg(pg) = conn {
        diesel::sql_query(format!("NOTIFY {CHANNEL}")).execute(pg)?;
    }
    Ok(())
}

/// Listens on `url` until the process ends, calling `heard` for every write announced (this
/// instance's own included: a second emptying is harmless) and once after each (re)connection,
/// since writes may have gone unheard while it was down. A lost connection is retried with a
/// doubling wait up to 30 s; meanwhile the caches' own age limits apply.
pub async fn listen(url: PointReadUrl, heard: impl Fn() + Send + Sync + 'static) {
    let mut wait = Duration::from_millis(250);
    loop {
        match listen_once(&url, &heard).await {
            Ok(()) => tracing::warn!("the connection hearing other instances' writes closed"),
            Err(error) => {
                tracing::warn!(%error, "cannot hear other instances' writes; retrying")
            }
        }
        heard();
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(30));
    }
}

async fn listen_once(url: &PointReadUrl, heard: &(impl Fn() + Send + Sync)) -> Result<(), String> {
    let tls = libpq_like_tls().map_err(|e| e.to_string())?;
    let (client, mut connection) = tokio_postgres::connect(url.as_str(), tls)
        .await
        .map_err(|e| e.to_string())?;
    let (signal, mut signals) = tokio::sync::mpsc::unbounded_channel();
    // The connection is driven apart from the client: notifications arrive on it, not as answers.
    let driver = tokio::spawn(async move {
        loop {
            match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                Some(Ok(AsyncMessage::Notification(_))) => {
                    if signal.send(()).is_err() {
                        return Ok(());
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(error)) => return Err(error.to_string()),
                None => return Ok(()),
            }
        }
    });
    client
        .batch_execute(&format!("LISTEN {CHANNEL}"))
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!("hearing other instances' writes");
    heard();
    while signals.recv().await.is_some() {
        heard();
    }
    drop(client);
    driver.await.map_err(|e| e.to_string())?
}
