//! The article re-enacted over HTTP: the 2017 Coaching Clinic with its
//! targets of 30 cooperatives helped and 10 of them good. Thirty cooperatives are diagnosed,
//! given guidance, capital and motivation, mentored, evaluated and closed; ten end `bagus` by the
//! rule; the indicators then show 30 of 30 and 10 of 10, per kecamatan summing to them and each
//! count equal to its list's total; one cooperative that cannot be cured is proposed for
//! dissolution.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::clinic_kit::{Kit, act, created, kit, move_recommendation, report, step};
use crate::helpers::{TestApp, this_year};

const KECAMATAN: [&str; 6] = [
    "32.71.01", "32.71.02", "32.71.03", "32.71.04", "32.71.05", "32.71.06",
];

/// The ten that end good keep their RAT and SHU; the others do not file.
async fn cooperative(app: &TestApp, n: usize, good: bool) -> i64 {
    let kelurahan = format!("{}.1001", KECAMATAN[n % 6]);
    let id = app
        .create_cooperative(
            json!({"name": format!("Koperasi Klinik {n:02}"), "kelurahan_code": kelurahan}),
        )
        .await;
    if good {
        report(app, id, 2016, true, 10_000_000).await;
        report(app, id, 2017, true, 12_000_000).await;
        report(app, id, this_year() - 1, true, 15_000_000).await;
    }
    id
}

/// One cooperative through the whole clinic of 2017–2018.
async fn through_the_clinic(app: &TestApp, k: &Kit, cooperative: i64, conclusion: &str) -> Value {
    let case = created(app, "/api/v1/cases", json!({"programme_id": k.programme["id"], "subject_kind": "cooperative",
        "subject_id": cooperative, "referral_source": "office_initiative", "registered_on": "2017-03-01",
        "team": [{"expert_id": k.lead["id"], "lead": true}], "mentor_ids": [k.mentor["id"]]})).await;
    let id = &case["id"];
    step(app, id, "screen", "screened").await;
    step(app, id, "start_diagnosis", "diagnosing").await;
    let draft = created(app, &format!("/api/v1/cases/{id}/diagnoses"), json!({"diagnosed_on": "2017-06-14",
        "findings": [{"category": "tata_kelola_rat", "severity": "berat", "description": "RAT tidak dilaksanakan."},
                     {"category": "permodalan", "severity": "sedang", "description": "Modal kerja kurang."}]})).await;
    let diagnosis = app
        .post(
            &format!("/api/v1/diagnoses/{}/finalize", draft["id"]),
            &json!({"agreed_expert_ids": []}),
        )
        .await
        .body;
    let path = format!("/api/v1/diagnoses/{}/recommendations", diagnosis["id"]);
    let (rat, capital) = (
        &diagnosis["findings"][0]["id"],
        &diagnosis["findings"][1]["id"],
    );
    let recommendations = [
        created(app, &path, json!({"kind": "bimbingan", "finding_ids": [rat], "description": "Bimbingan penyelenggaraan RAT."})).await,
        created(app, &path, json!({"kind": "permodalan", "finding_ids": [capital], "description": "KUR mikro untuk modal kerja.",
            "capital": {"financing_scheme": "kur_mikro", "bank_partner_id": k.bank["id"], "amount_requested": 50_000_000}})).await,
        created(app, &path, json!({"kind": "motivasi", "description": "Motivasi pengurus dan anggota."})).await,
    ];
    let finished = act(
        app,
        id,
        "finish_diagnosis",
        json!({"effective_on": "2017-06-14"}),
    )
    .await;
    assert_eq!(finished.body["status"], "recommending", "{}", finished.body);
    for r in &recommendations {
        move_recommendation(app, &r["id"], &["agreed", "in_progress"]).await;
    }
    let report_path = format!(
        "/api/v1/recommendations/{}/capital",
        recommendations[1]["id"]
    );
    let money = json!({"amount_approved": 40_000_000, "approved_on": "2017-08-01", "amount_disbursed": 40_000_000, "disbursed_on": "2017-08-15"});
    assert_eq!(
        app.request(Method::PUT, &report_path, Some(&money), &[])
            .await
            .status,
        200
    );
    step(app, id, "start_mentoring", "mentoring").await;
    created(
        app,
        &format!("/api/v1/cases/{id}/activities"),
        json!({"held_on": "2017-08-01", "kind": "visit", "hours": "3",
        "expert_ids": [k.mentor["id"]], "recommendation_id": recommendations[0]["id"]}),
    )
    .await;
    for r in &recommendations {
        move_recommendation(app, &r["id"], &["done"]).await;
    }
    step(app, id, "start_evaluation", "evaluating").await;
    created(
        app,
        &format!("/api/v1/cases/{id}/evaluations"),
        json!({"evaluated_on": "2018-06-30",
        "conclusion": conclusion, "next_step": "close"}),
    )
    .await;
    let closed = act(app, id, "close", json!({"effective_on": "2018-07-02"})).await;
    assert_eq!(closed.body["status"], "closed", "{}", closed.body);
    closed.body
}

