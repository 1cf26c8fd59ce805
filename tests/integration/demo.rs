//! `klinik seed-demo`: the city of the 2017 article, and the same city for the same seed.

use klinik_api::demo::{BOGOR_2017, Scale, seed};

use crate::helpers::{TestApp, settings_for};

fn state_for(app: &TestApp) -> klinik_api::AppState {
    klinik_api::prepare_state(&settings_for(app.db.url(), &[])).unwrap()
}

async fn total(app: &TestApp, query: &str) -> i64 {
    let reply = app.get(query).await;
    assert_eq!(reply.status, 200, "{query}: {}", reply.body);
    assert_eq!(reply.body["total_exact"], true, "{query}");
    reply.body["total"].as_i64().unwrap()
}

/// UKM counted in the database itself: the list stops counting at 1,000.
fn ukm_count(state: &klinik_api::AppState, column: Option<(&str, &str)>) -> i64 {
    use diesel::prelude::*;
    use klinik_persistence::schema::ukm;
    let mut conn = state.db.pool().get().unwrap();
    let query = ukm::table.into_boxed();
    let query = match column {
        Some(("status", v)) => query.filter(ukm::status.eq(v.to_owned())),
        Some(("sector", v)) => query.filter(ukm::sector.eq(v.to_owned())),
        Some(_) => unreachable!(),
        None => query,
    };
    query.count().get_result(&mut **conn).unwrap()
}

#[actix_web::test]
async fn bogor_2017_has_the_articles_counts_under_the_status_rule() {
    let app = TestApp::spawn().await;
    let state = state_for(&app);
    seed(&state, BOGOR_2017, 2017).unwrap();
    let attached = klinik_api::demo::documents::attach(&state).await.unwrap();
    assert!(attached >= 80, "deeds and worksheets at least: {attached}");
    let deeds = app.get("/api/v1/cooperatives/1/documents").await;
    assert_eq!(
        deeds.body["items"][0]["kind"], "akta_pendirian",
        "{}",
        deeds.body
    );
    let (status, content_type, bytes) = app
        .download_as(
            &app.token,
            &format!("/api/v1/documents/{}/content", deeds.body["items"][0]["id"]),
        )
        .await;
    assert_eq!(
        (status.as_u16(), content_type.as_deref()),
        (200, Some("application/pdf"))
    );
    assert!(
        String::from_utf8_lossy(&bytes).contains("CONTOH FIKTIF"),
        "plainly fake"
    );
    // The seeded clinic has follow-ups due today, each found once.
    let now = chrono::Utc::now().naive_utc();
    let (a, b) = (state.clone(), state.clone());
    let first = state
        .write(move |conn| klinik_app::reminders::run(conn, &a, now))
        .await
        .unwrap();
    assert!(first.created > 0, "{first:?}");
    let again = state
        .write(move |conn| klinik_app::reminders::run(conn, &b, now))
        .await
        .unwrap();
    assert_eq!((again.created, again.resolved), (0, 0));
    assert_eq!(total(&app, "/api/v1/cooperatives?page_size=1").await, 800);
    assert_eq!(
        total(&app, "/api/v1/cooperatives?status=aktif&page_size=1").await,
        307
    );
    assert_eq!(
        total(&app, "/api/v1/cooperatives?type=konsumen&page_size=1").await,
        512
    );
    assert_eq!(
        total(&app, "/api/v1/cooperatives?type=simpan_pinjam&page_size=1").await,
        104
    );
    let state = state_for(&app);
    assert_eq!(ukm_count(&state, None), 23_706);
    assert_eq!(ukm_count(&state, Some(("status", "aktif"))), 8_500);
    assert_eq!(ukm_count(&state, Some(("sector", "culinary"))), 17_779);
    // Beyond 1,000 matches the list's count stops and says so.
    let capped = app.get("/api/v1/ukm?page_size=1").await;
    assert_eq!(
        (
            capped.body["total"].as_i64(),
            capped.body["total_exact"].as_bool()
        ),
        (Some(1_000), Some(false))
    );
    let fashion = total(
        &app,
        "/api/v1/ukm?sector=fashion&kecamatan_code=32.71.01&page_size=1",
    )
    .await;
    assert!(fashion > 0 && fashion < 1_000, "{fashion}");
    let a_ukm = app.get("/api/v1/ukm?page_size=1").await;
    assert!(
        a_ukm.body["items"][0]["owner"]["nik"]
            .as_str()
            .unwrap()
            .starts_with("3271****")
    );
    assert_eq!(a_ukm.body["items"][0]["size_regulation"], "UU 20/2008");
    clinic_history_is_lived_in(&app).await;
    economy_history_is_lived_in(&app).await;
    let again = seed(&state_for(&app), BOGOR_2017, 2017);
    assert!(
        again.is_err(),
        "refuses a database that already holds a registry"
    );
}

