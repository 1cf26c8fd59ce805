//! The audit trail: every change leaves an event nobody can edit.

use actix_web::http::Method;
use diesel::{Connection, RunQueryDsl};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestDatabase};

async fn events(app: &TestApp, query: &str) -> Vec<Value> {
    let reply = app.get(&format!("/api/v1/audit-events?{query}")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["items"].as_array().unwrap().clone()
}

#[actix_web::test]
async fn each_change_to_a_cooperative_is_recorded_with_actor_fields_and_masked_personal_data() {
    let app = TestApp::spawn().await;
    let body = json!({"name": "Koperasi A", "form": "primer", "type": "konsumen", "kelurahan_code": "32.71.01.1006",
        "board_members": [{"role": "ketua", "name": "Siti Aminah"}]});
    let reply = app
        .request(
            Method::POST,
            "/api/v1/cooperatives",
            Some(&body),
            &[("x-request-id", "req-create-1")],
        )
        .await;
    let id = reply.body["id"].as_i64().unwrap();
    app.patch(
        &format!("/api/v1/cooperatives/{id}"),
        &json!({"name": "Koperasi B", "board_members": [{"role": "ketua", "name": "Budi"}]}),
    )
    .await;
    app.post(
        &format!("/api/v1/cooperatives/{id}/annual-reports"),
        &json!({"book_year": 2020, "rat_held": false}),
    )
    .await;
    app.delete(&format!("/api/v1/cooperatives/{id}")).await;

    let trail = events(&app, &format!("entity_type=cooperative&entity_id={id}")).await;
    let actions: Vec<&str> = trail
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["archive", "update", "create"], "newest first");
    let created = &trail[2];
    assert_eq!(created["actor_type"], "user");
    assert_eq!(created["actor_name"], "admin");
    assert_eq!(created["actor_role"], "admin");
    assert_eq!(created["request_id"], "req-create-1");
    assert!(created["client_address"].is_string() || created["client_address"].is_null());
    assert_eq!(
        created["changes"]["name"],
        json!({"before": null, "after": "Koperasi A"})
    );
    assert_eq!(
        created["changes"]["board_members"]["after"], "***",
        "personal data is masked"
    );
    let updated = &trail[1];
    assert_eq!(
        updated["changes"]["name"],
        json!({"before": "Koperasi A", "after": "Koperasi B"})
    );
    assert_eq!(
        updated["changes"]["board_members"],
        json!({"before": "***", "after": "***"})
    );
    assert!(
        updated["changes"].get("type").is_none(),
        "only changed fields"
    );
    let text = Value::Array(trail.clone()).to_string();
    assert!(!text.contains("Siti") && !text.contains("Budi"));

    let reports = events(&app, "entity_type=annual_report").await;
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0]["changes"]["book_year"]["after"], 2020);
}

#[actix_web::test]
async fn sign_ins_and_their_failures_are_recorded() {
    let app = TestApp::spawn().await;
    let bad = json!({"username": "admin", "password": "definitely wrong"});
    app.request_as(None, Method::POST, "/api/v1/auth/login", Some(&bad), &[])
        .await;
    let failed = events(&app, "action=sign_in_failed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["actor_type"], "anonymous");
    assert!(
        !failed[0].to_string().contains("definitely wrong"),
        "never the password"
    );
    let sign_ins = events(&app, "action=sign_in&entity_type=user").await;
    assert!(!sign_ins.is_empty());
    assert_eq!(sign_ins[0]["actor_name"], "admin");
    let first_admin = events(&app, "entity_type=user&action=create").await;
    assert_eq!(first_admin.last().unwrap()["actor_type"], "system");
}

#[actix_web::test]
async fn only_admins_read_the_trail_and_filters_combine() {
    let app = TestApp::spawn().await;
    let officer = app.user_token("siti", "officer").await;
    app.request_as(
        Some(&officer),
        Method::GET,
        "/api/v1/audit-events",
        None,
        &[],
    )
    .await
    .assert_problem(403, "forbidden");
    let all = app.get("/api/v1/audit-events?page_size=100").await;
    let total = all.body["total"].as_i64().unwrap();
    assert!(total >= 3);
    let future = app
        .get("/api/v1/audit-events?from=2999-01-01T00:00:00Z")
        .await;
    assert_eq!(future.body["total"], 0);
    let by_actor = app
        .get("/api/v1/audit-events?actor_id=1&action=create&entity_type=user")
        .await;
    assert_eq!(by_actor.body["total"], 1, "the admin created siti");
    app.get("/api/v1/audit-events?who=me")
        .await
        .assert_problem(400, "invalid_query");
}

#[actix_web::test]
async fn the_database_refuses_to_change_or_delete_an_event() {
    let app = TestApp::spawn().await;
    let url = app.db.url().to_owned();
    let attempt = |sql: &str| -> bool {
        match &*app.db {
            TestDatabase::Postgres { .. } => {
                let mut conn = diesel::PgConnection::establish(&url).unwrap();
                diesel::sql_query(sql).execute(&mut conn).is_err()
            }
            TestDatabase::Sqlite { .. } => {
                let mut conn = diesel::SqliteConnection::establish(&url).unwrap();
                diesel::sql_query(sql).execute(&mut conn).is_err()
            }
        }
    };
    assert!(attempt("UPDATE audit_events SET action = 'nothing'"));
    assert!(attempt("DELETE FROM audit_events"));
    if app.db.is_postgres() {
        assert!(attempt("TRUNCATE audit_events"));
    }
    assert!(
        app.get("/api/v1/audit-events").await.body["total"]
            .as_i64()
            .unwrap()
            >= 2
    );
}
