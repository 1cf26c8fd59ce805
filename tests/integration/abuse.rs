//! Abuse paths of sign-in, from outside: the lockout belongs to an account *and* an address, a
//! per-address limit stands in front of password checks, and behind a trusted proxy the
//! forwarded client address is the one that counts.

use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::helpers::{ADMIN, ADMIN_PASSWORD, Reply, TestApp};

async fn login_from(
    app: &TestApp,
    address: &str,
    password: &str,
    headers: &[(&str, &str)],
) -> Reply {
    let body = json!({"username": ADMIN, "password": password});
    let mut req = TestRequest::post()
        .uri("/api/v1/auth/login")
        .peer_addr(format!("{address}:40000").parse().unwrap())
        .insert_header(("content-type", "application/json"))
        .set_payload(body.to_string());
    for header in headers {
        req = req.insert_header(*header);
    }
    app.send(req).await
}

#[actix_web::test]
async fn wrong_passwords_from_one_address_lock_the_account_only_there() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        login_from(&app, "192.0.2.66", "wrong-password!", &[])
            .await
            .assert_problem(401, "invalid_credentials");
    }
    login_from(&app, "192.0.2.66", ADMIN_PASSWORD, &[])
        .await
        .assert_problem(429, "too_many_requests");
    let elsewhere = login_from(&app, "198.51.100.20", ADMIN_PASSWORD, &[]).await;
    assert_eq!(
        elsewhere.status, 200,
        "the owner still signs in: {}",
        elsewhere.body
    );
}

#[actix_web::test]
async fn sign_in_attempts_past_the_per_address_rate_answer_429_with_rate_limit_headers() {
    let app = TestApp::spawn_with(&[("KLINIK_SIGN_IN_PER_MINUTE", "3")]).await;
    for _ in 0..3 {
        login_from(&app, "203.0.113.5", "wrong-password!", &[])
            .await
            .assert_problem(401, "invalid_credentials");
    }
    let limited = login_from(&app, "203.0.113.5", ADMIN_PASSWORD, &[]).await;
    limited.assert_problem(429, "too_many_requests");
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry), "{retry}");
    assert_eq!(
        limited.header("ratelimit-policy"),
        Some("\"sign-in\";q=3;w=60")
    );
    assert_eq!(
        limited.header("ratelimit"),
        Some(format!("\"sign-in\";r=0;t={retry}").as_str())
    );
    assert!(!limited.body.to_string().contains(ADMIN_PASSWORD));
    // The token endpoint shares the address's budget.
    let token = TestRequest::post()
        .uri("/api/v1/auth/token")
        .peer_addr("203.0.113.5:40001".parse().unwrap())
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload("grant_type=client_credentials&client_id=nobody&client_secret=nothing");
    app.send(token)
        .await
        .assert_problem(429, "too_many_requests");
    let other = login_from(&app, "203.0.113.6", ADMIN_PASSWORD, &[]).await;
    assert_eq!(other.status, 200);
}

async fn last_sign_in_address(app: &TestApp) -> Value {
    let events = app
        .get("/api/v1/audit-events?action=sign_in&page_size=100")
        .await;
    events.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|e| e["id"].as_i64())
        .unwrap()["client_address"]
        .clone()
}

#[actix_web::test]
async fn a_forwarded_address_counts_only_from_a_trusted_proxy() {
    let app = TestApp::spawn_with(&[("KLINIK_TRUSTED_PROXIES", "10.0.0.0/8")]).await;
    let forwarded = [("x-forwarded-for", "192.0.2.50")];
    assert_eq!(
        login_from(&app, "10.0.0.2", ADMIN_PASSWORD, &forwarded)
            .await
            .status,
        200
    );
    assert_eq!(last_sign_in_address(&app).await, "192.0.2.50");
    assert_eq!(
        login_from(&app, "198.51.100.9", ADMIN_PASSWORD, &forwarded)
            .await
            .status,
        200
    );
    assert_eq!(
        last_sign_in_address(&app).await,
        "198.51.100.9",
        "a client that is not a proxy cannot name another address"
    );
    // Locked behind the proxy: the forwarded client, not the proxy (so other clients of the proxy
    // still sign in).
    for _ in 0..5 {
        login_from(&app, "10.0.0.2", "wrong-password!", &forwarded).await;
    }
    login_from(&app, "10.0.0.2", ADMIN_PASSWORD, &forwarded)
        .await
        .assert_problem(429, "too_many_requests");
    let neighbour = [("x-forwarded-for", "192.0.2.51")];
    assert_eq!(
        login_from(&app, "10.0.0.2", ADMIN_PASSWORD, &neighbour)
            .await
            .status,
        200
    );
}
