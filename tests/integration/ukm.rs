//! The UKM registry and the protection of its owners' personal data.

use actix_web::http::Method;
use diesel::{Connection, RunQueryDsl};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestDatabase, raw_execute, with};

const NIK: &str = "3271014501900001";

pub fn ukm(name: &str, changes: Value) -> Value {
    with(
        json!({"business_name": name, "sector": "culinary", "kelurahan_code": "32.71.01.1006",
            "owner": {"full_name": "Siti Aminah", "nik": NIK, "sex": "perempuan", "birth_date": "1990-01-05", "phone": "+6281234567890", "home_address": "Jl. Pahlawan 3"}}),
        changes,
    )
}

pub async fn create(app: &TestApp, body: &Value) -> Value {
    let reply = app.post("/api/v1/ukm", body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body
}

#[actix_web::test]
async fn a_ukm_is_registered_with_its_owner_masked_and_its_size_computed() {
    let app = TestApp::spawn().await;
    let u = create(
        &app,
        &ukm(
            "Asinan Bu Siti",
            json!({"business_capital": 1_000_000_000_i64}),
        ),
    )
    .await;
    assert_eq!(u["owner"]["nik"], "3271********0001");
    assert_eq!(u["owner"]["phone"], "***********890");
    assert_eq!(
        u["owner"]["birth_date"], "1990-01-05",
        "admins handle personal data"
    );
    assert_eq!(
        (
            u["size_class"].as_str(),
            u["size_basis"].as_str(),
            u["size_regulation"].as_str()
        ),
        (Some("mikro"), Some("capital"), Some("PP 7/2021"))
    );
    assert_eq!(u["kecamatan_name"], "Bogor Selatan");
    assert_eq!(u["status"], "aktif");
    let one_more = create(
        &app,
        &ukm(
            "Toko Sebelah",
            json!({"business_capital": 1_000_000_001_i64, "nib": "1234567890123"}),
        ),
    )
    .await;
    assert_eq!(one_more["size_class"], "kecil");
    assert_eq!(
        one_more["owner"]["id"], u["owner"]["id"],
        "the same NIK is the same person, not a copy"
    );
    let old = create(&app, &ukm("Warung Lama", json!({"annual_sales": 300_000_001_i64, "figures_date": "2017-06-05", "owner": {"full_name": "Budi"}}))).await;
    assert_eq!(
        (
            old["size_class"].as_str(),
            old["size_basis"].as_str(),
            old["size_regulation"].as_str()
        ),
        (Some("kecil"), Some("annual_sales"), Some("UU 20/2008"))
    );
    assert_eq!(old["owner"]["nik"], Value::Null);
}

#[actix_web::test]
async fn the_nik_is_validated_by_structure_and_never_echoed() {
    let app = TestApp::spawn().await;
    for (nik, code) in [
        ("327101450190000", "nik_format"),
        ("9971014501900001", "nik_province"),
        ("3271013501900001", "nik_birth_day"),
        ("3271014513900001", "nik_birth_month"),
        ("3271014501900000", "nik_sequence"),
    ] {
        let reply = app
            .post(
                "/api/v1/ukm",
                &ukm("X", json!({"owner": {"full_name": "S", "nik": nik}})),
            )
            .await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.error_codes(), [code], "{nik}");
        assert_eq!(reply.body["errors"][0]["field"], "owner.nik");
        assert!(
            !reply.body.to_string().contains(&nik[4..12]),
            "never echoed"
        );
    }
}

