//! Who a verified access token names, as the account is now: a person whose account is still
//! active and whose session was not revoked, or an active client with the scopes it still holds.
//! Loaded accounts are kept a moment ([`super::caller_cache`]).

use klinik_domain::accounts::parse_scopes;
use klinik_persistence::{StoreError, clients, users};

use super::tokens::{Claims, Subject};

use crate::prelude::*;

/// Loads the account a verified token names; `None` when it no longer may act.
fn load(
    conn: &mut AnyConnection,
    subject: Subject,
    claims: &Claims,
) -> Result<Option<Caller>, Error> {
    match subject {
        Subject::User(id) => {
            let Some(session) = claims.sid.clone() else {
                return Ok(None);
            };
            let Some(user) = users::find_signed_in(conn, id, &session)? else {
                return Ok(None);
            };
            Ok(Some(Caller::User {
                id,
                username: user.username,
                display_name: user.display_name,
                role: user.role,
                session,
            }))
        }
        Subject::Client(id) => {
            let client = match clients::find(conn, id) {
                Ok(client) => client,
                Err(StoreError::NotFound) => return Ok(None),
                Err(e) => return Err(e.into()),
            };
            if !client.active {
                return Ok(None);
            }
            // The token's scopes, narrowed to those the client still holds.
            let held = client.scopes.0;
            let scopes = parse_scopes(claims.scope.as_deref().unwrap_or_default())
                .into_iter()
                .filter(|s| held.contains(s))
                .collect();
            Ok(Some(Caller::Client {
                id,
                client_id: client.client_id,
                name: client.name,
                scopes,
            }))
        }
    }
}

/// The caller a bearer token names; `None` for a token that does not verify or an account that
/// may no longer act.
pub async fn authenticate(app: &App, token: String) -> Result<Option<Caller>, Error> {
    let Some((subject, claims)) = app.tokens.verify(&token) else {
        return Ok(None);
    };
    // Read before loading: a write committing meanwhile leaves the entry stale, never wrong.
    let writes = app.db.writes();
    if let Some(caller) = app.callers.get(&token, writes) {
        return Ok(Some(caller));
    }
    let caller = app.query(move |conn| load(conn, subject, &claims)).await?;
    if let Some(caller) = &caller {
        app.callers.put(token, writes, caller.clone());
    }
    Ok(caller)
}