fn count(figures: &Value, list: &str, key: &str, value: &str) -> i64 {
    figures[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item[key] == value)
        .map_or(0, |item| item["count"].as_i64().unwrap())
}

#[actix_web::test]
async fn the_2017_clinic_helps_thirty_cooperatives_and_ten_end_good() {
    let app = TestApp::spawn().await;
    let k = kit(&app, 2017).await;
    let mut outcomes = Vec::new();
    let mut first_good = Value::Null;
    for n in 0..30 {
        let good = n < 10;
        let id = cooperative(&app, n, good).await;
        let conclusion = if good || n < 22 {
            "improved"
        } else {
            "unchanged"
        };
        let closed = through_the_clinic(&app, &k, id, conclusion).await;
        outcomes.push(closed["outcome"]["outcome"].as_str().unwrap().to_owned());
        if n == 0 {
            first_good = closed["id"].clone();
        }
    }
    assert_eq!(outcomes.iter().filter(|o| *o == "bagus").count(), 10);
    assert_eq!(outcomes.iter().filter(|o| *o == "membaik").count(), 12);
    assert_eq!(outcomes.iter().filter(|o| *o == "tetap").count(), 8);

    // The one the clinic cannot cure.
    let hopeless = cooperative(&app, 30, false).await;
    let case = created(&app, "/api/v1/cases", json!({"programme_id": k.programme["id"], "subject_kind": "cooperative",
        "subject_id": hopeless, "referral_source": "supervision_finding", "registered_on": "2017-03-01",
        "team": [{"expert_id": k.lead["id"], "lead": true}]})).await;
    step(&app, &case["id"], "screen", "screened").await;
    step(&app, &case["id"], "start_diagnosis", "diagnosing").await;
    let proposed = act(&app, &case["id"], "propose_dissolution",
        json!({"dissolution": {"reasons": ["no_rat_two_years", "no_business"]}, "effective_on": "2017-06-14"})).await;
    assert_eq!(
        proposed.body["status"], "dissolution_proposed",
        "{}",
        proposed.body
    );
    assert_eq!(
        app.get(&format!("/api/v1/cooperatives/{hopeless}"))
            .await
            .body["status"],
        "diusulkan_bubar"
    );

    // The indicators.
    let programme = k.programme["id"].as_i64().unwrap();
    let reply = app
        .get(&format!(
            "/api/v1/programmes/{programme}/indicators?group_by=kecamatan"
        ))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let indicators = reply.body;
    assert_eq!(
        (
            indicators["from_year"].as_i64(),
            indicators["to_year"].as_i64()
        ),
        (Some(2017), Some(2021))
    );
    let total = &indicators["cumulative"];
    assert_eq!(total["clinic"]["cooperatives_helped"], 30);
    assert_eq!(total["targets"]["cooperatives_helped"], 30);
    assert_eq!(total["clinic"]["cooperatives_good"], 10);
    assert_eq!(total["targets"]["cooperatives_good"], 10);
    let (y2017, y2018) = (&indicators["years"][0], &indicators["years"][1]);
    assert_eq!(
        (
            y2017["year"].as_i64(),
            y2017["clinic"]["cooperatives_helped"].as_i64()
        ),
        (Some(2017), Some(30))
    );
    assert_eq!(
        y2017["targets"]["cooperatives_helped"], 30,
        "a programme's targets count in its year"
    );
    assert_eq!(
        y2018["clinic"]["cooperatives_good"], 10,
        "good outcomes count when the case closed"
    );
    assert_eq!(y2018["targets"]["cooperatives_helped"], Value::Null);
    let clinic = &total["clinic"];
    assert_eq!(count(clinic, "funnel", "status", "closed"), 30);
    assert_eq!(count(clinic, "funnel", "status", "dissolution_proposed"), 1);
    assert_eq!(count(clinic, "outcomes", "outcome", "membaik"), 12);
    for kind in ["bimbingan", "permodalan", "motivasi"] {
        assert_eq!(
            count(clinic, "recommendations_done", "kind", kind),
            30,
            "{kind}"
        );
    }
    assert_eq!(
        count(clinic, "problem_categories", "category", "tata_kelola_rat"),
        30
    );
    assert_eq!(clinic["capital_by_scheme"][0]["approved"], 1_200_000_000i64);
    assert_eq!(
        clinic["capital_by_bank"][0]["bank_partner_id"],
        k.bank["id"]
    );
    assert_eq!(indicators["banks"][0]["name"], "Bank BJB Cabang Bogor");
    assert_eq!(
        clinic["median_days_to_final_diagnosis"], 105,
        "1 March to 14 June"
    );

    // Per kecamatan, the figures sum to the city's; each equals its list's total.
    let by_kecamatan = indicators["by_kecamatan"].as_array().unwrap();
    assert_eq!(by_kecamatan.len(), 6);
    let sum = |field: &str| -> i64 {
        by_kecamatan
            .iter()
            .map(|k| k["cumulative"]["clinic"][field].as_i64().unwrap())
            .sum()
    };
    assert_eq!(
        (sum("cooperatives_helped"), sum("cooperatives_good")),
        (30, 10)
    );
    let total_of = |query: String| {
        let app = &app;
        async move {
            let reply = app.get(&query).await;
            assert_eq!(reply.status, 200, "{query}: {}", reply.body);
            reply.body["total"].as_i64().unwrap()
        }
    };
    for k in by_kecamatan {
        let code = k["kecamatan_code"].as_str().unwrap();
        let helped = total_of(format!("/api/v1/cases?programme_id={programme}&subject_kind=cooperative&final_diagnosis_year=2017&kecamatan_code={code}")).await;
        assert_eq!(
            helped,
            k["years"][0]["clinic"]["cooperatives_helped"]
                .as_i64()
                .unwrap(),
            "{code}"
        );
        let good = total_of(format!("/api/v1/cases?programme_id={programme}&subject_kind=cooperative&outcome=bagus&closed_year=2018&kecamatan_code={code}")).await;
        assert_eq!(
            good,
            k["years"][1]["clinic"]["cooperatives_good"]
                .as_i64()
                .unwrap(),
            "{code}"
        );
    }
    assert_eq!(total_of(format!("/api/v1/cases?programme_id={programme}&subject_kind=cooperative&final_diagnosis_year=2017")).await, 30);
    assert_eq!(
        total_of(format!(
            "/api/v1/cases?programme_id={programme}&outcome=bagus&closed_year=2018"
        ))
        .await,
        10
    );
    assert_eq!(
        total_of(format!(
            "/api/v1/cases?programme_id={programme}&status=closed&year=2017"
        ))
        .await,
        30
    );
    assert_eq!(
        total_of(format!(
            "/api/v1/recommendations?programme_id={programme}&kind=permodalan&status=done&year=2017"
        ))
        .await,
        30
    );
    assert_eq!(
        total_of("/api/v1/dissolution-proposals?status=submitted".into()).await,
        1
    );

    // The same figures for all programmes, and as a table.
    let all = app
        .get("/api/v1/indicators?from_year=2017&to_year=2018")
        .await;
    assert_eq!(
        all.body["cumulative"]["clinic"]["cooperatives_good"], 10,
        "{}",
        all.body
    );
    assert_eq!(all.body["by_kecamatan"], Value::Null);
    let csv = app
        .get(&format!("/api/v1/indicators.csv?programme_id={programme}"))
        .await;
    assert_eq!(csv.status, 200);
    let text = csv.body.as_str().unwrap_or_default();
    assert!(
        text.starts_with("programme_id,kecamatan_code,year,indicator,breakdown,value\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{programme},,total,cooperatives_good,,10\n")),
        "{text}"
    );
    assert!(text.contains(&format!("{programme},,2017,funnel,closed,30\n")));
    let xlsx = app
        .get(&format!(
            "/api/v1/indicators.xlsx?programme_id={programme}&group_by=kecamatan"
        ))
        .await;
    assert_eq!(xlsx.status, 200);
    app.get("/api/v1/indicators?from_year=2019&to_year=2017")
        .await
        .assert_problem(400, "invalid_query");

    // A write shows at once: an admin's override takes one good outcome away.
    let body = json!({"outcome": "membaik", "reason": "RAT 2017 belum disahkan."});
    let path = format!("/api/v1/cases/{first_good}/outcome");
    assert_eq!(
        app.request(Method::PUT, &path, Some(&body), &[])
            .await
            .status,
        200
    );
    let again = app
        .get(&format!("/api/v1/programmes/{programme}/indicators"))
        .await;
    assert_eq!(again.body["cumulative"]["clinic"]["cooperatives_good"], 9);
}