#[actix_web::test]
async fn only_admins_and_officers_reveal_or_search_a_nik_and_each_reveal_is_audited() {
    let app = TestApp::spawn().await;
    let u = create(&app, &ukm("Asinan Bu Siti", json!({}))).await;
    let path = format!("/api/v1/ukm/{}", u["id"]);
    let revealed = app.get(&format!("{path}?reveal=nik")).await;
    assert_eq!(revealed.body["owner"]["nik"], NIK);
    assert_eq!(revealed.body["owner"]["phone"], "+6281234567890");
    assert_eq!(revealed.header("cache-control"), Some("no-store"));
    let trail = app.get("/api/v1/audit-events?action=reveal_nik").await;
    assert_eq!(trail.body["total"], 1);
    assert_eq!(trail.body["items"][0]["actor_name"], "admin");

    let viewer = app.user_token("budi", "viewer").await;
    let seen = app
        .request_as(Some(&viewer), Method::GET, &path, None, &[])
        .await;
    assert_eq!(seen.body["owner"]["nik"], "3271********0001");
    assert_eq!(seen.body["owner"]["birth_date"], Value::Null);
    assert_eq!(seen.body["owner"]["home_address"], Value::Null);
    app.request_as(
        Some(&viewer),
        Method::GET,
        &format!("{path}?reveal=nik"),
        None,
        &[],
    )
    .await
    .assert_problem(403, "forbidden");
    app.request_as(
        Some(&viewer),
        Method::GET,
        &format!("/api/v1/ukm?nik={NIK}"),
        None,
        &[],
    )
    .await
    .assert_problem(403, "forbidden");

    let officer = app.user_token("siti", "officer").await;
    let found = app
        .request_as(
            Some(&officer),
            Method::GET,
            &format!("/api/v1/ukm?nik={NIK}"),
            None,
            &[],
        )
        .await;
    assert_eq!(found.body["total"], 1);
    let none = app
        .request_as(
            Some(&officer),
            Method::GET,
            "/api/v1/ukm?nik=3271014501900002",
            None,
            &[],
        )
        .await;
    assert_eq!(none.body["total"], 0);
}

/// Every stored column of `persons`, as one text per row.
fn persons_dump(app: &TestApp) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        dump: String,
    }
    let sql = "SELECT full_name || '|' || COALESCE(nik_encrypted, '') || '|' || COALESCE(nik_hash, '') \
        || '|' || COALESCE(CAST(legacy_birth_date AS TEXT), '') || '|' || COALESCE(legacy_phone, '') \
        || '|' || COALESCE(legacy_home_address, '') || '|' || COALESCE(birth_date_encrypted, '') \
        || '|' || COALESCE(phone_encrypted, '') || '|' || COALESCE(home_address_encrypted, '') AS dump \
        FROM persons ORDER BY id";
    let url = app.db.url().to_owned();
    let rows: Vec<Row> = match &*app.db {
        TestDatabase::Postgres { .. } => diesel::sql_query(sql)
            .load(&mut diesel::PgConnection::establish(&url).unwrap())
            .unwrap(),
        TestDatabase::Sqlite { .. } => diesel::sql_query(sql)
            .load(&mut diesel::SqliteConnection::establish(&url).unwrap())
            .unwrap(),
    };
    rows.into_iter().map(|r| r.dump).collect()
}

const PERSONAL: [&str; 4] = [NIK, "94567890", "1990-01-05", "Pahlawan"];

#[actix_web::test]
async fn a_database_dump_alone_reveals_no_nik_phone_birth_date_or_address() {
    let app = TestApp::spawn().await;
    let created = create(&app, &ukm("Asinan Bu Siti", json!({}))).await;
    let dump = persons_dump(&app);
    assert_eq!(dump.len(), 1);
    for value in PERSONAL.iter().chain([&&NIK[4..12]]) {
        assert!(!dump[0].contains(value), "{value} in {}", dump[0]);
    }
    assert_eq!(dump[0].matches("v2:").count(), 4, "{}", dump[0]);
    let read = app
        .get(&format!("/api/v1/ukm/{}?reveal=nik", created["id"]))
        .await;
    assert_eq!(
        (
            &read.body["owner"]["phone"],
            &read.body["owner"]["birth_date"],
            &read.body["owner"]["home_address"]
        ),
        (
            &json!("+6281234567890"),
            &json!("1990-01-05"),
            &json!("Jl. Pahlawan 3")
        ),
        "{}",
        read.body
    );
}

#[actix_web::test]
async fn personal_data_stored_in_clear_before_the_upgrade_is_sealed_at_start() {
    let app = TestApp::spawn().await;
    let created = create(&app, &ukm("Asinan Bu Siti", json!({}))).await;
    // The row as an older version left it: phone, birth date and address in the clear columns.
    raw_execute(
        &app,
        "UPDATE persons SET legacy_phone = '+6281234567890', legacy_birth_date = '1990-01-05', \
         legacy_home_address = 'Jl. Pahlawan 3', phone_encrypted = NULL, \
         birth_date_encrypted = NULL, home_address_encrypted = NULL",
    );
    assert!(persons_dump(&app)[0].contains("+6281234567890"));
    let settings = crate::helpers::settings_for(app.db.url(), &[]);
    drop(klinik_api::prepare_state(&settings).expect("the app starts and seals"));
    let dump = persons_dump(&app);
    for value in PERSONAL {
        assert!(!dump[0].contains(value), "{value} in {}", dump[0]);
    }
    let read = app
        .get(&format!("/api/v1/ukm/{}?reveal=nik", created["id"]))
        .await;
    assert_eq!(
        read.body["owner"]["phone"], "+6281234567890",
        "{}",
        read.body
    );
    assert_eq!(read.body["owner"]["birth_date"], "1990-01-05");
    assert_eq!(read.body["owner"]["home_address"], "Jl. Pahlawan 3");
}

