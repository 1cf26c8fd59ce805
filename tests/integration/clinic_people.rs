//! Partners, experts, programmes and instruments over HTTP.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::helpers::TestApp;

async fn create(app: &TestApp, path: &str, body: Value) -> Value {
    let reply = app.post(path, &body).await;
    assert_eq!(reply.status, 201, "{path}: {}", reply.body);
    reply.body
}

#[actix_web::test]
async fn a_partner_is_registered_found_by_kind_changed_and_archived() {
    let app = TestApp::spawn().await;
    let ipb = create(
        &app,
        "/api/v1/partners",
        json!({"name": "Institut Pertanian Bogor", "kind": "university"}),
    )
    .await;
    create(
        &app,
        "/api/v1/partners",
        json!({"name": "Bank BJB", "kind": "bank"}),
    )
    .await;
    assert_eq!(ipb["version"], 1);

    let banks = app.get("/api/v1/partners?kind=bank").await;
    assert_eq!(banks.body["total"], 1);
    assert_eq!(banks.body["items"][0]["name"], "Bank BJB");
    let by_name = app.get("/api/v1/partners?q=pertanian").await;
    assert_eq!(by_name.body["items"][0]["id"], ipb["id"]);

    let path = format!("/api/v1/partners/{}", ipb["id"]);
    let stale = app
        .request(
            Method::PATCH,
            &path,
            Some(&json!({"name": "IPB University"})),
            &[("If-Match", "\"7\"")],
        )
        .await;
    stale.assert_problem(412, "precondition_failed");
    let changed = app
        .request(
            Method::PATCH,
            &path,
            Some(&json!({"name": "IPB University"})),
            &[("If-Match", "\"1\"")],
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(
        (changed.body["name"].as_str(), changed.body["kind"].as_str()),
        (Some("IPB University"), Some("university"))
    );
    assert_eq!(changed.header("etag"), Some("\"2\""));

    app.post(
        "/api/v1/partners",
        &json!({"name": " spaced", "kind": "bank"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let bakery = app
        .post("/api/v1/partners", &json!({"name": "X", "kind": "bakery"}))
        .await;
    assert_eq!(bakery.error_codes(), ["invalid_enum_value"]);

    assert_eq!(app.delete(&path).await.status, 204);
    app.get(&path).await.assert_problem(404, "not_found");
    assert_eq!(
        app.get(&format!("{path}?include_archived=true"))
            .await
            .status,
        200
    );
    assert_eq!(app.get("/api/v1/partners").await.body["total"], 1);
}

#[actix_web::test]
async fn an_experts_contact_is_masked_for_those_who_may_not_see_it() {
    let app = TestApp::spawn().await;
    let partner = create(
        &app,
        "/api/v1/partners",
        json!({"name": "Universitas Pakuan", "kind": "university"}),
    )
    .await;
    let expert = create(
        &app,
        "/api/v1/experts",
        json!({"full_name": "Dr. Rina Wulandari", "role": "akademisi", "partner_id": partner["id"],
               "expertise": ["keuangan_akuntansi", "tata_kelola_rat"], "phone": "081234567890",
               "email": "rina@unpak.ac.id"}),
    )
    .await;
    assert_eq!(
        expert["phone"], "081234567890",
        "the admin sees the contact"
    );
    assert_eq!(expert["partner_name"], "Universitas Pakuan");
    assert_eq!(
        expert["expertise"],
        json!(["keuangan_akuntansi", "tata_kelola_rat"]),
        "read back in code order"
    );
    assert_eq!(expert["active"], true);

    let viewer = app.user_token("vera", "viewer").await;
    let path = format!("/api/v1/experts/{}", expert["id"]);
    let seen = app
        .request_as(Some(&viewer), Method::GET, &path, None, &[])
        .await;
    assert_eq!(seen.status, 200);
    assert_eq!(seen.body["phone"], "*********890");
    assert_eq!(seen.body["email"], "***@unpak.ac.id");
    let listed = app
        .request_as(
            Some(&viewer),
            Method::GET,
            "/api/v1/experts?expertise=tata_kelola_rat",
            None,
            &[],
        )
        .await;
    assert_eq!(listed.body["total"], 1);
    assert_eq!(listed.body["items"][0]["phone"], "*********890");
    assert_eq!(
        app.get("/api/v1/experts?expertise=pemasaran").await.body["total"],
        0
    );
    let refused = app
        .request_as(
            Some(&viewer),
            Method::POST,
            "/api/v1/experts",
            Some(&json!({"full_name": "X", "role": "praktisi"})),
            &[],
        )
        .await;
    refused.assert_problem(403, "forbidden");
}

#[actix_web::test]
async fn an_expert_links_only_an_assessor_account_and_only_once() {
    let app = TestApp::spawn().await;
    app.user_token("asep", "assessor").await;
    app.user_token("olga", "officer").await;
    let users = app.get("/api/v1/users?page_size=100").await;
    let id_of = |name: &str| {
        users.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == name)
            .unwrap()["id"]
            .clone()
    };
    let expert =
        json!({"full_name": "Asep Saepudin", "role": "praktisi", "user_id": id_of("asep")});
    create(&app, "/api/v1/experts", expert.clone()).await;
    app.post("/api/v1/experts", &expert)
        .await
        .assert_problem(409, "duplicate_user");
    let officer = app
        .post(
            "/api/v1/experts",
            &json!({"full_name": "Olga", "role": "staf_dinas", "user_id": id_of("olga")}),
        )
        .await;
    officer.assert_problem(422, "validation_failed");
    assert_eq!(officer.error_codes(), ["user_not_assessor"]);
    let unknown = app
        .post("/api/v1/experts", &json!({"full_name": "Nobody", "role": "praktisi", "partner_id": 999, "expertise": ["sdm", "sdm"]}))
        .await;
    assert_eq!(unknown.error_codes(), ["duplicate_item"]);
    let unknown = app
        .post(
            "/api/v1/experts",
            &json!({"full_name": "Nobody", "role": "praktisi", "partner_id": 999}),
        )
        .await;
    assert_eq!(unknown.error_codes(), ["unknown_partner"]);
}

#[actix_web::test]
async fn a_programme_takes_the_articles_targets_by_default_and_checks_its_own() {
    let app = TestApp::spawn().await;
    let bank = create(
        &app,
        "/api/v1/partners",
        json!({"name": "Bank BJB", "kind": "bank"}),
    )
    .await;
    let instruments = app.get("/api/v1/instruments?code=ksp_konvensional").await;
    let ksp = instruments.body["items"][0]["id"].clone();
    let programme = create(
        &app,
        "/api/v1/programmes",
        json!({"name": "Coaching Clinic 2017", "year": 2017, "funding_partner_ids": [bank["id"]], "default_instrument_id": ksp}),
    )
    .await;
    assert_eq!(
        (
            &programme["target_cooperatives_helped"],
            &programme["target_cooperatives_good"],
            &programme["horizon_years"]
        ),
        (&json!(30), &json!(10), &json!(5))
    );
    assert_eq!(
        programme["funding_partners"],
        json!([{"id": bank["id"], "name": "Bank BJB"}])
    );

    let broken = app
        .post("/api/v1/programmes", &json!({"name": "X", "year": 2018, "target_cooperatives_helped": 5, "horizon_years": 8, "target_ukm_good": 3}))
        .await;
    let mut codes = broken.error_codes();
    codes.sort();
    assert_eq!(
        codes,
        [
            "horizon_range",
            "target_good_above_helped",
            "target_ukm_helped_required"
        ]
    );
    let unknown = app
        .post(
            "/api/v1/programmes",
            &json!({"name": "X", "year": 2018, "funding_partner_ids": [bank["id"], 999]}),
        )
        .await;
    assert_eq!(unknown.body["errors"][0]["field"], "funding_partner_ids[1]");
    assert_eq!(unknown.error_codes(), ["unknown_partner"]);

    let path = format!("/api/v1/programmes/{}", programme["id"]);
    let changed = app
        .patch(
            &path,
            &json!({"target_cooperatives_good": 12, "funding_partner_ids": []}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.body["funding_partners"], json!([]));
    app.patch(&path, &json!({"target_cooperatives_good": 31}))
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(
        app.get("/api/v1/programmes?year=2017").await.body["total"],
        1
    );
    assert_eq!(
        app.get("/api/v1/programmes?year=2018").await.body["total"],
        0
    );
}

fn syariah_scores(jatidiri: &str) -> Value {
    json!({"scores": [
        {"component": "permodalan", "score": "70"},
        {"component": "kualitas_aktiva_produktif", "score": "60"},
        {"component": "manajemen", "score": "70"},
        {"component": "efisiensi", "score": "50"},
        {"component": "likuiditas", "score": "80"},
        {"component": "kemandirian_pertumbuhan", "score": "60"},
        {"component": "jatidiri_koperasi", "score": jatidiri},
        {"component": "prinsip_syariah", "score": "60"}
    ]})
}

#[actix_web::test]
async fn the_shipped_instruments_score_the_published_case_and_new_versions_leave_old_ones_alone() {
    let app = TestApp::spawn().await;
    let all = app.get("/api/v1/instruments").await;
    let codes: Vec<&str> = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["ksp_konvensional", "ksp_syariah", "ukm_checklist"]);
    let ksp = &all.body["items"][0];
    let weights: Vec<f64> = ksp["definition"]["aspects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            a["components"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["weight"].as_str().unwrap().parse::<f64>().unwrap())
                .sum()
        })
        .collect();
    assert_eq!(weights, [15.0, 25.0, 15.0, 10.0, 15.0, 10.0, 10.0]);
    assert_eq!(
        ksp["definition"]["cutoffs"],
        json!({"sehat": "80", "cukup_sehat": "66", "dalam_pengawasan": "51"})
    );

    let syariah = all.body["items"][1]["id"].clone();
    let score = format!("/api/v1/instruments/{syariah}/score");
    let published = app.post(&score, &syariah_scores("74.8")).await;
    assert_eq!(published.status, 200, "{}", published.body);
    assert_eq!(
        (
            published.body["total"].as_str(),
            published.body["predicate"].as_str()
        ),
        (Some("65.98"), Some("dalam_pengawasan"))
    );
    let above = app.post(&score, &syariah_scores("75.02")).await;
    assert_eq!(
        (
            above.body["total"].as_str(),
            above.body["predicate"].as_str()
        ),
        (Some("66"), Some("cukup_sehat"))
    );
    let as_number = app
        .post(
            &score,
            &json!({"scores": [{"component": "permodalan", "score": 70}]}),
        )
        .await;
    assert_eq!(
        as_number.error_codes(),
        ["invalid_type"],
        "scores are decimal strings, never floats"
    );

    let ksp_id = ksp["id"].clone();
    let wrong = app
        .post(
            &format!("/api/v1/instruments/{ksp_id}/score"),
            &json!({"scores": [{"component": "risiko_pinjaman_bermasalah", "score": "80"}]}),
        )
        .await;
    let codes = wrong.error_codes();
    assert!(codes.contains(&"ratio_required".to_owned()), "{codes:?}");
    assert!(codes.contains(&"component_missing".to_owned()), "{codes:?}");

    let mut definition = all.body["items"][2]["definition"].clone();
    definition["aspects"].as_array_mut().unwrap().pop();
    let officer = app.user_token("olga", "officer").await;
    let body = json!({"code": "ukm_checklist", "name": "Daftar periksa UKM v2", "subject_kind": "ukm", "definition": definition});
    app.request_as(
        Some(&officer),
        Method::POST,
        "/api/v1/instruments",
        Some(&body),
        &[],
    )
    .await
    .assert_problem(403, "forbidden");
    let broken = app.post("/api/v1/instruments", &body).await;
    assert_eq!(broken.error_codes(), ["weights_total"]);
    assert_eq!(broken.body["errors"][0]["field"], "definition.aspects");
    definition["aspects"][0]["components"][0]["weight"] = json!("20");
    let v2 = app.post("/api/v1/instruments", &json!({"code": "ukm_checklist", "name": "Daftar periksa UKM v2", "subject_kind": "ukm", "definition": definition})).await;
    assert_eq!(v2.status, 201, "{}", v2.body);
    assert_eq!(v2.body["version"], 2);
    let versions = app.get("/api/v1/instruments?code=ukm_checklist").await;
    assert_eq!(versions.body["total"], 2);
    assert_eq!(
        versions.body["items"][0]["definition"], all.body["items"][2]["definition"],
        "version 1 is unchanged"
    );
}

#[actix_web::test]
async fn a_client_with_clinic_read_reads_experts_masked_and_writes_nothing() {
    let app = TestApp::spawn().await;
    create(
        &app,
        "/api/v1/experts",
        json!({"full_name": "Hendra", "role": "perbankan", "phone": "081299887766"}),
    )
    .await;
    let reader = crate::access::client_token(&app, &["clinic:read"]).await;
    let listed = app
        .request_as(Some(&reader), Method::GET, "/api/v1/experts", None, &[])
        .await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(listed.body["items"][0]["phone"], "*********766");
    app.request_as(
        Some(&reader),
        Method::POST,
        "/api/v1/experts",
        Some(&json!({"full_name": "X", "role": "praktisi"})),
        &[],
    )
    .await
    .assert_problem(403, "forbidden");
    let registry_only = crate::access::client_token(&app, &["registry:read"]).await;
    app.request_as(
        Some(&registry_only),
        Method::GET,
        "/api/v1/cases",
        None,
        &[],
    )
    .await
    .assert_problem(403, "forbidden");
}

#[actix_web::test]
async fn a_search_term_with_a_nul_finds_nothing_and_an_id_filter_below_1_is_refused() {
    let app = TestApp::spawn().await;
    create(
        &app,
        "/api/v1/partners",
        json!({"name": "Bank BJB", "kind": "bank"}),
    )
    .await;
    for path in [
        "/api/v1/ukm?q=t%00x",
        "/api/v1/cooperatives?q=%00",
        "/api/v1/partners?q=b%00",
        "/api/v1/experts?q=%00",
        "/api/v1/programmes?q=%00",
    ] {
        let reply = app.get(path).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        assert_eq!(reply.body["total"], 0, "{path}");
    }
    for (path, field) in [
        ("/api/v1/cases?programme_id=0", "programme_id"),
        ("/api/v1/cases?expert_id=-1", "expert_id"),
        ("/api/v1/clinic-sessions?case_id=0", "case_id"),
        ("/api/v1/experts?partner_id=0", "partner_id"),
    ] {
        let reply = app.get(path).await;
        assert_eq!(reply.status, 400, "{path}: {}", reply.body);
        assert_eq!(reply.body["errors"][0]["field"], field);
    }
}
