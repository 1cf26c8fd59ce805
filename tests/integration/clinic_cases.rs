//! The clinic's workflow over HTTP: a programme, its team, a `diagnosa` session, cooperative and
//! UKM cases from registration to a final diagnosis, each guard failing once on the way.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::helpers::TestApp;

async fn created(app: &TestApp, path: &str, body: Value) -> Value {
    let reply = app.post(path, &body).await;
    assert_eq!(reply.status, 201, "{path}: {}", reply.body);
    reply.body
}

async fn act(
    app: &TestApp,
    case: &Value,
    action: &str,
    note: Option<&str>,
) -> crate::helpers::Reply {
    let mut body = json!({"action": action});
    if let Some(note) = note {
        body["note"] = json!(note);
    }
    app.post(&format!("/api/v1/cases/{}/transitions", case["id"]), &body)
        .await
}

/// The guard code of a refused transition.
fn guard(reply: &crate::helpers::Reply) -> String {
    assert_eq!(reply.status, 422, "{}", reply.body);
    reply.body["errors"][0]["code"].as_str().unwrap().to_owned()
}

struct Clinic {
    programme: Value,
    academic: Value,
    practitioner: Value,
    ukm_checklist: i64,
}

async fn clinic(app: &TestApp) -> Clinic {
    let ipb = created(
        app,
        "/api/v1/partners",
        json!({"name": "Institut Pertanian Bogor", "kind": "university"}),
    )
    .await;
    let academic = created(app, "/api/v1/experts", json!({"full_name": "Dr. Rina Wulandari", "role": "akademisi", "partner_id": ipb["id"], "expertise": ["tata_kelola_rat", "keuangan_akuntansi"]})).await;
    let practitioner = created(
        app,
        "/api/v1/experts",
        json!({"full_name": "Hendra Gunawan", "role": "praktisi", "expertise": ["pemasaran"]}),
    )
    .await;
    let instruments = app.get("/api/v1/instruments?code=ksp_syariah").await;
    let programme = created(app, "/api/v1/programmes", json!({"name": "Coaching Clinic 2017", "year": 2017, "default_instrument_id": instruments.body["items"][0]["id"]})).await;
    let ukm_checklist =
        app.get("/api/v1/instruments?code=ukm_checklist").await.body["items"][0]["id"]
            .as_i64()
            .unwrap();
    Clinic {
        programme,
        academic,
        practitioner,
        ukm_checklist,
    }
}

fn syariah_scores() -> Value {
    json!([
        {"component": "permodalan", "score": "70"},
        {"component": "kualitas_aktiva_produktif", "score": "60"},
        {"component": "manajemen", "score": "70"},
        {"component": "efisiensi", "score": "50"},
        {"component": "likuiditas", "score": "80"},
        {"component": "kemandirian_pertumbuhan", "score": "60"},
        {"component": "jatidiri_koperasi", "score": "74.8"},
        {"component": "prinsip_syariah", "score": "60"}
    ])
}

fn checklist(score: &str) -> Value {
    let aspects = [
        "manajemen",
        "sdm",
        "keuangan_akuntansi",
        "permodalan",
        "kinerja_usaha",
        "pemasaran",
        "produksi",
        "legalitas_perizinan",
        "digitalisasi",
        "motivasi",
    ];
    Value::Array(
        aspects
            .iter()
            .map(|a| json!({"component": a, "score": score}))
            .collect(),
    )
}