#[actix_web::test]
async fn the_list_filters_and_the_natural_keys_hold() {
    let app = TestApp::spawn().await;
    create(
        &app,
        &ukm(
            "Asinan Bu Siti",
            json!({"nib": "1234567890123", "annual_sales": 100_000_000}),
        ),
    )
    .await;
    create(&app, &ukm("Batik Tulis", json!({"sector": "fashion", "kelurahan_code": "32.71.06.1001", "owner": {"full_name": "Budi"}}))).await;
    app.post("/api/v1/ukm", &ukm("Copy", json!({"nib": "1234567890123"})))
        .await
        .assert_problem(409, "duplicate_nib");
    let names = |reply: &crate::helpers::Reply| -> Vec<String> {
        reply.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["business_name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(&app.get("/api/v1/ukm?sector=fashion").await),
        ["Batik Tulis"]
    );
    assert_eq!(
        names(
            &app.get("/api/v1/ukm?kecamatan_code=32.71.01&sector=culinary")
                .await
        ),
        ["Asinan Bu Siti"]
    );
    assert_eq!(
        names(&app.get("/api/v1/ukm?has_nib=false").await),
        ["Batik Tulis"]
    );
    assert_eq!(
        names(&app.get("/api/v1/ukm?q=1234567890123").await),
        ["Asinan Bu Siti"]
    );
    assert_eq!(
        names(&app.get("/api/v1/ukm?q=BATIK").await),
        ["Batik Tulis"]
    );
    assert_eq!(
        names(&app.get("/api/v1/ukm?size_class=mikro").await),
        ["Asinan Bu Siti"]
    );
    assert_eq!(
        names(&app.get("/api/v1/ukm?sort=-business_name").await),
        ["Batik Tulis", "Asinan Bu Siti"]
    );
    app.get("/api/v1/ukm?colour=red")
        .await
        .assert_problem(400, "invalid_query");
}

#[actix_web::test]
async fn patch_recomputes_the_size_and_delete_archives() {
    let app = TestApp::spawn().await;
    let u = create(
        &app,
        &ukm("Asinan Bu Siti", json!({"annual_sales": 2_000_000_000_i64})),
    )
    .await;
    let path = format!("/api/v1/ukm/{}", u["id"]);
    assert_eq!(u["size_class"], "mikro");
    let grown = app
        .request(
            Method::PATCH,
            &path,
            Some(&json!({"annual_sales": 2_000_000_001_i64})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(grown.status, 200, "{}", grown.body);
    assert_eq!(grown.body["size_class"], "kecil");
    let stale = app
        .request(
            Method::PATCH,
            &path,
            Some(&json!({"status": "tidak_aktif"})),
            &[("if-match", "\"1\"")],
        )
        .await;
    stale.assert_problem(412, "precondition_failed");
    let bad = app
        .patch(&path, &json!({"kelurahan_code": "32.71.99.9999"}))
        .await;
    assert_eq!(bad.error_codes(), ["unknown_kelurahan"]);
    assert_eq!(app.delete(&path).await.status, 204);
    app.get(&path).await.assert_problem(404, "not_found");
    assert_eq!(
        app.get(&format!("{path}?include_archived=true"))
            .await
            .status,
        200
    );
}

#[actix_web::test]
async fn yearly_figures_are_one_per_year() {
    let app = TestApp::spawn().await;
    let u = create(&app, &ukm("Asinan Bu Siti", json!({}))).await;
    let path = format!("/api/v1/ukm/{}/yearly-figures", u["id"]);
    assert_eq!(
        app.post(
            &path,
            &json!({"year": 2024, "turnover": 100_000_000, "workers": 3})
        )
        .await
        .status,
        201
    );
    assert_eq!(
        app.post(&path, &json!({"year": 2025, "turnover": 150_000_000}))
            .await
            .status,
        201
    );
    app.post(&path, &json!({"year": 2025}))
        .await
        .assert_problem(409, "duplicate_year");
    let future = app
        .post(&path, &json!({"year": crate::helpers::this_year() + 1}))
        .await;
    future.assert_problem(422, "validation_failed");
    let list = app.get(&path).await;
    let years: Vec<i64> = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, [2025, 2024]);
    app.get("/api/v1/ukm/999/yearly-figures")
        .await
        .assert_problem(404, "not_found");
}

/// `total` and `total_exact` of a UKM list.
async fn counted(app: &TestApp, query: &str) -> (i64, bool, usize) {
    let reply = app.get(&format!("/api/v1/ukm?{query}")).await;
    assert_eq!(reply.status, 200, "{query}: {}", reply.body);
    (
        reply.body["total"].as_i64().unwrap(),
        reply.body["total_exact"].as_bool().unwrap(),
        reply.body["items"].as_array().unwrap().len(),
    )
}

#[actix_web::test]
async fn the_list_counts_exactly_up_to_1000_matches_and_says_when_it_stops() {
    let app = TestApp::spawn().await;
    // 1,000 culinary UKM in kecamatan 32.71.01 and one more in 32.71.02: 1,001 in the city.
    let mut file = String::from("nama_usaha,nama_pemilik,nik_pemilik,sektor,kode_kelurahan\n");
    for i in 1..=1000 {
        file.push_str(&format!(
            "Warung {i:04},Pemilik {i},327101010190{i:04},culinary,32.71.01.1001\n"
        ));
    }
    file.push_str("Warung Lain,Pemilik Lain,3271020101900001,culinary,32.71.02.1001\n");
    let reply = app.import("ukm", "ukm.csv", file.as_bytes(), false).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.body["counts"]["to_create"], 1001);

    // Exactly the cap: still exact. One beyond: the count stops and says so.
    let kecamatan = "kecamatan_code=32.71.01&sector=culinary";
    assert_eq!(
        counted(&app, &format!("{kecamatan}&page_size=1")).await,
        (1000, true, 1)
    );
    assert_eq!(
        counted(&app, "sector=culinary&page_size=1").await,
        (1000, false, 1)
    );
    // A name search counts the same way, from its keys alone.
    assert_eq!(
        counted(&app, "q=warung&page_size=1").await,
        (1000, false, 1)
    );
    // The last page of the kecamatan, and the page after it.
    assert_eq!(
        counted(&app, &format!("{kecamatan}&page=50&page_size=20")).await,
        (1000, true, 20)
    );
    assert_eq!(
        counted(&app, &format!("{kecamatan}&page=51&page_size=20")).await,
        (1000, true, 0)
    );
    assert_eq!(
        counted(&app, "kecamatan_code=32.71.02&page_size=1").await,
        (1, true, 1)
    );
    let first = app
        .get(&format!("/api/v1/ukm?{kecamatan}&page_size=2"))
        .await;
    assert_eq!(first.body["items"][0]["business_name"], "Warung 0001");
    assert_eq!(first.body["items"][1]["business_name"], "Warung 0002");
    assert_eq!(first.body["items"][0]["owner"]["full_name"], "Pemilik 1");

    // Archiving one takes it out of the kecamatan's count and puts the city's back under the cap.
    let id = first.body["items"][0]["id"].as_i64().unwrap();
    let version = first.body["items"][0]["version"].as_i64().unwrap();
    let archived = app
        .request(
            Method::DELETE,
            &format!("/api/v1/ukm/{id}"),
            None,
            &[("If-Match", &format!("\"{version}\""))],
        )
        .await;
    assert_eq!(archived.status, 204, "{}", archived.body);
    assert_eq!(
        counted(&app, &format!("{kecamatan}&page_size=1")).await,
        (999, true, 1)
    );
    assert_eq!(
        counted(&app, "sector=culinary&page_size=1").await,
        (1000, true, 1)
    );
    assert_eq!(counted(&app, "q=warung&page_size=1").await, (1000, true, 1));
    assert_eq!(
        counted(
            &app,
            &format!("{kecamatan}&include_archived=true&page_size=1")
        )
        .await,
        (1000, true, 1)
    );
}
