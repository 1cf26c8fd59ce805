use actix_web::http::Method;
use serde_json::json;

use crate::helpers::{TestApp, minimal_cooperative, with};

#[actix_web::test]
async fn registering_a_cooperative_derives_its_region_and_status() {
    let app = TestApp::spawn().await;
    let body = with(
        minimal_cooperative(),
        json!({
            "registration_number": "3271010000123",
            "rt_rw": "003/005",
            "board_members": [{"role": "ketua", "name": "Siti Aminah", "term_start": "2024-01-01", "term_end": "2028-12-31"}]
        }),
    );
    let created = app.post("/api/v1/cooperatives", &body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/cooperatives/{id}").as_str())
    );
    assert_eq!(created.header("etag"), Some("\"1\""));
    let c = &created.body;
    assert_eq!(c["kecamatan_code"], "32.71.01");
    assert_eq!(c["kecamatan_name"], "Bogor Selatan");
    assert_eq!(c["kelurahan_name"], "Rangga Mekar");
    assert_eq!(
        c["postal_code"], "16136",
        "defaults to the kelurahan's postal code"
    );
    assert_eq!(c["management_pattern"], "konvensional");
    assert_eq!(c["membership_area"], "kota");
    assert_eq!(c["savings_and_loan"], false);
    assert_eq!(c["status"], "tidak_aktif");
    assert_eq!(c["status_rule"], "rat_previous_book_year");
    assert_eq!(c["status_overridden"], false);
    assert_eq!(c["board_members"][0]["name"], "Siti Aminah");
    assert_eq!(c["version"], 1);
    assert!(c["created_at"].as_str().unwrap().ends_with('Z'));

    let read = app.get(&format!("/api/v1/cooperatives/{id}")).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body, created.body);
    assert_eq!(read.header("etag"), Some("\"1\""));
}

#[actix_web::test]
async fn a_savings_and_loan_cooperative_runs_savings_and_loan_by_default() {
    let app = TestApp::spawn().await;
    let reply = app
        .post(
            "/api/v1/cooperatives",
            &with(minimal_cooperative(), json!({"type": "simpan_pinjam"})),
        )
        .await;
    assert_eq!(reply.status, 201);
    assert_eq!(reply.body["savings_and_loan"], true);
}

#[actix_web::test]
async fn a_duplicate_registration_number_is_a_409_naming_the_field() {
    let app = TestApp::spawn().await;
    app.create_cooperative(json!({"registration_number": "3271010000123"}))
        .await;
    let reply = app
        .post(
            "/api/v1/cooperatives",
            &with(
                minimal_cooperative(),
                json!({"registration_number": "3271010000123", "name": "Other"}),
            ),
        )
        .await;
    reply.assert_problem(409, "duplicate_registration_number");
    assert_eq!(reply.body["errors"][0]["field"], "registration_number");
    assert_eq!(app.get("/api/v1/cooperatives").await.body["total"], 1);
}

#[actix_web::test]
async fn patch_changes_only_what_it_names_and_null_clears() {
    let app = TestApp::spawn().await;
    let id = app
        .create_cooperative(
            json!({"nib": "1234567890123", "board_members": [{"role": "ketua", "name": "Siti"}]}),
        )
        .await;
    let path = format!("/api/v1/cooperatives/{id}");
    let reply = app
        .request(
            Method::PATCH,
            &path,
            Some(&json!({"name": "Koperasi Mekar Jaya", "nib": null, "kelurahan_code": "32.71.06.1001",
                "board_members": [{"role": "bendahara", "name": "Budi"}, {"role": "pengawas", "name": "Ani"}]})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("etag"), Some("\"2\""));
    let c = &reply.body;
    assert_eq!(c["name"], "Koperasi Mekar Jaya");
    assert_eq!(c["nib"], serde_json::Value::Null);
    assert_eq!(c["type"], "konsumen", "untouched");
    assert_eq!(c["kecamatan_code"], "32.71.06");
    assert_eq!(c["board_members"].as_array().unwrap().len(), 2);
    assert_eq!(c["board_members"][0]["role"], "bendahara");
    assert_eq!(c["version"], 2);
}

#[actix_web::test]
async fn a_stale_if_match_is_a_412_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let id = app.create_cooperative(json!({})).await;
    let path = format!("/api/v1/cooperatives/{id}");
    app.patch(&path, &json!({"name": "First change"})).await;
    let reply = app
        .request(
            Method::PATCH,
            &path,
            Some(&json!({"name": "Lost update"})),
            &[("if-match", "\"1\"")],
        )
        .await;
    reply.assert_problem(412, "precondition_failed");
    let reply = app
        .request(Method::DELETE, &path, None, &[("if-match", "\"1\"")])
        .await;
    reply.assert_problem(412, "precondition_failed");
    let current = app.get(&path).await;
    assert_eq!(current.body["name"], "First change");
    assert_eq!(current.body["version"], 2);
    let ok = app
        .request(
            Method::PATCH,
            &path,
            Some(&json!({"name": "Second"})),
            &[("if-match", "\"2\"")],
        )
        .await;
    assert_eq!(ok.status, 200);
}