#[actix_web::test]
async fn cooperative_and_ukm_cases_go_from_registration_to_a_final_diagnosis_past_every_guard() {
    let app = TestApp::spawn().await;
    let c = clinic(&app).await;
    let coop_id = app.create_cooperative(json!({"management_pattern": "syariah", "type": "simpan_pinjam", "savings_and_loan": true})).await;
    let provincial = app.create_cooperative(json!({"name": "Koperasi Lintas Kabupaten", "membership_area": "lintas_kabupaten_kota"})).await;
    let ukm = created(&app, "/api/v1/ukm", json!({"business_name": "Asinan Bu Siti", "sector": "culinary", "kelurahan_code": "32.71.01.1006", "owner": {"full_name": "Siti Aminah"}})).await;

    // Registration: one open case per subject per programme.
    let coop_case = created(&app, "/api/v1/cases", json!({"programme_id": c.programme["id"], "subject_kind": "cooperative", "subject_id": coop_id, "referral_source": "office_initiative"})).await;
    assert_eq!(
        (
            coop_case["status"].as_str(),
            coop_case["kecamatan_code"].as_str()
        ),
        (Some("registered"), Some("32.71.01"))
    );
    app.post("/api/v1/cases", &json!({"programme_id": c.programme["id"], "subject_kind": "cooperative", "subject_id": coop_id, "referral_source": "own_request"}))
        .await
        .assert_problem(409, "open_case_exists");
    let ukm_case = created(&app, "/api/v1/cases", json!({"programme_id": c.programme["id"], "subject_kind": "ukm", "subject_id": ukm["id"], "referral_source": "partner"})).await;
    let outside = created(&app, "/api/v1/cases", json!({"programme_id": c.programme["id"], "subject_kind": "cooperative", "subject_id": provincial, "referral_source": "supervision_finding"})).await;

    // Screening: the province's cooperative cannot pass; rejecting needs a note.
    let refused = act(&app, &outside, "screen", None).await;
    assert_eq!(guard(&refused), "outside_city_supervision");
    assert!(
        refused.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("provincial")
    );
    assert_eq!(
        guard(&act(&app, &outside, "reject", None).await),
        "note_required"
    );
    let rejected = act(
        &app,
        &outside,
        "reject",
        Some("Diteruskan ke Dinas KUKM Provinsi Jawa Barat."),
    )
    .await;
    assert_eq!(rejected.body["status"], "rejected");
    assert_eq!(rejected.body["allowed_actions"], json!([]));
    act(&app, &outside, "screen", None)
        .await
        .assert_problem(409, "transition_not_allowed");

    for case in [&coop_case, &ukm_case] {
        assert_eq!(
            act(&app, case, "screen", None).await.body["status"],
            "screened"
        );
        // Diagnosis needs a team.
        assert_eq!(
            guard(&act(&app, case, "start_diagnosis", None).await),
            "team_required"
        );
        let path = format!("/api/v1/cases/{}", case["id"]);
        let team = app.patch(&path, &json!({"team": [{"expert_id": c.academic["id"], "lead": true}, {"expert_id": c.practitioner["id"]}]})).await;
        assert_eq!(team.status, 200, "{}", team.body);
        assert_eq!(team.body["team"][0]["full_name"], "Dr. Rina Wulandari");
        assert_eq!(
            act(&app, case, "start_diagnosis", None).await.body["status"],
            "diagnosing"
        );
        // Finishing needs a final diagnosis.
        assert_eq!(
            guard(&act(&app, case, "finish_diagnosis", None).await),
            "final_diagnosis_required"
        );
    }

    // The diagnosa session the cases attend.
    let session = created(&app, "/api/v1/clinic-sessions", json!({
        "programme_id": c.programme["id"], "starts_at": "2017-06-14T02:00:00Z", "venue": "Ruang Paseban Sri Bima, Balai Kota",
        "kind": "diagnosa", "speaker_ids": [c.academic["id"]], "expert_ids_present": [c.academic["id"], c.practitioner["id"]],
        "cases": [{"case_id": coop_case["id"], "present": true}, {"case_id": ukm_case["id"], "present": false}]})).await;
    assert_eq!(session["speakers"][0]["full_name"], "Dr. Rina Wulandari");
    assert_eq!(
        app.get(&format!(
            "/api/v1/clinic-sessions?case_id={}",
            ukm_case["id"]
        ))
        .await
        .body["total"],
        1
    );

    // The cooperative's diagnosis: a draft without findings cannot be finalized.
    let diagnosis = created(&app, &format!("/api/v1/cases/{}/diagnoses", coop_case["id"]), json!({"diagnosed_on": "2017-06-14",
        "health_assessment": {"instrument_id": c.programme["default_instrument_id"], "scores": syariah_scores()}})).await;
    assert_eq!(diagnosis["health_assessment"]["result"]["total"], "65.98");
    let finalize = format!("/api/v1/diagnoses/{}/finalize", diagnosis["id"]);
    let empty = app.post(&finalize, &json!({"agreed_expert_ids": []})).await;
    assert_eq!(guard(&empty), "finding_required");
    let draft = format!("/api/v1/diagnoses/{}", diagnosis["id"]);
    let edited = app.patch(&draft, &json!({"findings": [
        {"category": "tata_kelola_rat", "severity": "berat", "description": "RAT tidak dilaksanakan tiga tahun berturut-turut."},
        {"category": "permodalan", "severity": "sedang", "description": "Modal sendiri hanya 12% dari aset."}]})).await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    let scored = app
        .request(Method::PUT, &format!("{draft}/member-scores/{}", c.practitioner["id"]), Some(&json!({"instrument_id": c.programme["default_instrument_id"], "scores": syariah_scores()})), &[])
        .await;
    assert_eq!(
        scored.body["member_scores"][0]["result"]["predicate"],
        "dalam_pengawasan"
    );
    let done = app
        .post(
            &finalize,
            &json!({"agreed_expert_ids": [c.practitioner["id"]]}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.body["status"], "final");
    assert_eq!(
        done.body["agreed_expert_ids"],
        json!([c.academic["id"], c.practitioner["id"]])
    );
    app.patch(&draft, &json!({"summary": "changed"}))
        .await
        .assert_problem(409, "diagnosis_final");
    // Finishing needs a recommendation on the final diagnosis, answering its findings.
    assert_eq!(
        guard(&act(&app, &coop_case, "finish_diagnosis", None).await),
        "recommendation_required"
    );
    let finding = &done.body["findings"][0];
    assert_eq!(finding["category"], "tata_kelola_rat");
    created(&app, &format!("/api/v1/diagnoses/{}/recommendations", diagnosis["id"]), json!({"kind": "bimbingan",
        "finding_ids": [finding["id"]], "description": "Pendampingan penyelenggaraan RAT tahun buku 2016."})).await;
    let recommending = act(&app, &coop_case, "finish_diagnosis", None).await;
    assert_eq!(recommending.body["status"], "recommending");
    assert_eq!(
        recommending.body["baseline_assessment"]["predicate"],
        "dalam_pengawasan"
    );
    assert_eq!(recommending.body["baseline_assessment"]["total"], "65.98");

    // The UKM: checklist instrument, not the cooperative's.
    let path = format!("/api/v1/cases/{}/diagnoses", ukm_case["id"]);
    let wrong = app.post(&path, &json!({"health_assessment": {"instrument_id": c.programme["default_instrument_id"], "scores": syariah_scores()}})).await;
    assert_eq!(guard(&wrong), "instrument_subject_mismatch");
    let ukm_diagnosis = created(&app, &path, json!({"summary": "Pemasaran hanya dari mulut ke mulut.",
        "findings": [{"category": "pemasaran", "severity": "sedang", "description": "Belum ada pemasaran digital."}],
        "health_assessment": {"instrument_id": c.ukm_checklist, "scores": checklist("82.5")}})).await;
    app.post(&path, &json!({}))
        .await
        .assert_problem(409, "draft_exists");
    let done = app
        .post(
            &format!("/api/v1/diagnoses/{}/finalize", ukm_diagnosis["id"]),
            &json!({"agreed_expert_ids": []}),
        )
        .await;
    assert_eq!(
        done.body["health_assessment"]["result"]["predicate"],
        "sehat"
    );
    created(&app, &format!("/api/v1/diagnoses/{}/recommendations", ukm_diagnosis["id"]), json!({"kind": "fasilitasi_pemasaran",
        "finding_ids": [done.body["findings"][0]["id"]], "description": "Pelatihan pemasaran digital."})).await;
    let ukm_done = act(&app, &ukm_case, "finish_diagnosis", None).await;
    assert_eq!(
        (
            ukm_done.body["status"].as_str(),
            ukm_done.body["latest_assessment"]["total"].as_str()
        ),
        (Some("recommending"), Some("82.5"))
    );
    assert_eq!(
        guard(&act(&app, &ukm_case, "start_mentoring", None).await),
        "agreed_recommendation_required"
    );

    // The history shows every transition with its actor and note.
    let history = app
        .get(&format!("/api/v1/cases/{}/history", outside["id"]))
        .await;
    assert_eq!(history.body["total"], 1);
    assert_eq!(history.body["items"][0]["action"], "reject");
    assert_eq!(history.body["items"][0]["actor_name"], "admin");
    assert_eq!(
        history.body["items"][0]["note"],
        "Diteruskan ke Dinas KUKM Provinsi Jawa Barat."
    );
    let coop_history = app
        .get(&format!("/api/v1/cases/{}/history", coop_case["id"]))
        .await;
    let actions: Vec<&str> = coop_history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["screen", "start_diagnosis", "finish_diagnosis"]);

    let listed = app
        .get(&format!(
            "/api/v1/cases?programme_id={}&status=recommending&kecamatan_code=32.71.01",
            c.programme["id"]
        ))
        .await;
    assert_eq!(listed.body["total"], 2);
    assert_eq!(
        app.get("/api/v1/cases?subject_kind=ukm").await.body["total"],
        1
    );
    assert_eq!(
        app.get(&format!("/api/v1/cases?expert_id={}", c.practitioner["id"]))
            .await
            .body["total"],
        2
    );
}

