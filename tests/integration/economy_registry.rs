//! `GET /api/v1/economy`: the city's PDRB beside what the registries say of each year, and the
//! PDRB import. Every count must equal the total of the matching list or export.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::access::client_token;
use crate::helpers::{TestApp, this_year};

const SOUTH: &str = "32.71.01";
const EAST: &str = "32.71.03";

#[track_caller]
fn applied(reply: &crate::helpers::Reply) {
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.body["outcome"], "applied", "{}", reply.body);
}

async fn rows_of(app: &TestApp, path: &str) -> usize {
    let (status, _, bytes) = app.download_as(&app.token, path).await;
    assert_eq!(status, 200, "{path}");
    String::from_utf8(bytes).unwrap().lines().count() - 1
}

async fn total(app: &TestApp, path: &str) -> i64 {
    let reply = app.get(path).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    reply.body["total"].as_i64().unwrap()
}

/// Two kecamatan: four UKM (three report for 2017, one of them also for 2016) and three
/// cooperatives (two file a report for 2017).
async fn seed_registry(app: &TestApp) {
    for (i, kelurahan) in [
        "32.71.01.1006",
        "32.71.01.1001",
        "32.71.03.1001",
        "32.71.03.1002",
    ]
    .iter()
    .enumerate()
    {
        let ukm = json!({"business_name": format!("Usaha Uji {i}"), "sector": "culinary",
            "kelurahan_code": kelurahan, "nib": format!("999900000001{i}"),
            "owner": {"full_name": format!("Pemilik {i}"), "nik": format!("32710152038800{}", 11 + i)}});
        let created = app.post("/api/v1/ukm", &ukm).await;
        assert_eq!(created.status, 201, "{}", created.body);
    }
    for (i, kelurahan) in ["32.71.01.1006", "32.71.03.1001", "32.71.03.1002"]
        .iter()
        .enumerate()
    {
        app.create_cooperative(json!({"registration_number": format!("327199000010{i}"),
            "name": format!("Koperasi Uji {i}"), "kelurahan_code": kelurahan}))
            .await;
    }
    // 2016 → 2017: UKM 0 grows from mikro to kecil (UU 20/2008 sales: mikro up to 300 million).
    let figures = "nib,tahun,omzet,jumlah_tenaga_kerja\n\
9999000000010,2016,200000000,2\n\
9999000000010,2017,1000000000,4\n\
9999000000011,2017,250000000,3\n\
9999000000012,2017,,5\n";
    applied(
        &app.import("yearly_figures", "omzet.csv", figures.as_bytes(), false)
            .await,
    );
    let reports = "registration_number,book_year,rat_held,rat_date,members_male,members_female,employees,own_capital,assets,business_volume,shu\n\
3271990000100,2017,ya,2018-03-20,40,35,2,300000000,900000000,2000000000,-5000000\n\
3271990000101,2017,tidak,,10,12,,50000000,80000000,500000000,1000000\n";
    applied(
        &app.import("annual_reports", "rat.csv", reports.as_bytes(), false)
            .await,
    );
}

const PDRB: &str = "tahun,pdrb_adhb,pdrb_adhk,sumber_pdrb,status_pdrb,porsi_kumkm_persen,cakupan_porsi,sumber_porsi\n\
2015,32000000000000,24000000000000,BPS Kota Bogor (sintetis untuk uji),final,,,\n\
2016,35000000000000,25500000000000,BPS Kota Bogor (sintetis untuk uji),final,,,\n\
2017,38500000000000,27100000000000,BPS Kota Bogor (sintetis untuk uji),preliminary,25,kumkm,RPJMD Kota Bogor 2015-2019\n";

const UKM_SUMS: &[&str] = &["reporting", "turnover", "workers", "new_registrations"];
const COOPERATIVE_SUMS: &[&str] = &[
    "reporting",
    "rat_held",
    "business_volume",
    "assets",
    "own_capital",
    "shu",
    "members_male",
    "members_female",
    "employees",
];

