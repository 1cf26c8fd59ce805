//! Sign-in, tokens, sessions, lockout and the answers to bad tokens.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::helpers::{ADMIN, ADMIN_PASSWORD, JWT_SECRET, TestApp};

async fn login_reply(app: &TestApp, username: &str, password: &str) -> crate::helpers::Reply {
    let body = json!({"username": username, "password": password});
    app.request_as(None, Method::POST, "/api/v1/auth/login", Some(&body), &[])
        .await
}

async fn me(app: &TestApp, token: &str) -> crate::helpers::Reply {
    app.request_as(Some(token), Method::GET, "/api/v1/auth/me", None, &[])
        .await
}

#[actix_web::test]
async fn signing_in_gives_an_oauth_token_response() {
    let app = TestApp::spawn().await;
    let reply = login_reply(&app, ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(reply.body["token_type"], "Bearer");
    assert_eq!(reply.body["expires_in"], 900);
    assert_eq!(reply.body["refresh_token"].as_str().unwrap().len(), 64);
    let token = reply.body["access_token"].as_str().unwrap();
    let who = me(&app, token).await;
    assert_eq!(who.status, 200);
    assert_eq!(
        (
            who.body["kind"].as_str(),
            who.body["name"].as_str(),
            who.body["role"].as_str()
        ),
        (Some("user"), Some("admin"), Some("admin"))
    );
}

#[actix_web::test]
async fn an_unknown_user_and_a_wrong_password_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let wrong = login_reply(&app, ADMIN, "not-the-password").await;
    let unknown = login_reply(&app, "nobody", "not-the-password").await;
    wrong.assert_problem(401, "invalid_credentials");
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.status, unknown.status);
}

#[actix_web::test]
async fn five_failures_lock_an_account_for_fifteen_minutes() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        login_reply(&app, ADMIN, "wrong-password!")
            .await
            .assert_problem(401, "invalid_credentials");
    }
    let locked = login_reply(&app, ADMIN, ADMIN_PASSWORD).await;
    locked.assert_problem(429, "too_many_requests");
    let retry: u64 = locked.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    // Another account is not affected.
    app.user_token("budi", "viewer").await;
}

#[actix_web::test]
async fn a_refresh_token_is_used_once_and_its_reuse_ends_the_session() {
    let app = TestApp::spawn().await;
    let first = login_reply(&app, ADMIN, ADMIN_PASSWORD).await.body;
    let refresh = |token: &Value| json!({"refresh_token": token["refresh_token"]});
    let second = app
        .request_as(
            None,
            Method::POST,
            "/api/v1/auth/refresh",
            Some(&refresh(&first)),
            &[],
        )
        .await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_ne!(second.body["refresh_token"], first["refresh_token"]);
    let new_access = second.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(me(&app, &new_access).await.status, 200);

    // The first token again: theft is assumed, the whole chain dies.
    let reuse = app
        .request_as(
            None,
            Method::POST,
            "/api/v1/auth/refresh",
            Some(&refresh(&first)),
            &[],
        )
        .await;
    reuse.assert_problem(401, "invalid_grant");
    me(&app, &new_access)
        .await
        .assert_problem(401, "invalid_token");
    let after = app
        .request_as(
            None,
            Method::POST,
            "/api/v1/auth/refresh",
            Some(&refresh(&second.body)),
            &[],
        )
        .await;
    after.assert_problem(401, "invalid_grant");
    // Other sessions live on.
    assert_eq!(me(&app, &app.token).await.status, 200);
}

#[actix_web::test]
async fn logout_revokes_the_session_and_its_access_tokens() {
    let app = TestApp::spawn().await;
    let session = login_reply(&app, ADMIN, ADMIN_PASSWORD).await.body;
    let access = session["access_token"].as_str().unwrap();
    let body = json!({"refresh_token": session["refresh_token"]});
    let reply = app
        .request_as(None, Method::POST, "/api/v1/auth/logout", Some(&body), &[])
        .await;
    assert_eq!(reply.status, 204);
    me(&app, access).await.assert_problem(401, "invalid_token");
    let again = app
        .request_as(None, Method::POST, "/api/v1/auth/logout", Some(&body), &[])
        .await;
    assert_eq!(again.status, 204, "idempotent");
}

