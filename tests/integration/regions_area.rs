//! A deployment's area (`KLINIK_REGIONS`): a province serves all its kabupaten/kota, the default
//! serves Kota Bogor alone, and a new Kepmendagri list retires, renames and adds regions without
//! breaking a stored record.

use serde_json::{Value, json};

use crate::helpers::{TestApp, settings_for};
use crate::ukm::ukm;

/// A desa of Kabupaten Bogor (32.01.02 Gunung Putri) and one of Cilacap, Central Java.
const DESA_KAB_BOGOR: &str = "32.01.02.2001";
const DESA_CILACAP: &str = "33.01.01.2001";

fn codes(reply: &Value) -> Vec<String> {
    reply["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn a_province_deployment_serves_every_kabupaten_kota_and_groups_by_them() {
    let app = TestApp::spawn_with(&[("KLINIK_REGIONS", "32")]).await;
    let provinces = app.get("/api/v1/regions?level=province").await;
    assert_eq!(provinces.status, 200, "{}", provinces.body);
    assert_eq!(codes(&provinces.body), ["32"]);
    assert_eq!(provinces.body["items"][0]["name"], "Jawa Barat");
    let kabupaten = app
        .get("/api/v1/regions?level=kabupaten_kota&page_size=100")
        .await;
    assert_eq!(kabupaten.body["total"], 27);
    let first = &kabupaten.body["items"][0];
    assert_eq!(first["code"], "32.01");
    assert_eq!(first["name"], "Kabupaten Bogor");
    assert_eq!(first["parent_code"], "32");
    assert_eq!(first["parent_name"], "Jawa Barat");
    assert!(codes(&kabupaten.body).contains(&"32.71".to_owned()));

    // Desa as well as kelurahan, searched across the province.
    let desa = app
        .get("/api/v1/regions/kelurahan?kabupaten_kota_code=32.01&q=wanaherang")
        .await;
    assert_eq!(codes(&desa.body), [DESA_KAB_BOGOR]);
    assert_eq!(desa.body["items"][0]["kind"], "desa");
    assert_eq!(desa.body["items"][0]["postal_code"], Value::Null);
    assert_eq!(desa.body["items"][0]["kabupaten_kota_code"], "32.01");
    let gunung_putri = app
        .get("/api/v1/regions?within=32.01.02&level=desa_kelurahan&page_size=100")
        .await;
    assert!(gunung_putri.body["total"].as_i64().unwrap() >= 10);
    assert!(
        codes(&gunung_putri.body)
            .iter()
            .all(|c| c.starts_with("32.01.02."))
    );
    let kecamatan = app
        .get("/api/v1/regions/kecamatan?kabupaten_kota_code=32.71")
        .await;
    assert_eq!(kecamatan.body["total"], 6);
    app.get("/api/v1/regions/kelurahan?kabupaten_kota_code=33.01")
        .await
        .assert_problem(400, "invalid_query");

    // New records anywhere in the province; none outside it.
    let in_kabupaten = app
        .create_cooperative(json!({"kelurahan_code": DESA_KAB_BOGOR}))
        .await;
    let in_kota = app.create_cooperative(json!({})).await;
    let outside = app
        .post(
            "/api/v1/cooperatives",
            &crate::helpers::with(
                crate::helpers::minimal_cooperative(),
                json!({"kelurahan_code": DESA_CILACAP}),
            ),
        )
        .await;
    outside.assert_problem(422, "validation_failed");
    assert_eq!(outside.error_codes(), ["unknown_kelurahan"]);
    assert!(
        outside.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Jawa Barat"),
        "{}",
        outside.body
    );
    let listed = app
        .get("/api/v1/cooperatives?kabupaten_kota_code=32.01")
        .await;
    assert_eq!(listed.body["total"], 1);
    assert_eq!(listed.body["items"][0]["id"], in_kabupaten);
    let kota = app
        .get("/api/v1/cooperatives?kabupaten_kota_code=32.71")
        .await;
    assert_eq!(kota.body["items"][0]["id"], in_kota);
    let reply = app
        .post(
            "/api/v1/ukm",
            &ukm(
                "Warung Desa Wanaherang",
                json!({"kelurahan_code": DESA_KAB_BOGOR}),
            ),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let ukm_id = reply.body["id"].clone();
    let ukm_list = app.get("/api/v1/ukm?kabupaten_kota_code=32.01").await;
    assert_eq!(ukm_list.body["total"], 1);
    assert_eq!(ukm_list.body["items"][0]["id"], ukm_id);
    let none = app.get("/api/v1/ukm?kabupaten_kota_code=32.71").await;
    assert_eq!(none.body["total"], 0);

    // Indicators by kabupaten/kota: 27 places whose registry figures sum to the province's.
    let indicators = app.get("/api/v1/indicators?group_by=kabupaten_kota").await;
    assert_eq!(indicators.status, 200, "{}", indicators.body);
    let places = indicators.body["by_kabupaten_kota"].as_array().unwrap();
    assert_eq!(places.len(), 27);
    assert_eq!(indicators.body["by_kecamatan"], Value::Null);
    let registered = |p: &Value| {
        p["cumulative"]["registry"]["cooperatives_active"]["of"]
            .as_i64()
            .unwrap()
    };
    let place = |code: &str| {
        places
            .iter()
            .find(|p| p["kabupaten_kota_code"] == code)
            .unwrap()
    };
    assert_eq!(place("32.01")["kabupaten_kota_name"], "Kabupaten Bogor");
    assert_eq!(registered(place("32.01")), 1);
    assert_eq!(registered(place("32.71")), 1);
    assert_eq!(registered(place("32.02")), 0);
    assert_eq!(
        places.iter().map(registered).sum::<i64>(),
        registered(&indicators.body)
    );
    let ukm_of = |p: &Value| {
        p["cumulative"]["registry"]["ukm_active"]["of"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(ukm_of(place("32.01")), 1);
    let table = app
        .get("/api/v1/indicators.csv?group_by=kabupaten_kota")
        .await;
    assert_eq!(table.status, 200);
    let text = table.body.as_str().unwrap_or_default().to_owned();
    assert!(
        text.starts_with("programme_id,kabupaten_kota_code,year,indicator,breakdown,value\n"),
        "{text:.200}"
    );
    assert!(text.contains(",32.01,"));
}

#[actix_web::test]
async fn the_default_deployment_is_kota_bogor_alone() {
    let app = TestApp::spawn().await;
    let kabupaten = app.get("/api/v1/regions?level=kabupaten_kota").await;
    assert_eq!(codes(&kabupaten.body), ["32.71"]);
    assert_eq!(kabupaten.body["items"][0]["name"], "Kota Bogor");
    let south = app
        .get("/api/v1/regions?within=32.71.01&page_size=100")
        .await;
    assert_eq!(south.body["total"], 16);
    assert!(
        south.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["level"] == "desa_kelurahan" && r["parent_name"] == "Bogor Selatan")
    );
    let search = app.get("/api/v1/regions?q=bogor%20sel").await;
    assert_eq!(codes(&search.body), ["32.71.01"]);
    assert_eq!(search.body["items"][0]["level"], "kecamatan");
    let everything = app.get("/api/v1/regions").await;
    assert_eq!(everything.body["total"], 1 + 1 + 6 + 68);
    assert_eq!(codes(&everything.body)[..3], ["32", "32.71", "32.71.01"]);
    let unknown = app.get("/api/v1/regions?within=32.01").await;
    unknown.assert_problem(400, "invalid_query");
    assert_eq!(unknown.error_codes(), ["unknown_region"]);
    app.get("/api/v1/regions?within=32.1")
        .await
        .assert_problem(400, "invalid_query");
    app.get("/api/v1/regions?level=desa")
        .await
        .assert_problem(400, "invalid_query");
    let outside = app
        .post(
            "/api/v1/cooperatives",
            &crate::helpers::with(
                crate::helpers::minimal_cooperative(),
                json!({"kelurahan_code": DESA_KAB_BOGOR}),
            ),
        )
        .await;
    outside.assert_problem(422, "validation_failed");
    assert_eq!(outside.error_codes(), ["unknown_kelurahan"]);
    app.get("/api/v1/ukm?kabupaten_kota_code=32.01")
        .await
        .assert_problem(400, "invalid_query");
}

/// Applies `list` (CSV text) to the app's database as `klinik regions apply FILE` does.
fn apply_list(app: &TestApp, list: &str) -> klinik_app::registry::region_list::Applied {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wilayah.csv");
    std::fs::write(&file, list).unwrap();
    let state = klinik_api::prepare_state(&settings_for(app.db.url(), &[])).unwrap();
    klinik_app::registry::region_list::apply_command(&state, Some(&file)).unwrap()
}

/// The shipped list's rows of Kota Bogor, with its province.
fn bogor_list() -> Vec<String> {
    klinik_app::registry::region_list::SHIPPED
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("32,") || l.starts_with("32.71"))
        .map(str::to_owned)
        .collect()
}

#[actix_web::test]
async fn a_new_region_list_retires_renames_and_adds_without_breaking_records() {
    let app = TestApp::spawn().await;
    let kept = app.create_cooperative(json!({})).await; // in 32.71.01.1006, Rangga Mekar
    let mut rows: Vec<String> = bogor_list()
        .into_iter()
        .filter(|l| !l.starts_with("32.71.01.1006,"))
        .map(|l| l.replace("32.71.01.1001,4,Batu Tulis", "32.71.01.1001,4,Batutulis"))
        .collect();
    rows.push("32.71.01.1099,4,Kelurahan Contoh Baru".into());
    let applied = apply_list(&app, &format!("code,level,name\n{}\n", rows.join("\n")));
    assert_eq!(
        (
            applied.added,
            applied.renamed,
            applied.retired,
            applied.restored
        ),
        (1, 1, 1, 0)
    );

    // After a restart the stored record still reads with its village's name.
    let app = app.spawn_beside(&[]).await;
    let record = app.get(&format!("/api/v1/cooperatives/{kept}")).await;
    assert_eq!(record.status, 200);
    assert_eq!(record.body["kelurahan_code"], "32.71.01.1006");
    assert_eq!(record.body["kelurahan_name"], "Rangga Mekar");
    let current = app.get("/api/v1/regions/kelurahan?q=rangga").await;
    assert_eq!(current.body["total"], 0);
    let retired = app
        .get("/api/v1/regions/kelurahan?q=rangga&include_retired=true")
        .await;
    assert_eq!(retired.body["items"][0]["retired"], true);
    let renamed = app
        .get("/api/v1/regions/kelurahan?kecamatan_code=32.71.01&page_size=100")
        .await;
    assert_eq!(renamed.body["items"][0]["name"], "Batutulis");
    assert_eq!(renamed.body["total"], 16, "15 in force and the new one");
    // A filter on the retired code still finds the record; a new record may not name it.
    let filtered = app
        .get("/api/v1/cooperatives?kelurahan_code=32.71.01.1006")
        .await;
    assert_eq!(filtered.body["total"], 1);
    let refused = app
        .post(
            "/api/v1/cooperatives",
            &crate::helpers::minimal_cooperative(),
        )
        .await;
    assert_eq!(refused.error_codes(), ["unknown_kelurahan"]);
    // Changing something else keeps the retired village; moving names one in force.
    let etag = record.header("etag").unwrap().to_owned();
    let patched = app
        .request(
            actix_web::http::Method::PATCH,
            &format!("/api/v1/cooperatives/{kept}"),
            Some(&json!({"phone": "+62251123456"})),
            &[("If-Match", &etag)],
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    app.create_cooperative(json!({"kelurahan_code": "32.71.01.1099"}))
        .await;

    // The shipped list again: the village is back under its old name, the invented one retired.
    let state = klinik_api::prepare_state(&settings_for(app.db.url(), &[])).unwrap();
    let again = klinik_app::registry::region_list::apply_command(&state, None).unwrap();
    assert_eq!(
        (again.added, again.renamed, again.retired, again.restored),
        (0, 1, 1, 1)
    );
}