#[actix_web::test]
async fn the_registries_reconcile_with_lists_and_exports_beside_the_pdrb_and_the_target() {
    let app = TestApp::spawn().await;
    let dry = app
        .import("economy_years", "pdrb.csv", PDRB.as_bytes(), true)
        .await;
    assert_eq!(dry.body["counts"]["to_create"], 3, "{}", dry.body);
    applied(
        &app.import("economy_years", "pdrb.csv", PDRB.as_bytes(), false)
            .await,
    );
    // The same file again changes nothing.
    let again = app
        .import("economy_years", "pdrb.csv", PDRB.as_bytes(), false)
        .await;
    assert_eq!(again.body["counts"]["unchanged"], 3, "{}", again.body);
    // A revised figure corrects its year; the columns the file lacks keep their values.
    let revised = "tahun,pdrb_adhb\n2016,35100000000000\n";
    let corrected = app
        .import("economy_years", "revisi.csv", revised.as_bytes(), false)
        .await;
    applied(&corrected);
    assert_eq!(
        corrected.body["counts"]["to_update"], 1,
        "{}",
        corrected.body
    );
    let y2016 = app.get("/api/v1/economy/years/2016").await;
    assert_eq!(
        (
            &y2016.body["pdrb_current_prices"],
            &y2016.body["pdrb_constant_prices"],
            &y2016.body["version"]
        ),
        (
            &json!(35_100_000_000_000_i64),
            &json!(25_500_000_000_000_i64),
            &json!(2)
        )
    );
    let target = app
        .request(
            Method::PUT,
            "/api/v1/economy/target",
            Some(&json!({"percent": "35", "year": 2024})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(target.status, 200, "{}", target.body);
    seed_registry(&app).await;

    let view = app
        .get("/api/v1/economy?from_year=2015&to_year=2017&group_by=kecamatan")
        .await;
    assert_eq!(view.status, 200, "{}", view.body);
    let years = view.body["years"].as_array().unwrap();
    assert_eq!(years.len(), 3);
    let y2017 = &years[2];
    assert_eq!(y2017["year"], 2017);
    assert_eq!(y2017["pdrb"]["current_prices"], 38_500_000_000_000_i64);
    assert_eq!(y2017["pdrb"]["status"], "preliminary");
    assert_eq!(y2017["published_share"]["percent"], "25");
    assert_eq!(y2017["target"]["percent"], "35");
    assert_eq!(y2017["target"]["year"], 2024);
    // 1.25 billion UKM turnover + 2.5 billion business volume, of 38.5 trillion.
    assert_eq!(y2017["registry_output"], 3_750_000_000_i64);
    assert_eq!(y2017["proxy_share_percent"], "0.01");
    let ukm = &y2017["ukm"];
    assert_eq!(
        (
            &ukm["registered"],
            &ukm["reporting"],
            &ukm["coverage_percent"]
        ),
        (&json!(4), &json!(3), &json!("75"))
    );
    assert_eq!(
        (&ukm["turnover"], &ukm["workers"]),
        (&json!(1_250_000_000), &json!(12))
    );
    assert_eq!(
        ukm["size_mix"],
        json!({"mikro": 1, "kecil": 1, "menengah": 0, "besar": 0, "unclassified": 1})
    );
    assert_eq!(ukm["movement"], json!({"up": 1, "down": 0, "same": 0}));
    let cooperatives = &y2017["cooperatives"];
    assert_eq!(
        (
            &cooperatives["registered"],
            &cooperatives["reporting"],
            &cooperatives["coverage_percent"]
        ),
        (&json!(3), &json!(2), &json!("66.67"))
    );
    assert_eq!(
        (&cooperatives["rat_held"], &cooperatives["shu"]),
        (&json!(1), &json!(-4_000_000))
    );
    assert_eq!(
        (
            &cooperatives["members_male"],
            &cooperatives["members_female"]
        ),
        (&json!(50), &json!(47))
    );
    // 2015: PDRB but nothing reported; the proxy is zero, not missing.
    assert_eq!(years[0]["ukm"]["reporting"], 0);
    assert_eq!(years[0]["proxy_share_percent"], "0");
    assert_eq!(years[0]["published_share"], Value::Null);

    // Each kecamatan's counts equal the lists' totals and the exports' rows; parts sum to the
    // whole.
    let parts = y2017["kecamatan"].as_array().unwrap();
    assert_eq!(parts.len(), 6, "every kecamatan of the city");
    for part in parts {
        let code = part["kecamatan_code"].as_str().unwrap();
        let filter = format!("kecamatan_code={code}");
        assert_eq!(
            part["ukm"]["registered"],
            total(&app, &format!("/api/v1/ukm?{filter}")).await
        );
        assert_eq!(
            part["cooperatives"]["registered"],
            total(&app, &format!("/api/v1/cooperatives?{filter}")).await
        );
        let figures = format!("/api/v1/exports/yearly-figures.csv?year=2017&{filter}");
        assert_eq!(part["ukm"]["reporting"], rows_of(&app, &figures).await);
        let reports = format!("/api/v1/exports/annual-reports.csv?book_year=2017&{filter}");
        assert_eq!(
            part["cooperatives"]["reporting"],
            rows_of(&app, &reports).await
        );
    }
    let south = parts.iter().find(|p| p["kecamatan_code"] == SOUTH).unwrap();
    let east = parts.iter().find(|p| p["kecamatan_code"] == EAST).unwrap();
    assert_eq!(
        (&south["ukm"]["reporting"], &east["ukm"]["reporting"]),
        (&json!(2), &json!(1))
    );
    for (group, fields) in [("ukm", UKM_SUMS), ("cooperatives", COOPERATIVE_SUMS)] {
        for field in fields {
            let summed: i64 = parts
                .iter()
                .map(|p| p[group][field].as_i64().unwrap())
                .sum();
            assert_eq!(json!(summed), y2017[group][field], "{group}.{field}");
        }
    }
    for (class, n) in y2017["ukm"]["size_mix"].as_object().unwrap() {
        let summed: i64 = parts
            .iter()
            .map(|p| p["ukm"]["size_mix"][class].as_i64().unwrap())
            .sum();
        assert_eq!(json!(summed), *n, "size_mix.{class}");
    }

    // New registrations: this year's, as the UKM list counts them.
    let now = this_year();
    let current = app
        .get(&format!("/api/v1/economy?from_year={now}&to_year={now}"))
        .await;
    assert_eq!(current.status, 200, "{}", current.body);
    let registered = total(&app, &format!("/api/v1/ukm?registered_year={now}")).await;
    assert_eq!(registered, 4);
    assert_eq!(
        current.body["years"][0]["ukm"]["new_registrations"],
        registered
    );
    assert_eq!(current.body["years"][0]["kecamatan"], Value::Null);
    assert_eq!(total(&app, "/api/v1/ukm?registered_year=2017").await, 0);
}

#[actix_web::test]
async fn the_table_downloads_read_as_the_view_and_hold_nothing_personal() {
    let app = TestApp::spawn().await;
    applied(
        &app.import("economy_years", "pdrb.csv", PDRB.as_bytes(), false)
            .await,
    );
    seed_registry(&app).await;
    let viewer = app.user_token("pemantau", "viewer").await;
    let (status, content_type, bytes) = app
        .download_as(&viewer, "/api/v1/economy.csv?from_year=2015&to_year=2017")
        .await;
    assert_eq!(status, 200);
    assert!(content_type.unwrap().starts_with("text/csv"));
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[0].starts_with("year,kecamatan_code,kecamatan_name,pdrb_current_prices"));
    assert!(lines[0].contains("proxy_share_percent_output_not_value_added"));
    let header: Vec<&str> = lines[0].split(',').collect();
    let last: Vec<&str> = lines[3].split(',').collect();
    let cell = |name: &str| last[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!(
        [
            cell("year"),
            cell("published_share_percent"),
            cell("target_percent")
        ],
        ["2017", "25", "35"]
    );
    assert_eq!(
        [cell("ukm_reporting"), cell("ukm_coverage_percent")],
        ["3", "75"]
    );
    assert_eq!(cell("cooperatives_business_volume"), "2500000000");
    assert!(!text.contains("3271015203880011") && !text.contains("Pemilik"));
    let (_, _, by_kecamatan) = app
        .download_as(
            &viewer,
            "/api/v1/economy.csv?from_year=2017&to_year=2017&group_by=kecamatan",
        )
        .await;
    assert_eq!(
        String::from_utf8(by_kecamatan).unwrap().lines().count(),
        1 + 6
    );
    let indicators = client_token(&app, &["indicators:read"]).await;
    let (status, content_type, _) = app
        .download_as(
            &indicators,
            "/api/v1/economy.xlsx?from_year=2017&to_year=2017",
        )
        .await;
    assert_eq!(status, 200);
    assert!(content_type.unwrap().contains("spreadsheetml"));
}

#[actix_web::test]
async fn bad_spans_and_foreign_pdrb_imports_are_refused() {
    let app = TestApp::spawn().await;
    app.get("/api/v1/economy?from_year=2018&to_year=2017")
        .await
        .assert_problem(400, "invalid_query");
    app.get(&format!("/api/v1/economy?to_year={}", this_year() + 1))
        .await
        .assert_problem(400, "invalid_query");
    app.get("/api/v1/economy?group_by=kelurahan")
        .await
        .assert_problem(400, "invalid_query");
    app.get("/api/v1/ukm?registered_year=1999")
        .await
        .assert_problem(400, "invalid_query");
    // A client that may write the registries may not write the city's accounts.
    let registry = client_token(&app, &["registry:write"]).await;
    app.import_as(
        &registry,
        "economy_years",
        "pdrb.csv",
        PDRB.as_bytes(),
        true,
    )
    .await
    .assert_problem(403, "forbidden");
    let viewer = app.user_token("pemantau", "viewer").await;
    let read = app
        .request_as(Some(&viewer), Method::GET, "/api/v1/economy", None, &[])
        .await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.body["years"].as_array().unwrap().len(), 7);
    // A broken row names its column; nothing is applied.
    let broken = "tahun,pdrb_adhb,pdrb_adhk,sumber_pdrb,status_pdrb,porsi_kumkm_persen,cakupan_porsi,sumber_porsi\n\
2016,0,1,BPS,final,,,\n\
2017,5,4,BPS,final,25,,RPJMD\n";
    let refused = app
        .import("economy_years", "pdrb.csv", broken.as_bytes(), false)
        .await;
    refused.assert_problem(422, "validation_failed");
    let fields: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["rows[2].pdrb_adhb", "rows[3].cakupan_porsi"]);
    assert_eq!(total(&app, "/api/v1/economy/years").await, 0);
}

