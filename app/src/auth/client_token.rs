//! The OAuth 2.0 client-credentials grant: an integration client's secret for an access token
//! with the scopes it still holds (or fewer, when it asks for fewer).

use klinik_domain::accounts::{format_scopes, parse_scopes};
use klinik_persistence::{clients, sessions};

use super::sign_in::*;
use super::tokens::Subject;
use crate::audit::AuditContext;
use crate::context::Origin;
use crate::prelude::*;

/// An integration client's token: the client-credentials grant, with the client's scopes or the
/// subset asked for. Five failures for one client id within 15 minutes lock it (429).
pub async fn issue_client_token(
    app: &App,
    origin: &Origin,
    credentials: ClientCredentials,
) -> Result<TokenResponse, Error> {
    let ClientCredentials {
        client_id,
        secret,
        scope: requested,
    } = credentials;
    app.sign_in_rate.check(origin)?;
    let principal = principal_key("client", &client_id, origin);
    let (lookup_principal, lookup_id) = (principal.clone(), client_id.clone());
    let attempts = app.protection.lockout_attempts;
    let client = app
        .read(move |conn| {
            check_lockout(conn, &lookup_principal, attempts)?;
            Ok::<_, Error>(clients::find_by_client_id(conn, &lookup_id)?)
        })
        .await?;
    let stored = client
        .as_ref()
        .map_or(app.decoy_hash.as_str().to_owned(), |c| {
            c.secret_hash.clone()
        });
    let verified = verify(app, secret, stored).await?;
    let (app2, audit) = (app.clone(), AuditContext::anonymous(origin));
    let outcome = app
        .write(move |conn| match client.filter(|c| verified && c.active) {
            None => {
                sessions::record_failure(conn, &principal)?;
                audit.record(
                    conn,
                    "sign_in_failed",
                    "client",
                    None,
                    Some(serde_json::json!({"client_id": client_id})),
                )?;
                Ok::<_, Error>(None)
            }
            Some(client) => {
                sessions::clear_failures(conn, &principal)?;
                let held = client.scopes.0;
                let granted: Vec<_> = match &requested {
                    Some(asked) => parse_scopes(asked)
                        .into_iter()
                        .filter(|s| held.contains(s))
                        .collect(),
                    None => held,
                };
                let scope = format_scopes(&granted);
                let (access_token, expires_in) =
                    app2.tokens
                        .issue(Subject::Client(client.id), None, Some(scope.clone()))?;
                audit.as_client(client.id.get(), &client.client_id).record(
                    conn,
                    "sign_in",
                    "client",
                    Some(client.id.to_string()),
                    None,
                )?;
                Ok(Some(TokenResponse {
                    access_token,
                    token_type: "Bearer".into(),
                    expires_in,
                    refresh_token: None,
                    scope: Some(scope),
                }))
            }
        })
        .await?;
    outcome.ok_or_else(invalid_client)
}
