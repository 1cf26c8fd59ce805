//! The activity status: computed from annual reports by the configured rule, overridable by hand.

use actix_web::http::Method;
use serde_json::json;

use crate::helpers::{TestApp, this_year};

fn report(book_year: i32) -> serde_json::Value {
    json!({"book_year": book_year, "rat_held": true, "rat_date": format!("{}-03-15", book_year + 1)})
}

#[actix_web::test]
async fn a_rat_held_for_last_year_makes_a_cooperative_active_and_deleting_it_undoes_that() {
    let app = TestApp::spawn().await;
    let id = app.create_cooperative(json!({})).await;
    let path = format!("/api/v1/cooperatives/{id}");
    let last_year = this_year() - 1;
    let mut filed = report(last_year);
    filed["rat_date"] = json!(format!("{last_year}-12-31"));
    let reply = app.post(&format!("{path}/annual-reports"), &filed).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let coop = app.get(&path).await;
    assert_eq!(coop.body["status"], "aktif");
    assert_eq!(coop.body["status_computed"], "aktif");
    assert_eq!(coop.body["version"], 2, "a status change is a new version");
    assert_eq!(
        app.get("/api/v1/cooperatives?status=aktif").await.body["total"],
        1
    );

    let reply = app
        .delete(&format!("{path}/annual-reports/{last_year}"))
        .await;
    assert_eq!(reply.status, 204);
    assert_eq!(app.get(&path).await.body["status"], "tidak_aktif");
}

#[actix_web::test]
async fn an_older_rat_does_not_count_under_the_default_rule_but_does_under_a_longer_one() {
    let two_years_ago = this_year() - 2;
    let app = TestApp::spawn().await;
    let id = app.create_cooperative(json!({})).await;
    app.post(
        &format!("/api/v1/cooperatives/{id}/annual-reports"),
        &report(two_years_ago),
    )
    .await;
    assert_eq!(
        app.get(&format!("/api/v1/cooperatives/{id}")).await.body["status"],
        "tidak_aktif"
    );

    let lenient = TestApp::spawn_with(&[("KLINIK_ACTIVITY_RULE", "rat_within_2_book_years")]).await;
    let id = lenient.create_cooperative(json!({})).await;
    lenient
        .post(
            &format!("/api/v1/cooperatives/{id}/annual-reports"),
            &report(two_years_ago),
        )
        .await;
    let coop = lenient.get(&format!("/api/v1/cooperatives/{id}")).await;
    assert_eq!(coop.body["status"], "aktif");
    assert_eq!(coop.body["status_rule"], "rat_within_2_book_years");
}

#[actix_web::test]
async fn an_override_needs_a_reason_wins_until_cleared_and_shows_itself() {
    let app = TestApp::spawn().await;
    let id = app.create_cooperative(json!({})).await;
    let path = format!("/api/v1/cooperatives/{id}/status-override");
    let missing_reason = app
        .request(Method::PUT, &path, Some(&json!({"status": "aktif"})), &[])
        .await;
    missing_reason.assert_problem(422, "validation_failed");
    assert_eq!(missing_reason.body["errors"][0]["field"], "reason");
    let empty_reason = app
        .request(
            Method::PUT,
            &path,
            Some(&json!({"status": "aktif", "reason": ""})),
            &[],
        )
        .await;
    empty_reason.assert_problem(422, "validation_failed");

    let set = app
        .request(
            Method::PUT,
            &path,
            Some(&json!({"status": "diusulkan_bubar", "reason": "Tidak RAT tiga tahun"})),
            &[],
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.body["status"], "diusulkan_bubar");
    assert_eq!(set.body["status_computed"], "tidak_aktif");
    assert_eq!(set.body["status_overridden"], true);
    assert_eq!(set.body["status_override_reason"], "Tidak RAT tiga tahun");
    assert_eq!(
        app.get("/api/v1/cooperatives?status=diusulkan_bubar")
            .await
            .body["total"],
        1
    );

    // New evidence changes the computed status, not the override.
    let last_year = this_year() - 1;
    app.post(
        &format!("/api/v1/cooperatives/{id}/annual-reports"),
        &report(last_year),
    )
    .await;
    let coop = app.get(&format!("/api/v1/cooperatives/{id}")).await;
    assert_eq!(
        (
            coop.body["status"].as_str(),
            coop.body["status_computed"].as_str()
        ),
        (Some("diusulkan_bubar"), Some("aktif"))
    );

    let stale = app
        .request(Method::DELETE, &path, None, &[("if-match", "\"1\"")])
        .await;
    stale.assert_problem(412, "precondition_failed");
    let cleared = app.request(Method::DELETE, &path, None, &[]).await;
    assert_eq!(cleared.status, 200);
    assert_eq!(cleared.body["status"], "aktif");
    assert_eq!(cleared.body["status_overridden"], false);
    assert_eq!(
        cleared.body["status_override_reason"],
        serde_json::Value::Null
    );
}