#[actix_web::test]
async fn a_new_regulation_is_not_a_move_between_classes() {
    let app = TestApp::spawn().await;
    let ukm = json!({"business_name": "Roti Uji", "sector": "culinary", "kelurahan_code": "32.71.01.1006",
        "nib": "9999000000099", "owner": {"full_name": "Pemilik", "nik": "3271015203880031"}});
    assert_eq!(app.post("/api/v1/ukm", &ukm).await.status, 201);
    // 400 million a year: kecil under UU 20/2008 (2020), mikro under PP 7/2021 (2021).
    let figures = "nib,year,turnover\n9999000000099,2020,400000000\n9999000000099,2021,400000000\n";
    applied(
        &app.import("yearly_figures", "f.csv", figures.as_bytes(), false)
            .await,
    );
    let view = app.get("/api/v1/economy?from_year=2020&to_year=2021").await;
    assert_eq!(view.status, 200, "{}", view.body);
    assert_eq!(view.body["years"][0]["ukm"]["size_mix"]["kecil"], 1);
    assert_eq!(view.body["years"][1]["ukm"]["size_mix"]["mikro"], 1);
    assert_eq!(
        view.body["years"][1]["ukm"]["movement"],
        json!({"up": 0, "down": 0, "same": 1})
    );
}
