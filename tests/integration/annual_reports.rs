use actix_web::http::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, this_year, with};

fn full_report(book_year: i32) -> Value {
    json!({
        "book_year": book_year, "rat_held": true, "rat_date": format!("{}-03-14", book_year + 1),
        "reported_date": format!("{}-04-01", book_year + 1),
        "members_male": 120, "members_female": 95, "managers": 3, "employees": 4,
        "own_capital": 250_000_000, "outside_capital": 100_000_000, "assets": 420_000_000,
        "business_volume": 980_000_000, "shu": -35_000_000
    })
}

#[actix_web::test]
async fn a_report_is_filed_once_per_book_year_and_read_back() {
    let app = TestApp::spawn().await;
    let id = app.create_cooperative(json!({})).await;
    let base = format!("/api/v1/cooperatives/{id}/annual-reports");
    let created = app.post(&base, &full_report(2023)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created.header("location"),
        Some(format!("{base}/2023").as_str())
    );
    assert_eq!(created.body["shu"], -35_000_000, "SHU may be a loss");
    assert_eq!(created.body["cooperative_id"], id);
    let again = app.post(&base, &full_report(2023)).await;
    again.assert_problem(409, "duplicate_book_year");
    assert_eq!(again.body["errors"][0]["field"], "book_year");
    app.post(&base, &full_report(2024)).await;

    let list = app.get(&base).await;
    assert_eq!(list.body["total"], 2);
    let years: Vec<i64> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["book_year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, [2024, 2023], "newest first");
    let one = app.get(&format!("{base}/2023")).await;
    assert_eq!(one.status, 200);
    assert_eq!(one.body, created.body);
    assert_eq!(one.header("etag"), Some("\"1\""));
    app.get(&format!("{base}/2019"))
        .await
        .assert_problem(404, "not_found");
    app.get("/api/v1/cooperatives/999/annual-reports")
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn each_report_rule_is_a_422_with_its_own_code() {
    let app = TestApp::spawn().await;
    let id = app.create_cooperative(json!({})).await;
    let base = format!("/api/v1/cooperatives/{id}/annual-reports");
    let next_year = this_year() + 1;
    let cases = [
        (
            json!({"book_year": 1944, "rat_held": false, "rat_date": null, "reported_date": null}),
            "book_year_range",
        ),
        (
            json!({"book_year": next_year, "rat_held": false, "rat_date": null, "reported_date": null}),
            "book_year_range",
        ),
        (json!({"rat_date": null}), "rat_date_required"),
        (json!({"rat_held": false}), "rat_date_without_rat"),
        (
            json!({"rat_date": "2023-12-30"}),
            "rat_date_before_book_year_end",
        ),
        (
            json!({"rat_date": format!("{next_year}-01-01")}),
            "rat_date_in_future",
        ),
        (
            json!({"reported_date": format!("{next_year}-01-01")}),
            "reported_date_in_future",
        ),
        (json!({"assets": -1}), "negative_amount"),
        (
            json!({"assets": 1_000_000_000_000_000_001_i64}),
            "amount_out_of_range",
        ),
        (json!({"members_female": -1}), "negative_count"),
        (json!({"employees": 10_000_001}), "count_out_of_range"),
        (json!({"assets": 1.5}), "invalid_type"),
        (json!({"book_year": "2023"}), "invalid_type"),
        (json!({"colour": "red"}), "unknown_field"),
    ];
    for (change, code) in cases {
        let reply = app
            .post(&base, &with(full_report(2023), change.clone()))
            .await;
        reply.assert_problem(422, "validation_failed");
        assert!(
            reply.error_codes().contains(&code.to_owned()),
            "{change}: {}",
            reply.body
        );
    }
    assert_eq!(app.get(&base).await.body["total"], 0);
    let boundary = app
        .post(
            &base,
            &with(full_report(2023), json!({"rat_date": "2023-12-31"})),
        )
        .await;
    assert_eq!(
        boundary.status, 201,
        "31 December is the end of the book year: {}",
        boundary.body
    );
}

#[actix_web::test]
async fn a_report_is_corrected_with_patch_under_if_match() {
    let app = TestApp::spawn().await;
    let id = app.create_cooperative(json!({})).await;
    let path = format!("/api/v1/cooperatives/{id}/annual-reports/2023");
    app.post(
        &format!("/api/v1/cooperatives/{id}/annual-reports"),
        &full_report(2023),
    )
    .await;
    let reply = app
        .request(
            Method::PATCH,
            &path,
            Some(&json!({"shu": 10_000_000, "employees": null})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["shu"], 10_000_000);
    assert_eq!(reply.body["employees"], Value::Null);
    assert_eq!(reply.body["members_male"], 120, "untouched");
    assert_eq!(reply.header("etag"), Some("\"2\""));
    let stale = app
        .request(
            Method::PATCH,
            &path,
            Some(&json!({"shu": 1})),
            &[("if-match", "\"1\"")],
        )
        .await;
    stale.assert_problem(412, "precondition_failed");
    let invalid = app.patch(&path, &json!({"rat_held": false})).await;
    assert_eq!(invalid.error_codes(), ["rat_date_without_rat"]);
    let year = app.patch(&path, &json!({"book_year": 2022})).await;
    assert_eq!(
        year.error_codes(),
        ["unknown_field"],
        "the book year is the key"
    );
    let ok = app
        .patch(&path, &json!({"rat_held": false, "rat_date": null}))
        .await;
    assert_eq!(ok.status, 200);
}

#[actix_web::test]
async fn reports_of_an_archived_cooperative_are_hidden_unless_asked_for() {
    let app = TestApp::spawn().await;
    let id = app.create_cooperative(json!({})).await;
    let base = format!("/api/v1/cooperatives/{id}/annual-reports");
    app.post(&base, &full_report(2023)).await;
    app.delete(&format!("/api/v1/cooperatives/{id}")).await;
    app.get(&base).await.assert_problem(404, "not_found");
    app.post(&base, &full_report(2024))
        .await
        .assert_problem(404, "not_found");
    assert_eq!(
        app.get(&format!("{base}?include_archived=true")).await.body["total"],
        1
    );
    assert_eq!(
        app.get(&format!("{base}/2023?include_archived=true"))
            .await
            .status,
        200
    );
}
