use actix_web::http::Method;
use serde_json::json;

use crate::helpers::{TestApp, minimal_cooperative, raw_execute};

#[actix_web::test]
async fn a_retry_with_the_same_key_returns_the_first_response_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let body = minimal_cooperative();
    let key = [("idempotency-key", "c0ffee-0001")];
    let first = app
        .request(Method::POST, "/api/v1/cooperatives", Some(&body), &key)
        .await;
    assert_eq!(first.status, 201);
    assert_eq!(first.header("idempotent-replayed"), None);
    let retry = app
        .request(Method::POST, "/api/v1/cooperatives", Some(&body), &key)
        .await;
    assert_eq!(retry.status, 201);
    assert_eq!(retry.body, first.body);
    assert_eq!(retry.header("location"), first.header("location"));
    assert_eq!(retry.header("etag"), first.header("etag"));
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(app.get("/api/v1/cooperatives").await.body["total"], 1);
}

#[actix_web::test]
async fn the_same_key_with_another_body_is_a_422() {
    let app = TestApp::spawn().await;
    let key = [("idempotency-key", "c0ffee-0002")];
    app.request(
        Method::POST,
        "/api/v1/cooperatives",
        Some(&minimal_cooperative()),
        &key,
    )
    .await;
    let other = json!({"name": "Another", "form": "primer", "type": "jasa", "kelurahan_code": "32.71.01.1001"});
    let reply = app
        .request(Method::POST, "/api/v1/cooperatives", Some(&other), &key)
        .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.error_codes(), ["idempotency_key_reused"]);
    assert_eq!(app.get("/api/v1/cooperatives").await.body["total"], 1);
}

#[actix_web::test]
async fn keys_are_scoped_to_the_operation_and_must_be_printable() {
    let app = TestApp::spawn().await;
    let id = app.create_cooperative(json!({})).await;
    let key = [("idempotency-key", "shared-key")];
    let coop = app
        .request(
            Method::POST,
            "/api/v1/cooperatives",
            Some(&minimal_cooperative()),
            &key,
        )
        .await;
    assert_eq!(coop.status, 201);
    let report = json!({"book_year": 2020, "rat_held": false});
    let reply = app
        .request(
            Method::POST,
            &format!("/api/v1/cooperatives/{id}/annual-reports"),
            Some(&report),
            &key,
        )
        .await;
    assert_eq!(
        reply.status, 201,
        "another operation, another scope: {}",
        reply.body
    );
    let bad = app
        .request(
            Method::POST,
            "/api/v1/cooperatives",
            Some(&minimal_cooperative()),
            &[("idempotency-key", "has space")],
        )
        .await;
    bad.assert_problem(400, "invalid_header");
}

#[actix_web::test]
async fn a_failed_create_does_not_burn_its_key() {
    let app = TestApp::spawn().await;
    let key = [("idempotency-key", "retry-after-fix")];
    let invalid = json!({"name": "X", "form": "primer", "type": "konsumen", "kelurahan_code": "32.71.01.9999"});
    app.request(Method::POST, "/api/v1/cooperatives", Some(&invalid), &key)
        .await
        .assert_problem(422, "validation_failed");
    let fixed = app
        .request(
            Method::POST,
            "/api/v1/cooperatives",
            Some(&minimal_cooperative()),
            &key,
        )
        .await;
    assert_eq!(fixed.status, 201);
}

#[actix_web::test]
async fn one_caller_s_key_never_replays_another_caller_s_answer() {
    let app = TestApp::spawn().await;
    let officer = app.user_token("officer1", "officer").await;
    let body = minimal_cooperative();
    let key = [("idempotency-key", "shared-0001")];
    let admin = app
        .request(Method::POST, "/api/v1/cooperatives", Some(&body), &key)
        .await;
    assert_eq!(admin.status, 201);
    let theirs = app
        .request_as(
            Some(&officer),
            Method::POST,
            "/api/v1/cooperatives",
            Some(&body),
            &key,
        )
        .await;
    assert_eq!(theirs.status, 201, "{}", theirs.body);
    assert_eq!(theirs.header("idempotent-replayed"), None);
    assert_ne!(theirs.body["id"], admin.body["id"], "their own record");
    let again = app
        .request_as(
            Some(&officer),
            Method::POST,
            "/api/v1/cooperatives",
            Some(&body),
            &key,
        )
        .await;
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body["id"], theirs.body["id"]);
    assert_eq!(app.get("/api/v1/cooperatives").await.body["total"], 2);
}

#[actix_web::test]
async fn an_expired_key_works_as_new() {
    let app = TestApp::spawn().await;
    let body = minimal_cooperative();
    let key = [("idempotency-key", "old-0001")];
    let first = app
        .request(Method::POST, "/api/v1/cooperatives", Some(&body), &key)
        .await;
    assert_eq!(first.status, 201);
    // 25 hours old: past the default lifetime of 24 hours.
    let aged = if app.db.is_postgres() {
        "UPDATE idempotency_keys SET created_at = created_at - INTERVAL '25 hours'"
    } else {
        "UPDATE idempotency_keys SET created_at = datetime(created_at, '-25 hours')"
    };
    raw_execute(&app, aged);
    let later = app
        .request(Method::POST, "/api/v1/cooperatives", Some(&body), &key)
        .await;
    assert_eq!(later.status, 201);
    assert_eq!(later.header("idempotent-replayed"), None);
    assert_ne!(later.body["id"], first.body["id"]);
}
