//! Integration clients and the client-credentials grant.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::json;

use crate::helpers::{Reply, TestApp};

async fn token_request(app: &TestApp, form: &str, basic: Option<(&str, &str)>) -> Reply {
    let mut req = TestRequest::post()
        .uri("/api/v1/auth/token")
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload(form.to_owned());
    if let Some((id, secret)) = basic {
        use base64::Engine;
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
        req = req.insert_header(("authorization", format!("Basic {encoded}")));
    }
    app.send(req).await
}

/// A token request sent as JSON rather than as a form.
async fn json_token_request(app: &TestApp) -> Reply {
    app.request_as(
        None,
        Method::POST,
        "/api/v1/auth/token",
        Some(&json!({"grant_type": "client_credentials"})),
        &[],
    )
    .await
}

async fn register(app: &TestApp, scopes: &[&str]) -> (i64, String, String) {
    let reply = app
        .post(
            "/api/v1/clients",
            &json!({"name": "SIPD Kota Bogor", "scopes": scopes}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    (
        reply.body["id"].as_i64().unwrap(),
        reply.body["client_id"].as_str().unwrap().to_owned(),
        reply.body["client_secret"].as_str().unwrap().to_owned(),
    )
}

#[actix_web::test]
async fn a_client_secret_is_shown_once_and_buys_a_scoped_token() {
    let app = TestApp::spawn().await;
    let (id, client_id, secret) = register(&app, &["registry:read", "indicators:read"]).await;
    let read = app.get(&format!("/api/v1/clients/{id}")).await;
    assert!(read.body.get("client_secret").is_none());
    assert_eq!(
        read.body["scopes"],
        json!(["indicators:read", "registry:read"])
    );

    let form =
        format!("grant_type=client_credentials&client_id={client_id}&client_secret={secret}");
    let reply = token_request(&app, &form, None).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["scope"], "indicators:read registry:read");
    assert!(reply.body.get("refresh_token").is_none());
    let token = reply.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        app.request_as(Some(&token), Method::GET, "/api/v1/cooperatives", None, &[])
            .await
            .status,
        200
    );
    let write = app
        .request_as(
            Some(&token),
            Method::POST,
            "/api/v1/cooperatives",
            Some(&crate::helpers::minimal_cooperative()),
            &[],
        )
        .await;
    write.assert_problem(403, "forbidden");
    let me = app
        .request_as(Some(&token), Method::GET, "/api/v1/auth/me", None, &[])
        .await;
    assert_eq!(
        (me.body["kind"].as_str(), me.body["role"].as_str()),
        (Some("client"), Some("integration"))
    );

    let basic = token_request(
        &app,
        "grant_type=client_credentials&scope=registry:read",
        Some((&client_id, &secret)),
    )
    .await;
    assert_eq!(
        basic.body["scope"], "registry:read",
        "narrowed to what was asked"
    );
}

#[actix_web::test]
async fn bad_client_credentials_are_refused_and_locked_out() {
    let app = TestApp::spawn().await;
    let (_, client_id, _) = register(&app, &["registry:read"]).await;
    let wrong = format!("grant_type=client_credentials&client_id={client_id}&client_secret=nope");
    token_request(&app, &wrong, None)
        .await
        .assert_problem(401, "invalid_client");
    token_request(&app, "grant_type=password&username=a&password=b", None)
        .await
        .assert_problem(400, "unsupported_grant_type");
    let json = json_token_request(&app).await;
    json.assert_problem(415, "unsupported_media_type");
    for _ in 0..4 {
        token_request(&app, &wrong, None).await;
    }
    token_request(&app, &wrong, None)
        .await
        .assert_problem(429, "too_many_requests");
}

#[actix_web::test]
async fn deactivating_a_client_or_rotating_its_secret_takes_effect_at_once() {
    let app = TestApp::spawn().await;
    let (id, client_id, secret) = register(&app, &["registry:write", "registry:read"]).await;
    let form =
        |s: &str| format!("grant_type=client_credentials&client_id={client_id}&client_secret={s}");
    let token = token_request(&app, &form(&secret), None).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let created = app
        .request_as(
            Some(&token),
            Method::POST,
            "/api/v1/cooperatives",
            Some(&crate::helpers::minimal_cooperative()),
            &[],
        )
        .await;
    assert_eq!(
        created.status, 201,
        "a write scope allows writes: {}",
        created.body
    );

    let rotated = app
        .post(&format!("/api/v1/clients/{id}/secret"), &json!({}))
        .await;
    assert_eq!(rotated.status, 200);
    let new_secret = rotated.body["client_secret"].as_str().unwrap();
    token_request(&app, &form(&secret), None)
        .await
        .assert_problem(401, "invalid_client");
    assert_eq!(
        token_request(&app, &form(new_secret), None).await.status,
        200
    );

    let off = app
        .patch(&format!("/api/v1/clients/{id}"), &json!({"active": false}))
        .await;
    assert_eq!(off.status, 200);
    app.request_as(Some(&token), Method::GET, "/api/v1/cooperatives", None, &[])
        .await
        .assert_problem(401, "invalid_token");
    let empty = app
        .post("/api/v1/clients", &json!({"name": "X", "scopes": []}))
        .await;
    assert_eq!(empty.error_codes(), ["scopes_required"]);
}

/// OAuth 2.0 client libraries read RFC 6749 §5.2's `error` (and show `error_description`); the
/// problem members stay beside them.
#[actix_web::test]
async fn token_errors_carry_the_rfc_6749_members_beside_the_problem() {
    let app = TestApp::spawn().await;
    let (_, client_id, _) = register(&app, &["registry:read"]).await;
    let wrong = format!("grant_type=client_credentials&client_id={client_id}&client_secret=nope");
    let cases = [
        (wrong.as_str(), 401, "invalid_client"),
        ("grant_type=password", 400, "unsupported_grant_type"),
        ("grant_type=client_credentials", 401, "invalid_client"),
        ("client_id=x&client_secret=y", 400, "invalid_request"),
    ];
    for (form, status, error) in cases {
        let reply = token_request(&app, form, None).await;
        assert_eq!(reply.status.as_u16(), status, "{form}: {}", reply.body);
        assert_eq!(reply.body["error"], error, "{form}: {}", reply.body);
        assert_eq!(reply.body["error_description"], reply.body["detail"]);
        assert_eq!(reply.body["status"], status);
        assert!(reply.body["code"].is_string());
    }
    let not_a_form = json_token_request(&app).await;
    assert_eq!(
        (
            not_a_form.status.as_u16(),
            not_a_form.body["error"].as_str()
        ),
        (415, Some("invalid_request"))
    );
    for _ in 0..4 {
        token_request(&app, &wrong, None).await;
    }
    let locked = token_request(&app, &wrong, None).await;
    assert_eq!(
        (locked.status.as_u16(), locked.body["error"].as_str()),
        (429, Some("temporarily_unavailable"))
    );
}