#[actix_web::test]
async fn the_same_seed_makes_the_same_city() {
    let small = Scale {
        cooperatives: 10,
        active_cooperatives: 4,
        ukm: 20,
        active_ukm: 8,
        history: true,
    };
    let mut cities = Vec::new();
    for _ in 0..2 {
        let app = TestApp::spawn().await;
        seed(&state_for(&app), small, 42).unwrap();
        let list = app
            .get("/api/v1/cooperatives?page_size=100&sort=registration_number")
            .await;
        let names: Vec<String> = list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(total(&app, "/api/v1/cooperatives?status=aktif").await, 4);
        cities.push(names);
    }
    assert_eq!(cities[0], cities[1]);
}

/// Seven programme years, cases in every status, and indicators that agree with the lists.
async fn clinic_history_is_lived_in(app: &TestApp) {
    assert_eq!(total(app, "/api/v1/programmes?page_size=1").await, 7);
    for status in [
        "registered",
        "screened",
        "diagnosing",
        "recommending",
        "mentoring",
        "evaluating",
        "closed",
        "rejected",
        "withdrawn",
        "dissolution_proposed",
    ] {
        let n = total(app, &format!("/api/v1/cases?status={status}&page_size=1")).await;
        assert!(n > 0, "no case is {status}");
    }
    assert!(
        total(
            app,
            "/api/v1/recommendations?kind=permodalan&status=done&page_size=1"
        )
        .await
            > 0
    );
    let this_year = crate::helpers::this_year();
    let reply = app
        .get(&format!(
            "/api/v1/indicators?from_year={}&to_year={this_year}&group_by=kecamatan",
            this_year - 6
        ))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let indicators = reply.body;
    let city = &indicators["cumulative"];
    assert_eq!(
        city["registry"]["cooperatives_active"],
        serde_json::json!({"count": 307, "of": 800})
    );
    assert_eq!(
        city["registry"]["ukm_active"],
        serde_json::json!({"count": 8500, "of": 23706})
    );
    assert_eq!(city["targets"]["cooperatives_helped"], 210);
    let good = city["clinic"]["cooperatives_good"].as_i64().unwrap();
    assert!(
        (30..=60).contains(&good),
        "about ten good a year for the closed cohorts: {good}"
    );
    for field in [
        "cooperatives_helped",
        "cooperatives_good",
        "ukm_helped",
        "ukm_moved_up",
    ] {
        let parts: i64 = indicators["by_kecamatan"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["cumulative"]["clinic"][field].as_i64().unwrap())
            .sum();
        assert_eq!(parts, city["clinic"][field].as_i64().unwrap(), "{field}");
    }
    for (i, year) in (this_year - 6..=this_year).enumerate() {
        let figures = &indicators["years"][i]["clinic"];
        let helped = total(
            app,
            &format!(
                "/api/v1/cases?subject_kind=cooperative&final_diagnosis_year={year}&page_size=1"
            ),
        )
        .await;
        assert_eq!(
            helped,
            figures["cooperatives_helped"].as_i64().unwrap(),
            "{year}"
        );
        let good = total(app, &format!("/api/v1/cases?subject_kind=cooperative&outcome=bagus&closed_year={year}&page_size=1")).await;
        assert_eq!(
            good,
            figures["cooperatives_good"].as_i64().unwrap(),
            "{year}"
        );
    }
}

/// Seven book years of figures and reports in the registry's proportions, and synthetic PDRB
/// beside the article's 25 % for 2017.
async fn economy_history_is_lived_in(app: &TestApp) {
    let last = crate::helpers::this_year() - 1;
    let view = app
        .get(&format!(
            "/api/v1/economy?from_year={}&to_year={last}",
            last - 6
        ))
        .await;
    assert_eq!(view.status, 200, "{}", view.body);
    let years = view.body["years"].as_array().unwrap();
    assert_eq!(years.len(), 7);
    for year in years {
        // Every active UKM reports every year; inactive ones only for a while.
        let ukm = &year["ukm"];
        assert!(ukm["reporting"].as_i64().unwrap() >= 8_500, "{ukm}");
        assert!(ukm["turnover"].as_i64().unwrap() > 0);
        let cooperatives = &year["cooperatives"]["reporting"];
        assert!(cooperatives.as_i64().unwrap() >= 307, "{cooperatives}");
        let pdrb = &year["pdrb"]["source"];
        assert!(pdrb.as_str().unwrap().starts_with("SINTETIS"), "{pdrb}");
        assert!(year["proxy_share_percent"].is_string());
    }
    // Inactive UKM stop: the earliest year has more reporting than the last.
    let reporting = |i: usize| years[i]["ukm"]["reporting"].as_i64().unwrap();
    assert!(
        reporting(0) > reporting(6),
        "{} vs {}",
        reporting(0),
        reporting(6)
    );
    let article = app.get("/api/v1/economy/years/2017").await;
    assert_eq!(
        article.body["published_share"]["percent"], "25",
        "{}",
        article.body
    );
}
