use crate::helpers::TestApp;

#[actix_web::test]
async fn the_six_kecamatan_list_all_68_kelurahan() {
    let app = TestApp::spawn().await;
    let reply = app.get("/api/v1/regions/kecamatan").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["total"], 6);
    let items = reply.body["items"].as_array().unwrap();
    assert_eq!(items[0]["code"], "32.71.01");
    assert_eq!(items[0]["name"], "Bogor Selatan");
    let kelurahan: usize = items
        .iter()
        .map(|k| k["kelurahan"].as_array().unwrap().len())
        .sum();
    assert_eq!(kelurahan, 68);
    assert_eq!(items[5]["name"], "Tanah Sareal");
}

#[actix_web::test]
async fn kelurahan_are_paged_and_filtered_by_kecamatan() {
    let app = TestApp::spawn().await;
    let all = app.get("/api/v1/regions/kelurahan?page_size=100").await;
    assert_eq!(all.body["total"], 68);
    assert_eq!(all.body["items"].as_array().unwrap().len(), 68);
    let first_page = app.get("/api/v1/regions/kelurahan").await;
    assert_eq!(first_page.body["items"].as_array().unwrap().len(), 20);
    assert_eq!(first_page.body["page_size"], 20);
    let timur = app
        .get("/api/v1/regions/kelurahan?kecamatan_code=32.71.02&page_size=100")
        .await;
    let items = timur.body["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(
        items
            .iter()
            .all(|k| k["kecamatan_code"] == "32.71.02" && k["kecamatan_name"] == "Bogor Timur")
    );
    assert_eq!(timur.body["total"], items.len());
}

#[actix_web::test]
async fn kelurahan_names_match_ignoring_case_spaces_and_former_spellings() {
    let app = TestApp::spawn().await;
    for q in ["Rangga%20Mekar", "ranggamekar", "RANGGA%20mekar", "gamek"] {
        let reply = app.get(&format!("/api/v1/regions/kelurahan?q={q}")).await;
        assert_eq!(reply.status, 200);
        let names: Vec<&str> = reply.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Rangga Mekar"], "q={q}");
        assert_eq!(reply.body["items"][0]["former_spelling"], "Ranggamekar");
        assert_eq!(reply.body["items"][0]["postal_code"], "16136");
    }
    let none = app.get("/api/v1/regions/kelurahan?q=atlantis").await;
    assert_eq!(none.body["total"], 0);
}

#[actix_web::test]
async fn region_queries_reject_unknown_parameters_and_bad_values() {
    let app = TestApp::spawn().await;
    let reply = app
        .get("/api/v1/regions/kelurahan?kecamatan=32.71.02")
        .await;
    reply.assert_problem(400, "invalid_query");
    assert_eq!(reply.body["errors"][0]["field"], "kecamatan");
    assert_eq!(reply.body["errors"][0]["code"], "unknown_field");
    app.get("/api/v1/regions/kelurahan?kecamatan_code=32.71.09")
        .await
        .assert_problem(400, "invalid_query");
    app.get("/api/v1/regions/kecamatan?page=0")
        .await
        .assert_problem(400, "invalid_query");
    app.get("/api/v1/regions/kecamatan?page_size=101")
        .await
        .assert_problem(400, "invalid_query");
    app.get("/api/v1/regions/kelurahan?q=")
        .await
        .assert_problem(400, "invalid_query");
}