#[actix_web::test]
async fn an_archived_cooperative_is_hidden_unless_asked_for() {
    let app = TestApp::spawn().await;
    let id = app.create_cooperative(json!({})).await;
    let path = format!("/api/v1/cooperatives/{id}");
    let reply = app.delete(&path).await;
    assert_eq!(reply.status, 204);
    app.get(&path).await.assert_problem(404, "not_found");
    app.delete(&path).await.assert_problem(404, "not_found");
    app.patch(&path, &json!({"name": "x"}))
        .await
        .assert_problem(404, "not_found");
    let archived = app.get(&format!("{path}?include_archived=true")).await;
    assert_eq!(archived.status, 200);
    assert!(archived.body["archived_at"].is_string());
    assert_eq!(app.get("/api/v1/cooperatives").await.body["total"], 0);
    assert_eq!(
        app.get("/api/v1/cooperatives?include_archived=true")
            .await
            .body["total"],
        1
    );
}

async fn names(app: &TestApp, query: &str) -> Vec<String> {
    let reply = app.get(&format!("/api/v1/cooperatives?{query}")).await;
    assert_eq!(reply.status, 200, "{query}: {}", reply.body);
    reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn the_list_filters_sorts_and_pages() {
    let app = TestApp::spawn().await;
    app.create_cooperative(
        json!({"name": "Alpha 50% Jaya", "registration_number": "3271010000001"}),
    )
    .await;
    app.create_cooperative(
        json!({"name": "Bravo_Tani", "type": "produsen", "kelurahan_code": "32.71.06.1001"}),
    )
    .await;
    app.create_cooperative(
        json!({"name": "Charlie KSP", "type": "simpan_pinjam", "form": "sekunder"}),
    )
    .await;
    app.create_cooperative(json!({"name": "delta usaha", "kelurahan_code": "32.71.02.1001"}))
        .await;

    assert_eq!(
        names(&app, "").await,
        ["Alpha 50% Jaya", "Bravo_Tani", "Charlie KSP", "delta usaha"]
    );
    assert_eq!(
        names(&app, "sort=-name").await,
        ["delta usaha", "Charlie KSP", "Bravo_Tani", "Alpha 50% Jaya"]
    );
    assert_eq!(names(&app, "kecamatan_code=32.71.06").await, ["Bravo_Tani"]);
    assert_eq!(
        names(&app, "kelurahan_code=32.71.02.1001").await,
        ["delta usaha"]
    );
    assert_eq!(names(&app, "type=simpan_pinjam").await, ["Charlie KSP"]);
    assert_eq!(names(&app, "savings_and_loan=true").await, ["Charlie KSP"]);
    assert_eq!(names(&app, "form=sekunder").await, ["Charlie KSP"]);
    assert_eq!(names(&app, "status=aktif").await, Vec::<String>::new());
    assert_eq!(names(&app, "q=DELTA").await, ["delta usaha"]);
    assert_eq!(
        names(&app, "q=0000001").await,
        ["Alpha 50% Jaya"],
        "matches the registration number"
    );
    // `%` and `_` are literal, not wildcards.
    assert_eq!(names(&app, "q=50%25").await, ["Alpha 50% Jaya"]);
    assert_eq!(names(&app, "q=%25").await, ["Alpha 50% Jaya"]);
    assert_eq!(names(&app, "q=_").await, ["Bravo_Tani"]);
    assert_eq!(
        names(&app, "sort=created_at&page=2&page_size=3").await,
        ["delta usaha"]
    );
    let page = app.get("/api/v1/cooperatives?page=2&page_size=3").await;
    assert_eq!(
        (
            page.body["total"].as_i64(),
            page.body["page"].as_i64(),
            page.body["page_size"].as_i64()
        ),
        (Some(4), Some(2), Some(3))
    );
}

#[actix_web::test]
async fn an_unknown_filter_or_sort_key_is_an_error() {
    let app = TestApp::spawn().await;
    for query in [
        "colour=red",
        "sort=colour",
        "sort=-",
        "type=bank",
        "status=sleeping",
        "page_size=0",
        "q=",
        "kelurahan_code=32.71.99.9999",
        "page=1&page=2",
    ] {
        let reply = app.get(&format!("/api/v1/cooperatives?{query}")).await;
        reply.assert_problem(400, "invalid_query");
        assert!(
            !reply.body["errors"][0]["field"]
                .as_str()
                .unwrap()
                .is_empty(),
            "{query}"
        );
    }
}