#[actix_web::test]
async fn an_assessor_sees_and_works_only_on_the_cases_of_their_team() {
    let app = TestApp::spawn().await;
    let c = clinic(&app).await;
    let asep_token = app.user_token("asep", "assessor").await;
    let viewer = app.user_token("vera", "viewer").await;
    let users = app.get("/api/v1/users?page_size=100").await;
    let asep_user = users.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "asep")
        .unwrap()["id"]
        .clone();
    let asep = created(
        &app,
        "/api/v1/experts",
        json!({"full_name": "Asep Saepudin", "role": "praktisi", "user_id": asep_user}),
    )
    .await;

    let mine_id = app
        .create_cooperative(json!({"name": "Koperasi Mine"}))
        .await;
    let other_id = app
        .create_cooperative(json!({"name": "Koperasi Other"}))
        .await;
    let mine = created(&app, "/api/v1/cases", json!({"programme_id": c.programme["id"], "subject_kind": "cooperative", "subject_id": mine_id, "referral_source": "office_initiative",
        "team": [{"expert_id": asep["id"], "lead": true}, {"expert_id": c.academic["id"]}]})).await;
    let other = created(&app, "/api/v1/cases", json!({"programme_id": c.programme["id"], "subject_kind": "cooperative", "subject_id": other_id, "referral_source": "office_initiative",
        "team": [{"expert_id": c.academic["id"], "lead": true}]})).await;

    let as_asep = |method: Method, path: String, body: Option<Value>| {
        let token = asep_token.clone();
        let app = &app;
        async move {
            app.request_as(Some(&token), method, &path, body.as_ref(), &[])
                .await
        }
    };
    let listed = as_asep(Method::GET, "/api/v1/cases".into(), None).await;
    assert_eq!(listed.body["total"], 1);
    assert_eq!(listed.body["items"][0]["id"], mine["id"]);
    as_asep(Method::GET, format!("/api/v1/cases/{}", other["id"]), None)
        .await
        .assert_problem(404, "not_found");
    as_asep(
        Method::GET,
        format!("/api/v1/cases/{}/history", other["id"]),
        None,
    )
    .await
    .assert_problem(404, "not_found");
    assert_eq!(
        as_asep(Method::GET, format!("/api/v1/cases/{}", mine["id"]), None)
            .await
            .status,
        200
    );
    // Screening is office work, not the assessor's.
    as_asep(
        Method::POST,
        format!("/api/v1/cases/{}/transitions", mine["id"]),
        Some(json!({"action": "screen"})),
    )
    .await
    .assert_problem(403, "forbidden");
    for case in [&mine, &other] {
        act(&app, case, "screen", None).await;
        act(&app, case, "start_diagnosis", None).await;
    }
    as_asep(
        Method::POST,
        format!("/api/v1/cases/{}/diagnoses", other["id"]),
        Some(json!({})),
    )
    .await
    .assert_problem(404, "not_found");
    let theirs = created(
        &app,
        &format!("/api/v1/cases/{}/diagnoses", other["id"]),
        json!({}),
    )
    .await;
    as_asep(
        Method::GET,
        format!("/api/v1/diagnoses/{}", theirs["id"]),
        None,
    )
    .await
    .assert_problem(404, "not_found");
    let draft = as_asep(Method::POST, format!("/api/v1/cases/{}/diagnoses", mine["id"]), Some(json!({"findings": [{"category": "sdm", "severity": "ringan", "description": "Pengurus belum pernah pelatihan."}]}))).await;
    assert_eq!(draft.status, 201, "{}", draft.body);
    let own = format!(
        "/api/v1/diagnoses/{}/member-scores/{}",
        draft.body["id"], asep["id"]
    );
    let others = format!(
        "/api/v1/diagnoses/{}/member-scores/{}",
        draft.body["id"], c.academic["id"]
    );
    let ksp = app.get("/api/v1/instruments?code=ksp_syariah").await.body["items"][0]["id"].clone();
    let body = json!({"instrument_id": ksp, "scores": syariah_scores()});
    as_asep(Method::PUT, others, Some(body.clone()))
        .await
        .assert_problem(403, "forbidden");
    assert_eq!(as_asep(Method::PUT, own, Some(body)).await.status, 200);
    let finalized = as_asep(
        Method::POST,
        format!("/api/v1/diagnoses/{}/finalize", draft.body["id"]),
        Some(json!({"agreed_expert_ids": []})),
    )
    .await;
    assert_eq!(
        finalized.status, 200,
        "the lead finalizes: {}",
        finalized.body
    );
    // The team's member recommends; another team's assessor cannot even see the diagnosis.
    let recommended = as_asep(Method::POST, format!("/api/v1/diagnoses/{}/recommendations", draft.body["id"]),
        Some(json!({"kind": "pelatihan", "finding_ids": [finalized.body["findings"][0]["id"]], "description": "Pelatihan pengurus."}))).await;
    assert_eq!(recommended.status, 201, "{}", recommended.body);
    as_asep(
        Method::POST,
        format!("/api/v1/diagnoses/{}/recommendations", theirs["id"]),
        Some(json!({"kind": "pelatihan", "description": "x"})),
    )
    .await
    .assert_problem(404, "not_found");
    let finished = as_asep(
        Method::POST,
        format!("/api/v1/cases/{}/transitions", mine["id"]),
        Some(json!({"action": "finish_diagnosis"})),
    )
    .await;
    assert_eq!(finished.body["status"], "recommending");

    // Viewers read every case and act on none.
    let seen = app
        .request_as(Some(&viewer), Method::GET, "/api/v1/cases", None, &[])
        .await;
    assert_eq!(seen.body["total"], 2);
    app.request_as(
        Some(&viewer),
        Method::POST,
        &format!("/api/v1/cases/{}/transitions", other["id"]),
        Some(&json!({"action": "withdraw", "note": "x"})),
        &[],
    )
    .await
    .assert_problem(403, "forbidden");
}

