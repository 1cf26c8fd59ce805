//! The clinic's second part over HTTP: recommendations and their capital, mentoring,
//! evaluation, the outcome computed on closing, and dissolution proposals.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::clinic_kit::{act, created, diagnosed, guard, kit, move_recommendation, report, step};
use crate::helpers::{TestApp, this_year};

/// A client token for an integration client with `scopes`, speaking for `partner_id`.
async fn partner_client_token(app: &TestApp, scopes: &[&str], partner_id: &Value) -> String {
    partner_client(app, scopes, partner_id).await.1
}

/// A client speaking for `partner_id`: its id and an access token.
pub(crate) async fn partner_client(
    app: &TestApp,
    scopes: &[&str],
    partner_id: &Value,
) -> (i64, String) {
    let reply = app
        .post(
            "/api/v1/clients",
            &json!({"name": "Sistem Bank", "scopes": scopes, "partner_id": partner_id}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.body["partner_id"], *partner_id);
    let (number, id, secret) = (
        reply.body["id"].as_i64().unwrap(),
        reply.body["client_id"].as_str().unwrap().to_owned(),
        reply.body["client_secret"].as_str().unwrap().to_owned(),
    );
    let req = actix_web::test::TestRequest::post()
        .uri("/api/v1/auth/token")
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload(format!(
            "grant_type=client_credentials&client_id={id}&client_secret={secret}"
        ));
    let token = app.send(req).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    (number, token)
}

#[actix_web::test]
async fn recommendations_answer_their_diagnosis_and_move_only_along_their_machine() {
    let app = TestApp::spawn().await;
    let k = kit(&app, 2017).await;
    let coop = app.create_cooperative(json!({})).await;
    let (case, diagnosis) = diagnosed(&app, &k, "cooperative", coop).await;
    let path = format!("/api/v1/diagnoses/{}/recommendations", diagnosis["id"]);
    let finding = diagnosis["findings"][0]["id"].clone();
    let university = created(
        &app,
        "/api/v1/partners",
        json!({"name": "IPB", "kind": "university"}),
    )
    .await;

    // Each rule once: foreign finding, capital where it does not belong or is missing, two
    // people responsible, a university as the bank.
    for (body, field, code) in [
        (
            json!({"kind": "bimbingan", "finding_ids": [finding.as_i64().unwrap() + 1000], "description": "x"}),
            "finding_ids[0]",
            "finding_not_in_diagnosis",
        ),
        (
            json!({"kind": "permodalan", "description": "x"}),
            "capital",
            "capital_required",
        ),
        (
            json!({"kind": "bimbingan", "description": "x", "capital": {"financing_scheme": "umi"}}),
            "capital",
            "capital_not_allowed",
        ),
        (
            json!({"kind": "bimbingan", "description": "x", "responsible_expert_id": k.lead["id"], "responsible_partner_id": k.bank["id"]}),
            "responsible_expert_id",
            "one_responsible",
        ),
        (
            json!({"kind": "permodalan", "description": "x", "capital": {"financing_scheme": "kur_mikro", "bank_partner_id": university["id"]}}),
            "capital.bank_partner_id",
            "not_a_bank",
        ),
    ] {
        let reply = app.post(&path, &body).await;
        assert_eq!(reply.status, 422, "{body}: {}", reply.body);
        assert_eq!(reply.body["errors"][0]["field"], field, "{}", reply.body);
        assert_eq!(reply.body["errors"][0]["code"], code, "{}", reply.body);
    }

    let guidance = created(
        &app,
        &path,
        json!({"kind": "bimbingan", "finding_ids": [finding], "description": "Pendampingan RAT.",
        "responsible_expert_id": k.mentor["id"], "due_on": "2017-09-30"}),
    )
    .await;
    assert_eq!(
        (guidance["status"].as_str(), guidance["overdue"].as_bool()),
        (Some("proposed"), Some(true))
    );
    assert_eq!(
        guidance["allowed_statuses"],
        json!(["agreed", "rejected", "cancelled"])
    );
    let capital = created(&app, &path, json!({"kind": "permodalan", "finding_ids": [finding], "description": "KUR mikro untuk modal kerja.",
        "responsible_partner_id": k.bank["id"], "capital": {"financing_scheme": "kur_mikro", "bank_partner_id": k.bank["id"], "amount_requested": 50_000_000}})).await;
    assert_eq!(capital["capital"]["amount_requested"], 50_000_000);
    step(&app, &case["id"], "finish_diagnosis", "recommending").await;
    assert_eq!(
        guard(&act(&app, &case["id"], "start_mentoring", json!({})).await),
        "agreed_recommendation_required"
    );

    // The machine: proposed cannot jump to done; each move is in the history.
    let moves = format!("/api/v1/recommendations/{}/transitions", guidance["id"]);
    app.post(&moves, &json!({"status": "done"}))
        .await
        .assert_problem(409, "transition_not_allowed");
    let agreed = app
        .post(
            &moves,
            &json!({"status": "agreed", "note": "Disepakati pengurus."}),
        )
        .await;
    assert_eq!(agreed.body["status"], "agreed", "{}", agreed.body);
    let done = move_recommendation(&app, &guidance["id"], &["in_progress", "done"]).await;
    assert_eq!(
        (done["status"].as_str(), done["overdue"].as_bool()),
        (Some("done"), Some(false))
    );
    let history = app
        .get(&format!(
            "/api/v1/recommendations/{}/history",
            guidance["id"]
        ))
        .await;
    assert_eq!(history.body["total"], 3);
    assert_eq!(history.body["items"][0]["note"], "Disepakati pengurus.");
    assert_eq!(history.body["items"][2]["to_status"], "done");
    app.patch(
        &format!("/api/v1/recommendations/{}", guidance["id"]),
        &json!({"description": "y"}),
    )
    .await
    .assert_problem(409, "recommendation_closed");
    step(&app, &case["id"], "start_mentoring", "mentoring").await;

    // Capital: reported once agreed, never more disbursed than approved.
    let report_path = format!("/api/v1/recommendations/{}/capital", capital["id"]);
    let approval = json!({"amount_approved": 40_000_000, "approved_on": "2017-08-01"});
    app.request(Method::PUT, &report_path, Some(&approval), &[])
        .await
        .assert_problem(409, "recommendation_not_agreed");
    move_recommendation(&app, &capital["id"], &["agreed"]).await;
    let too_much = json!({"amount_approved": 40_000_000, "approved_on": "2017-08-01", "amount_disbursed": 40_000_001, "disbursed_on": "2017-08-15"});
    let reply = app
        .request(Method::PUT, &report_path, Some(&too_much), &[])
        .await;
    assert_eq!(guard(&reply), "disbursed_above_approved");
    let bank = partner_client_token(&app, &["capital:write"], &k.bank["id"]).await;
    let other_bank = created(
        &app,
        "/api/v1/partners",
        json!({"name": "BPR Kota Bogor", "kind": "bpr"}),
    )
    .await;
    let stranger = partner_client_token(&app, &["capital:write"], &other_bank["id"]).await;
    let reader = partner_client_token(&app, &["clinic:read"], &k.bank["id"]).await;
    let full = json!({"amount_approved": 40_000_000, "approved_on": "2017-08-01", "amount_disbursed": 40_000_000, "disbursed_on": "2017-08-15"});
    for token in [&stranger, &reader] {
        app.request_as(Some(token), Method::PUT, &report_path, Some(&full), &[])
            .await
            .assert_problem(403, "forbidden");
    }
    let reported = app
        .request_as(Some(&bank), Method::PUT, &report_path, Some(&full), &[])
        .await;
    assert_eq!(reported.status, 200, "{}", reported.body);
    assert_eq!(reported.body["capital"]["amount_disbursed"], 40_000_000);
    let audit = app
        .get("/api/v1/audit-events?entity_type=recommendation&action=report_capital")
        .await;
    assert_eq!(
        audit.body["items"][0]["actor_type"], "client",
        "{}",
        audit.body
    );

    // Filters.
    assert_eq!(
        app.get("/api/v1/recommendations?kind=permodalan&financing_scheme=kur_mikro")
            .await
            .body["total"],
        1
    );
    assert_eq!(
        app.get(&format!(
            "/api/v1/recommendations?bank_partner_id={}",
            k.bank["id"]
        ))
        .await
        .body["total"],
        1
    );
    assert_eq!(
        app.get("/api/v1/recommendations?status=done").await.body["total"],
        1
    );
    assert_eq!(
        app.get(&format!(
            "/api/v1/recommendations?responsible_expert_id={}",
            k.mentor["id"]
        ))
        .await
        .body["total"],
        1
    );
    assert_eq!(
        app.get("/api/v1/recommendations?overdue=false").await.body["total"],
        2
    );
    assert_eq!(
        app.get(&format!(
            "/api/v1/recommendations?programme_id={}&case_id={}",
            k.programme["id"], case["id"]
        ))
        .await
        .body["total"],
        2
    );
    app.get("/api/v1/recommendations?overdue=maybe")
        .await
        .assert_problem(400, "invalid_query");
}

#[actix_web::test]
async fn a_case_is_mentored_evaluated_and_closed_with_the_outcome_its_evidence_earns() {
    let app = TestApp::spawn().await;
    let k = kit(&app, 2017).await;
    let last = this_year() - 1;
    let coop = app
        .create_cooperative(json!({"name": "Koperasi Konsumen Sejahtera"}))
        .await;
    report(&app, coop, last - 1, false, 9_000_000).await;
    let (case, diagnosis) = diagnosed(&app, &k, "cooperative", coop).await;
    let recommendation = created(
        &app,
        &format!("/api/v1/diagnoses/{}/recommendations", diagnosis["id"]),
        json!({"kind": "bimbingan", "description": "Pendampingan RAT."}),
    )
    .await;
    let activities = format!("/api/v1/cases/{}/activities", case["id"]);
    let visit = json!({"held_on": "2017-07-20", "kind": "visit", "hours": "2.5", "expert_ids": [k.mentor["id"]],
        "notes": "Bertemu ketua dan bendahara.", "recommendation_id": recommendation["id"]});
    app.post(&activities, &visit)
        .await
        .assert_problem(409, "case_not_mentoring");
    step(&app, &case["id"], "finish_diagnosis", "recommending").await;
    move_recommendation(&app, &recommendation["id"], &["agreed", "in_progress"]).await;
    step(&app, &case["id"], "start_mentoring", "mentoring").await;
    assert_eq!(
        guard(&act(&app, &case["id"], "start_evaluation", json!({})).await),
        "activity_required"
    );

    // Hours: more than 0, at most 24.
    for hours in ["0", "24.01", "1.005"] {
        let mut bad = visit.clone();
        bad["hours"] = json!(hours);
        assert_eq!(
            guard(&app.post(&activities, &bad).await),
            "hours_range",
            "{hours}"
        );
    }
    let mut full_day = visit.clone();
    full_day["hours"] = json!("24");
    let recorded = created(&app, &activities, full_day).await;
    assert_eq!(recorded["experts"][0]["full_name"], "Hendra Gunawan");
    assert_eq!(recorded["hours"], "24");
    let patched = app
        .patch(
            &format!("/api/v1/activities/{}", recorded["id"]),
            &json!({"hours": "3", "notes": null}),
        )
        .await;
    assert_eq!(
        (patched.body["hours"].as_str(), &patched.body["notes"]),
        (Some("3"), &Value::Null)
    );
    let audit = app
        .get("/api/v1/audit-events?entity_type=activity&action=update")
        .await;
    assert!(
        !audit.body.to_string().contains("Bertemu ketua"),
        "notes never reach the audit trail"
    );

    step(&app, &case["id"], "start_evaluation", "evaluating").await;
    let evaluations = format!("/api/v1/cases/{}/evaluations", case["id"]);
    let first = created(
        &app,
        &evaluations,
        json!({"conclusion": "unchanged", "next_step": "continue_mentoring"}),
    )
    .await;
    let rat = &first["indicators"][0];
    assert_eq!(
        (rat["indicator"].as_str(), &rat["baseline"], &rat["current"]),
        (Some("rat_held"), &json!(false), &json!(false))
    );
    assert_eq!(
        guard(&act(&app, &case["id"], "close", json!({})).await),
        "outcome_required"
    );
    step(&app, &case["id"], "continue_mentoring", "mentoring").await;
    step(&app, &case["id"], "start_evaluation", "evaluating").await;

    // The cooperative held its RAT last book year with SHU kept: good by the rule.
    report(&app, coop, last, true, 9_000_000).await;
    let second = created(
        &app,
        &evaluations,
        json!({"conclusion": "improved", "next_step": "close", "notes": "RAT terlaksana."}),
    )
    .await;
    let shu = &second["indicators"][1];
    assert_eq!(
        (shu["current"].as_i64(), shu["current_year"].as_i64()),
        (Some(9_000_000), Some(i64::from(last)))
    );
    assert_eq!(second["indicators"][0]["current"], true);
    assert_eq!(
        second["indicators"][2]["current"], 75,
        "members, male and female"
    );
    let closed = step(&app, &case["id"], "close", "closed").await;
    let outcome = &closed["outcome"];
    assert_eq!(outcome["outcome"], "bagus", "{closed}");
    assert_eq!(
        (
            outcome["rule_name"].as_str(),
            outcome["rule_version"].as_i64()
        ),
        (Some("bagus_default"), Some(1))
    );
    assert_eq!(
        outcome["evidence"],
        json!({"basis": "cooperative", "rat_held_last_book_year": true,
        "shu_last": 9_000_000, "shu_previous": 9_000_000, "active": true})
    );
    assert_eq!(outcome["evaluation_id"], second["id"]);

    // Only an admin overrides, with a reason; the computed outcome stays beside it.
    let officer = app.user_token("olga", "officer").await;
    let override_path = format!("/api/v1/cases/{}/outcome", case["id"]);
    let body = json!({"outcome": "membaik", "reason": "Laporan RAT belum disahkan notaris."});
    app.request_as(
        Some(&officer),
        Method::PUT,
        &override_path,
        Some(&body),
        &[],
    )
    .await
    .assert_problem(403, "forbidden");
    let overridden = app
        .request(Method::PUT, &override_path, Some(&body), &[])
        .await;
    assert_eq!(overridden.status, 200, "{}", overridden.body);
    let outcome = &overridden.body["outcome"];
    assert_eq!(
        (
            outcome["outcome"].as_str(),
            outcome["computed_outcome"].as_str()
        ),
        (Some("membaik"), Some("bagus"))
    );
    assert_eq!(outcome["overridden_by"], "admin");
    let audit = app
        .get("/api/v1/audit-events?entity_type=case&action=override_outcome")
        .await;
    assert_eq!(audit.body["total"], 1);
}

#[actix_web::test]
async fn an_uncurable_cooperative_is_proposed_for_dissolution_and_its_status_follows_the_proposal()
{
    let app = TestApp::spawn().await;
    let k = kit(&app, 2017).await;
    let coop = app
        .create_cooperative(json!({"name": "Koperasi Tanpa Usaha"}))
        .await;
    report(&app, coop, this_year() - 1, true, 1).await;
    let coop_path = format!("/api/v1/cooperatives/{coop}");
    assert_eq!(app.get(&coop_path).await.body["status"], "aktif");
    let (case, _) = diagnosed(&app, &k, "cooperative", coop).await;

    assert_eq!(
        guard(&act(&app, &case["id"], "propose_dissolution", json!({})).await),
        "dissolution_proposal_required"
    );
    let reasons = json!({"dissolution": {"reasons": ["no_business", "no_rat_two_years"]}});
    assert_eq!(
        guard(
            &act(
                &app,
                &case["id"],
                "withdraw",
                json!({"note": "x", "dissolution": {"reasons": ["other"]}})
            )
            .await
        ),
        "dissolution_not_allowed"
    );
    let officer = app.user_token("olga", "officer").await;
    app.request_as(
        Some(&officer),
        Method::POST,
        &format!("/api/v1/cases/{}/transitions", case["id"]),
        Some(
            &json!({"action": "propose_dissolution", "dissolution": {"reasons": ["no_business"]}}),
        ),
        &[],
    )
    .await
    .assert_problem(403, "forbidden");
    let mut body = reasons.clone();
    body["note"] = json!("Tidak ada kegiatan usaha sejak 2014.");
    let proposed = act(&app, &case["id"], "propose_dissolution", body).await;
    assert_eq!(
        proposed.body["status"], "dissolution_proposed",
        "{}",
        proposed.body
    );
    assert_eq!(app.get(&coop_path).await.body["status"], "diusulkan_bubar");
    let listed = app
        .get(&format!(
            "/api/v1/dissolution-proposals?cooperative_id={coop}"
        ))
        .await;
    assert_eq!(listed.body["total"], 1);
    let proposal = &listed.body["items"][0];
    assert_eq!(
        proposal["reasons"],
        json!(["no_business", "no_rat_two_years"])
    );
    assert_eq!(proposal["note"], "Tidak ada kegiatan usaha sejak 2014.");

    // Forwarded, then withdrawn: the cooperative's own status returns.
    let moves = format!(
        "/api/v1/dissolution-proposals/{}/transitions",
        proposal["id"]
    );
    let forwarded = app.post(&moves, &json!({"status": "forwarded"})).await;
    assert_eq!(
        forwarded.body["allowed_statuses"],
        json!(["approved", "rejected", "withdrawn"])
    );
    app.post(&moves, &json!({"status": "submitted"}))
        .await
        .assert_problem(409, "transition_not_allowed");
    let withdrawn = app.post(&moves, &json!({"status": "withdrawn"})).await;
    assert_eq!(withdrawn.body["status"], "withdrawn", "{}", withdrawn.body);
    let cooperative = app.get(&coop_path).await;
    assert_eq!(
        (
            cooperative.body["status"].as_str(),
            &cooperative.body["status_override"]
        ),
        (Some("aktif"), &Value::Null)
    );

    // A new programme's case proposes again; this time the ministry approves.
    let next = kit(&app, 2018).await;
    let (again, _) = diagnosed(&app, &next, "cooperative", coop).await;
    let proposed = act(&app, &again["id"], "propose_dissolution", reasons.clone()).await;
    assert_eq!(
        proposed.body["status"], "dissolution_proposed",
        "{}",
        proposed.body
    );
    let listed = app
        .get("/api/v1/dissolution-proposals?status=submitted")
        .await;
    let moves = format!(
        "/api/v1/dissolution-proposals/{}/transitions",
        listed.body["items"][0]["id"]
    );
    assert_eq!(
        app.post(&moves, &json!({"status": "approved"})).await.body["status"],
        "approved"
    );
    assert_eq!(app.get(&coop_path).await.body["status"], "dibubarkan");

    // A UKM cannot be dissolved by the clinic.
    let ukm = created(
        &app,
        "/api/v1/ukm",
        json!({"business_name": "Asinan Bu Siti", "sector": "culinary",
        "kelurahan_code": "32.71.01.1006", "owner": {"full_name": "Siti Aminah"}}),
    )
    .await;
    let (ukm_case, _) = diagnosed(&app, &k, "ukm", ukm["id"].as_i64().unwrap()).await;
    assert_eq!(
        guard(&act(&app, &ukm_case["id"], "propose_dissolution", reasons).await),
        "cooperative_only"
    );
}
