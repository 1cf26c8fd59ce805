//! The city's economy as reference data: PDRB per year with the published share, and the target
//! beside every figure; who may enter and read them.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::access::client_token;
use crate::helpers::TestApp;

fn year(year: i32, current: i64) -> Value {
    json!({"year": year, "pdrb_current_prices": current, "pdrb_constant_prices": current * 7 / 10,
        "pdrb_source": format!("BPS Kota Bogor, PDRB {year} (sintetis untuk uji)"), "pdrb_status": "final"})
}

#[actix_web::test]
async fn three_years_of_pdrb_the_published_share_and_the_target_stand_side_by_side() {
    let app = TestApp::spawn().await;
    let path = "/api/v1/economy/years";
    let mut first = year(2017, 38_512_000_000_000);
    first["published_share"] =
        json!({"percent": "25", "scope": "kumkm", "source": "RPJMD Kota Bogor 2015-2019"});
    let created = app.post(path, &first).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created.header("location"),
        Some("/api/v1/economy/years/2017")
    );
    for (y, current) in [(2018, 41_820_000_000_000), (2019, 45_300_000_000_000)] {
        assert_eq!(app.post(path, &year(y, current)).await.status, 201);
    }
    app.post(path, &year(2018, 10))
        .await
        .assert_problem(409, "duplicate_year");

    // The admin sets the target; every year shows it.
    let target = app
        .request(
            Method::PUT,
            "/api/v1/economy/target",
            Some(&json!({"percent": "35", "year": 2024})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(target.status, 200, "{}", target.body);
    assert_eq!(target.body["percent"], "35");
    let list = app
        .get(&format!("{path}?from_year=2017&to_year=2019"))
        .await;
    assert_eq!(list.body["total"], 3, "{}", list.body);
    let years = list.body["items"].as_array().unwrap();
    assert_eq!(years[0]["published_share"]["percent"], "25");
    assert_eq!(years[0]["published_share"]["scope"], "kumkm");
    assert!(
        years
            .iter()
            .all(|y| y["target"]["percent"] == "35" && y["target"]["year"] == 2024)
    );
    assert_eq!(years[1]["published_share"], Value::Null);

    // A preliminary figure revised; a share removed; each change audited.
    let revised = app
        .request(
            Method::PATCH,
            &format!("{path}/2019"),
            Some(&json!({"pdrb_current_prices": 45_900_000_000_000_i64, "pdrb_status": "preliminary"})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(revised.status, 200, "{}", revised.body);
    assert_eq!(revised.header("etag"), Some("\"2\""));
    let removed = app
        .patch(&format!("{path}/2017"), &json!({"published_share": null}))
        .await;
    assert_eq!(
        removed.body["published_share"],
        Value::Null,
        "{}",
        removed.body
    );
    let audit = app
        .get("/api/v1/audit-events?entity_type=economy_year&action=update")
        .await;
    assert_eq!(audit.body["total"], 2, "{}", audit.body);
    assert_eq!(app.delete(&format!("{path}/2018")).await.status, 204);
    app.get(&format!("{path}/2018"))
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn a_figure_breaking_a_rule_is_refused_and_only_the_office_enters_them() {
    let app = TestApp::spawn().await;
    let path = "/api/v1/economy/years";
    let mut bad = year(1999, 0);
    bad["published_share"] = json!({"percent": "100.5", "scope": "umkm", "source": "x"});
    let refused = app.post(path, &bad).await;
    refused.assert_problem(422, "validation_failed");
    let fields: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "year",
            "pdrb_current_prices",
            "pdrb_constant_prices",
            "published_share.percent"
        ]
    );
    let target = app
        .request(
            Method::PUT,
            "/api/v1/economy/target",
            Some(&json!({"percent": "0", "year": 2024})),
            &[],
        )
        .await;
    target.assert_problem(422, "validation_failed");

    assert_eq!(app.post(path, &year(2017, 10)).await.status, 201);
    let viewer = app.user_token("pemantau", "viewer").await;
    let indicators = client_token(&app, &["indicators:read"]).await;
    for token in [&viewer, &indicators] {
        let read = app
            .request_as(
                Some(token),
                Method::GET,
                "/api/v1/economy/years/2017",
                None,
                &[],
            )
            .await;
        assert_eq!(read.status, 200, "{}", read.body);
        app.request_as(Some(token), Method::POST, path, Some(&year(2018, 10)), &[])
            .await
            .assert_problem(403, "forbidden");
    }
    let officer = app.user_token("petugas", "officer").await;
    app.request_as(
        Some(&officer),
        Method::PUT,
        "/api/v1/economy/target",
        Some(&json!({"percent": "40", "year": 2030})),
        &[],
    )
    .await
    .assert_problem(403, "forbidden");
}