#[actix_web::test]
async fn an_amendment_supersedes_a_final_diagnosis_and_both_stay_readable() {
    let app = TestApp::spawn().await;
    let c = clinic(&app).await;
    let coop = app.create_cooperative(json!({})).await;
    let case = created(&app, "/api/v1/cases", json!({"programme_id": c.programme["id"], "subject_kind": "cooperative", "subject_id": coop, "referral_source": "own_request",
        "team": [{"expert_id": c.academic["id"], "lead": true}]})).await;
    act(&app, &case, "screen", None).await;
    act(&app, &case, "start_diagnosis", None).await;
    let path = format!("/api/v1/cases/{}/diagnoses", case["id"]);
    let finding = json!([{"category": "manajemen", "severity": "sedang", "description": "Pembukuan manual."}]);
    let first = created(&app, &path, json!({"findings": finding})).await;
    app.post(
        &format!("/api/v1/diagnoses/{}/finalize", first["id"]),
        &json!({"agreed_expert_ids": []}),
    )
    .await;
    let second = created(
        &app,
        &path,
        json!({"findings": finding, "summary": "Koreksi: pembukuan sudah memakai aplikasi."}),
    )
    .await;
    assert_eq!(
        (second["supersedes_id"].clone(), second["sequence"].clone()),
        (first["id"].clone(), json!(2))
    );
    let all = app.get(&path).await;
    assert_eq!(all.body["total"], 2);
    assert_eq!(all.body["items"][0]["superseded_by_id"], second["id"]);
    assert_eq!(all.body["items"][0]["status"], "final");
    let rejected = app
        .post(
            &format!("/api/v1/diagnoses/{}/finalize", first["id"]),
            &json!({"agreed_expert_ids": [999]}),
        )
        .await;
    rejected.assert_problem(409, "diagnosis_final");
    let outsider = app
        .post(
            &format!("/api/v1/diagnoses/{}/finalize", second["id"]),
            &json!({"agreed_expert_ids": [c.practitioner["id"]]}),
        )
        .await;
    assert_eq!(guard(&outsider), "not_on_team");
}