fn forge(claims: &Value, key: &[u8]) -> String {
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = engine.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = engine.encode(claims.to_string());
    let signing_input = format!("{header}.{payload}");
    let mac = hmac_sha256(key, signing_input.as_bytes());
    format!("{signing_input}.{}", engine.encode(mac))
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut block = [0u8; 64];
    block[..key.len()].copy_from_slice(key);
    let inner: Vec<u8> = block
        .iter()
        .map(|b| b ^ 0x36)
        .chain(message.iter().copied())
        .collect();
    let inner_hash = Sha256::digest(&inner);
    let outer: Vec<u8> = block
        .iter()
        .map(|b| b ^ 0x5c)
        .chain(inner_hash.iter().copied())
        .collect();
    Sha256::digest(&outer).to_vec()
}

#[actix_web::test]
async fn every_kind_of_bad_token_is_a_401_that_says_only_that_it_is_not_valid() {
    use base64::Engine;
    let app = TestApp::spawn().await;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = app.token.split('.').collect();
    let mut claims: Value = serde_json::from_slice(&engine.decode(parts[1]).unwrap()).unwrap();
    let now = chrono::Utc::now().timestamp();
    let genuine = forge(&claims, JWT_SECRET.as_bytes());
    assert_eq!(
        me(&app, &genuine).await.status,
        200,
        "the forger signs like the server"
    );

    let none = format!(
        "{}.{}.",
        engine.encode(br#"{"alg":"none","typ":"JWT"}"#),
        parts[1]
    );
    let mut raised = claims.clone();
    raised["sub"] = json!("user:2");
    let changed_payload = format!(
        "{}.{}.{}",
        parts[0],
        engine.encode(raised.to_string()),
        parts[2]
    );
    let other_key = forge(&claims, b"another-key-another-key-another-key!");
    claims["iat"] = json!(now - 3600);
    claims["exp"] = json!(now - 60);
    let expired = forge(&claims, JWT_SECRET.as_bytes());
    let mut wrong_audience = claims.clone();
    wrong_audience["exp"] = json!(now + 600);
    wrong_audience["aud"] = json!("another-api");
    let wrong_audience = forge(&wrong_audience, JWT_SECRET.as_bytes());

    for (what, token) in [
        ("alg none", none),
        ("changed payload", changed_payload),
        ("another key", other_key),
        ("expired", expired),
        ("wrong audience", wrong_audience),
        ("garbage", "abc".into()),
    ] {
        let reply = app
            .request_as(Some(&token), Method::GET, "/api/v1/cooperatives", None, &[])
            .await;
        reply.assert_problem(401, "invalid_token");
        assert_eq!(
            reply.header("www-authenticate"),
            Some("Bearer realm=\"klinik-kumkm\""),
            "{what}"
        );
        assert_eq!(
            reply.body["detail"], "The access token is missing or not valid.",
            "{what}"
        );
    }
    let anonymous = app
        .request_as(None, Method::GET, "/api/v1/cooperatives", None, &[])
        .await;
    anonymous.assert_problem(401, "invalid_token");
}

#[actix_web::test]
async fn a_deactivated_user_is_shut_out_at_once() {
    let app = TestApp::spawn().await;
    let token = app.user_token("siti", "officer").await;
    assert_eq!(me(&app, &token).await.status, 200);
    let users = app.get("/api/v1/users").await;
    let id = users.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "siti")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let reply = app
        .patch(&format!("/api/v1/users/{id}"), &json!({"active": false}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    me(&app, &token).await.assert_problem(401, "invalid_token");
    login_reply(&app, "siti", "siti-password")
        .await
        .assert_problem(401, "invalid_credentials");
}

#[actix_web::test]
async fn changing_ones_password_needs_the_current_one_and_ends_every_session() {
    let app = TestApp::spawn().await;
    let token = app.user_token("siti", "officer").await;
    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let path = "/api/v1/auth/change-password";
    let wrong = app
        .request_as(
            Some(&token),
            Method::POST,
            path,
            Some(&change("not-it-at-all", "a brand new pass phrase")),
            &[],
        )
        .await;
    assert_eq!(wrong.error_codes(), ["wrong_password"]);
    let short = app
        .request_as(
            Some(&token),
            Method::POST,
            path,
            Some(&change("siti-password", "short")),
            &[],
        )
        .await;
    assert_eq!(short.error_codes(), ["password_too_short"]);
    let ok = app
        .request_as(
            Some(&token),
            Method::POST,
            path,
            Some(&change("siti-password", "a brand new pass phrase")),
            &[],
        )
        .await;
    assert_eq!(ok.status, 204, "{}", ok.body);
    me(&app, &token).await.assert_problem(401, "invalid_token");
    login_reply(&app, "siti", "siti-password")
        .await
        .assert_problem(401, "invalid_credentials");
    assert_eq!(
        login_reply(&app, "siti", "a brand new pass phrase")
            .await
            .status,
        200
    );
}
