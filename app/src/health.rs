//! Whether the service can serve: the readiness probe's check.

use std::time::Duration;

use crate::prelude::*;

/// Ready when a pooled connection answers within two seconds; 503 otherwise.
pub async fn ready(app: &App) -> Result<(), Error> {
    app.db
        .ping_within(Duration::from_secs(2))
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "readiness check failed");
            Error::Unavailable
        })
}
