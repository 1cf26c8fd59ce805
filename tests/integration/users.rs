//! Admin management of accounts.

use actix_web::http::Method;
use serde_json::json;

use crate::helpers::TestApp;

fn new_user(username: &str, password: &str) -> serde_json::Value {
    json!({"username": username, "display_name": "Siti Aminah", "email": "siti@kotabogor.go.id", "role": "officer", "password": password})
}

#[actix_web::test]
async fn an_admin_creates_lists_and_reads_accounts_without_their_passwords() {
    let app = TestApp::spawn().await;
    let created = app
        .post("/api/v1/users", &new_user("siti", "a long pass phrase"))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/users/{id}").as_str())
    );
    assert_eq!(created.body["role"], "officer");
    assert_eq!(created.body["active"], true);
    assert!(created.body.get("password").is_none() && created.body.get("password_hash").is_none());
    let list = app.get("/api/v1/users").await;
    assert_eq!(list.body["total"], 2);
    let one = app.get(&format!("/api/v1/users/{id}")).await;
    assert_eq!(one.body, created.body);
    app.post("/api/v1/users", &new_user("siti", "another long phrase"))
        .await
        .assert_problem(409, "duplicate_username");
}

#[actix_web::test]
async fn the_password_policy_and_the_username_shape_are_422s() {
    let app = TestApp::spawn().await;
    let cases = [
        (new_user("siti", "eleven char"), "password_too_short"),
        (
            new_user("siti.aminah.1", "siti.aminah.1"),
            "password_equals_username",
        ),
        (new_user("Siti", "a long pass phrase"), "username_format"),
        (
            json!({"username": "siti", "display_name": "S", "role": "integration", "password": "a long pass phrase"}),
            "invalid_enum_value",
        ),
    ];
    for (body, code) in cases {
        let reply = app.post("/api/v1/users", &body).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.error_codes(), [code]);
        assert!(
            !reply.body.to_string().contains("eleven char"),
            "the password is never echoed"
        );
    }
}

#[actix_web::test]
async fn an_admin_cannot_lock_themselves_out_and_the_last_admin_stays() {
    let app = TestApp::spawn().await;
    let me = app.get("/api/v1/auth/me").await.body["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/users/{me}");
    let demote = app.patch(&path, &json!({"role": "viewer"})).await;
    assert_eq!(demote.error_codes(), ["cannot_change_own_access"]);
    let deactivate = app.patch(&path, &json!({"active": false})).await;
    assert_eq!(deactivate.error_codes(), ["cannot_change_own_access"]);
    let rename = app
        .request(
            Method::PATCH,
            &path,
            Some(&json!({"display_name": "Administrator"})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(rename.status, 200, "{}", rename.body);
    let stale = app
        .request(
            Method::PATCH,
            &path,
            Some(&json!({"display_name": "X"})),
            &[("if-match", "\"1\"")],
        )
        .await;
    stale.assert_problem(412, "precondition_failed");

    // A second admin may demote the first, but not once only one is left.
    let other = app.post("/api/v1/users", &json!({"username": "root2", "display_name": "R", "role": "admin", "password": "a long pass phrase"})).await;
    let other_id = other.body["id"].as_i64().unwrap();
    let other_token = app.login("root2", "a long pass phrase").await;
    let demoted = app
        .request_as(
            Some(&other_token),
            Method::PATCH,
            &path,
            Some(&json!({"role": "officer"})),
            &[],
        )
        .await;
    assert_eq!(demoted.status, 200, "{}", demoted.body);
    let officer_token = app.login("admin", crate::helpers::ADMIN_PASSWORD).await;
    let forbidden = app
        .request_as(
            Some(&officer_token),
            Method::GET,
            "/api/v1/users",
            None,
            &[],
        )
        .await;
    forbidden.assert_problem(403, "forbidden");
    let last = app
        .request_as(
            Some(&other_token),
            Method::PATCH,
            &format!("/api/v1/users/{other_id}"),
            Some(&json!({"active": false})),
            &[],
        )
        .await;
    assert_eq!(last.error_codes(), ["cannot_change_own_access"]);
}

#[actix_web::test]
async fn a_password_reset_ends_the_users_sessions() {
    let app = TestApp::spawn().await;
    let token = app.user_token("budi", "viewer").await;
    let id = app
        .request_as(Some(&token), Method::GET, "/api/v1/auth/me", None, &[])
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/users/{id}/password-reset");
    let short = app.post(&path, &json!({"new_password": "short"})).await;
    assert_eq!(short.error_codes(), ["password_too_short"]);
    let reply = app
        .post(&path, &json!({"new_password": "a fresh pass phrase"}))
        .await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    app.request_as(Some(&token), Method::GET, "/api/v1/auth/me", None, &[])
        .await
        .assert_problem(401, "invalid_token");
    app.login("budi", "a fresh pass phrase").await;
    let me = app.get("/api/v1/auth/me").await.body["id"]
        .as_i64()
        .unwrap();
    let own = app
        .post(
            &format!("/api/v1/users/{me}/password-reset"),
            &json!({"new_password": "a fresh pass phrase"}),
        )
        .await;
    assert_eq!(own.error_codes(), ["own_password"]);
}
