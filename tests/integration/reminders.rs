//! The daily reminders: each kind appears once, for the people it concerns, and goes when done;
//! both moves are in the change feed; the day's digest reaches a real SMTP server once.

use actix_web::http::Method;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde_json::{Value, json};

use crate::clinic_kit::{case_led_by, created, expert_of, kit, move_recommendation, report, step};
use crate::helpers::{TestApp, settings_for, this_year};

/// A day far enough ahead that every period has run out, and in July, so that this year's RAT
/// deadline (30 June next year) has passed.
fn future() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(this_year() + 1, 7, 10)
        .unwrap()
        .and_hms_opt(1, 0, 0)
        .unwrap()
}

async fn run_at(
    app: &TestApp,
    extra: &[(&str, &str)],
    at: NaiveDateTime,
) -> klinik_app::reminders::Run {
    let state = klinik_api::prepare_state(&settings_for(app.db.url(), extra)).unwrap();
    let app_state = state.clone();
    state
        .write(move |conn| klinik_app::reminders::run(conn, &app_state, at))
        .await
        .unwrap()
}

async fn kinds_of(app: &TestApp, token: &str) -> Vec<String> {
    let reply = app
        .request_as(
            Some(token),
            Method::GET,
            "/api/v1/me/notifications?page_size=100",
            None,
            &[],
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let mut kinds: Vec<String> = reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect();
    kinds.sort();
    kinds
}

struct Clinic {
    guidance: Value,
    capital: Value,
    missing_report: i64,
    officer: String,
    asep: String,
    viewer: String,
}

/// Officer Oki, assessor Asep on the team of a case in mentoring with an overdue guidance
/// recommendation and agreed capital the bank has not reported; an active cooperative with no
/// annual report for this year and another whose report says no RAT; one inactive cooperative.
async fn clinic(app: &TestApp) -> Clinic {
    let year = this_year();
    let k = kit(app, year).await;
    let officer = create_user(app, "oki", "officer", "oki@kotabogor.go.id").await;
    let asep = create_user(app, "asep", "assessor", "asep@kotabogor.go.id").await;
    let viewer = create_user(app, "vera", "viewer", "vera@kotabogor.go.id").await;
    let expert = expert_of(app, "asep", "Asep Saepudin").await;
    let coop = app
        .create_cooperative(json!({"name": "Koperasi Binaan"}))
        .await;
    let case = case_led_by(app, &k, &expert, coop).await;
    step(app, &case["id"], "screen", "screened").await;
    step(app, &case["id"], "start_diagnosis", "diagnosing").await;
    let draft = created(app, &format!("/api/v1/cases/{}/diagnoses", case["id"]), json!({"summary": "Modal lemah.",
        "findings": [{"category": "tata_kelola_rat", "severity": "berat", "description": "RAT tidak dilaksanakan."}]})).await;
    let diagnosis = app
        .post(
            &format!("/api/v1/diagnoses/{}/finalize", draft["id"]),
            &json!({"agreed_expert_ids": []}),
        )
        .await;
    assert_eq!(diagnosis.status, 200, "{}", diagnosis.body);
    let path = format!("/api/v1/diagnoses/{}/recommendations", draft["id"]);
    let due_on = (chrono::Utc::now().date_naive() + Duration::days(10)).to_string();
    let guidance = created(
        app,
        &path,
        json!({"kind": "bimbingan", "description": "Pendampingan RAT.", "due_on": due_on}),
    )
    .await;
    let capital = created(app, &path, json!({"kind": "permodalan", "description": "KUR mikro.",
        "capital": {"financing_scheme": "kur_mikro", "bank_partner_id": k.bank["id"], "amount_requested": 50_000_000}})).await;
    step(app, &case["id"], "finish_diagnosis", "recommending").await;
    move_recommendation(app, &guidance["id"], &["agreed"]).await;
    move_recommendation(app, &capital["id"], &["agreed"]).await;
    step(app, &case["id"], "start_mentoring", "mentoring").await;

    let missing_report = app
        .create_cooperative(
            json!({"name": "Koperasi Tanpa Laporan", "registration_number": "3271010000201"}),
        )
        .await;
    report(app, missing_report, year - 1, true, 1_000_000).await;
    let no_rat = app
        .create_cooperative(
            json!({"name": "Koperasi Tanpa RAT", "registration_number": "3271010000202"}),
        )
        .await;
    report(app, no_rat, year - 1, true, 1_000_000).await;
    report(app, no_rat, year, false, 0).await;
    app.create_cooperative(
        json!({"name": "Koperasi Tidur", "registration_number": "3271010000203"}),
    )
    .await;
    Clinic {
        guidance,
        capital,
        missing_report,
        officer,
        asep,
        viewer,
    }
}

async fn create_user(app: &TestApp, username: &str, role: &str, email: &str) -> String {
    let password = format!("{username}-password");
    let body = json!({"username": username, "display_name": username.to_uppercase(), "email": email, "role": role, "password": password});
    let reply = app.post("/api/v1/users", &body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    app.login(username, &password).await
}

#[actix_web::test]
async fn each_kind_appears_once_for_the_people_it_concerns_and_goes_when_done() {
    let app = TestApp::spawn().await;
    let c = clinic(&app).await;
    let first = run_at(&app, &[], future()).await;
    assert_eq!(first.created, 6, "{first:?}");
    let again = run_at(&app, &[], future()).await;
    assert_eq!(
        (again.created, again.resolved, again.notified),
        (0, 0, 0),
        "nothing twice"
    );

    assert_eq!(
        kinds_of(&app, &c.officer).await,
        [
            "annual_report_missing",
            "capital_unreported",
            "case_idle",
            "evaluation_due",
            "rat_overdue",
            "recommendation_overdue"
        ]
    );
    assert_eq!(
        kinds_of(&app, &c.asep).await,
        [
            "capital_unreported",
            "case_idle",
            "evaluation_due",
            "recommendation_overdue"
        ],
        "only their case's"
    );
    assert!(kinds_of(&app, &c.viewer).await.is_empty());
    assert!(
        kinds_of(&app, &app.token).await.is_empty(),
        "the admin runs the system, not the clinic"
    );

    let listed = app
        .request_as(
            Some(&c.officer),
            Method::GET,
            "/api/v1/me/notifications",
            None,
            &[],
        )
        .await;
    let overdue = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "recommendation_overdue")
        .unwrap()
        .clone();
    assert_eq!(
        overdue["link"],
        format!("/api/v1/recommendations/{}", c.guidance["id"])
    );
    let read = app
        .request_as(
            Some(&c.officer),
            Method::POST,
            &format!("/api/v1/me/notifications/{}/read", overdue["id"]),
            None,
            &[],
        )
        .await;
    assert!(read.body["read_at"].is_string(), "{}", read.body);
    let listed = app
        .request_as(
            Some(&c.officer),
            Method::GET,
            "/api/v1/me/notifications",
            None,
            &[],
        )
        .await;
    assert_eq!(
        listed.body["items"][5]["id"], overdue["id"],
        "read ones last"
    );
    app.request_as(
        Some(&c.asep),
        Method::POST,
        &format!("/api/v1/me/notifications/{}/read", overdue["id"]),
        None,
        &[],
    )
    .await
    .assert_problem(404, "not_found");
    let all = app
        .request_as(
            Some(&c.officer),
            Method::POST,
            "/api/v1/me/notifications/read-all",
            None,
            &[],
        )
        .await;
    assert_eq!(all.body["marked"], 5);
    let unread = app
        .request_as(
            Some(&c.officer),
            Method::GET,
            "/api/v1/me/notifications?unread=true",
            None,
            &[],
        )
        .await;
    assert_eq!(unread.body["total"], 0);

    // Done: the guidance finished, the bank reported, the missing report filed.
    move_recommendation(&app, &c.guidance["id"], &["in_progress", "done"]).await;
    let approval = json!({"amount_approved": 40_000_000, "approved_on": chrono::Utc::now().date_naive().to_string()});
    let reported = app
        .request(
            Method::PUT,
            &format!("/api/v1/recommendations/{}/capital", c.capital["id"]),
            Some(&approval),
            &[],
        )
        .await;
    assert_eq!(reported.status, 200, "{}", reported.body);
    report(&app, c.missing_report, this_year(), false, 0).await;
    let later = run_at(&app, &[], future()).await;
    assert_eq!(
        (later.resolved, later.created),
        (3, 1),
        "the missing report became a RAT not held: {later:?}"
    );
    assert_eq!(
        kinds_of(&app, &c.officer).await,
        ["case_idle", "evaluation_due", "rat_overdue", "rat_overdue"]
    );

    // Other systems hear of both moves.
    let feed = app.get("/api/v1/changes?kinds=reminder&limit=500").await;
    let actions: Vec<&str> = feed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "create").count(),
        7,
        "{}",
        feed.body
    );
    assert_eq!(actions.iter().filter(|a| **a == "resolve").count(), 3);
    let entry = &feed.body["items"][0];
    assert_eq!(entry["kind"], "reminder");
    assert!(entry["record"]["link"].is_string(), "{entry}");
}

#[actix_web::test]
async fn the_days_digest_reaches_the_smtp_server_once_in_each_persons_language() {
    let maildir = tempfile::tempdir().unwrap();
    let smtp = crate::tools::smtp_server(&maildir.path().join("mail"));
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let extra = [
        ("KLINIK_SMTP_URL", url.as_str()),
        ("KLINIK_SMTP_FROM", "Klinik KUMKM <klinik@kotabogor.go.id>"),
    ];
    let app = TestApp::spawn_with(&extra).await;
    let c = clinic(&app).await;
    let settings = app
        .request_as(
            Some(&c.asep),
            Method::GET,
            "/api/v1/me/notification-settings",
            None,
            &[],
        )
        .await;
    assert_eq!(
        settings.body,
        json!({"language": "id", "email_opt_out": [], "email": "asep@kotabogor.go.id", "version": 0})
    );
    let english = json!({"language": "en", "email_opt_out": ["case_idle"]});
    let put = app
        .request_as(
            Some(&c.asep),
            Method::PUT,
            "/api/v1/me/notification-settings",
            Some(&english),
            &[("if-match", "\"0\"")],
        )
        .await;
    assert_eq!(
        (put.status.as_u16(), &put.body["version"]),
        (200, &json!(1)),
        "{}",
        put.body
    );
    app.request_as(
        Some(&c.asep),
        Method::PUT,
        "/api/v1/me/notification-settings",
        Some(&english),
        &[("if-match", "\"0\"")],
    )
    .await
    .assert_problem(412, "precondition_failed");

    let run = run_at(&app, &extra, future()).await;
    assert_eq!(
        run.digests, 2,
        "the officer and the assessor; the viewer has nothing: {run:?}"
    );
    let state = klinik_api::prepare_state(&settings_for(app.db.url(), &extra)).unwrap();
    let sent = klinik_app::reminders::digest::send_due(&state, future())
        .await
        .unwrap();
    assert_eq!(sent, 2);
    assert_eq!(
        klinik_app::reminders::digest::send_due(&state, future() + Duration::hours(1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        run_at(&app, &extra, future()).await.digests,
        0,
        "one digest a day"
    );

    let mail = crate::tools::received(&maildir.path().join("mail"));
    assert_eq!(mail.len(), 2, "{mail:?}");
    let to_oki = mail
        .iter()
        .find(|m| m.contains("oki@kotabogor.go.id"))
        .unwrap();
    let day = future().date().format("%Y-%m-%d").to_string();
    assert!(
        to_oki.contains(&format!("Subject: Klinik KUMKM: 6 pengingat ({day})")),
        "{to_oki}"
    );
    assert!(
        to_oki.contains("Yth. OKI,") && to_oki.contains("Rekomendasi melewati tenggat"),
        "{to_oki}"
    );
    let from = to_oki.lines().find(|l| l.starts_with("From: ")).unwrap();
    assert!(
        from.contains("Klinik KUMKM") && from.ends_with("<klinik@kotabogor.go.id>"),
        "{from}"
    );
    let to_asep = mail
        .iter()
        .find(|m| m.contains("asep@kotabogor.go.id"))
        .unwrap();
    assert!(
        to_asep.contains(&format!("Subject: Klinik KUMKM: 3 reminders ({day})")),
        "{to_asep}"
    );
    assert!(
        to_asep.contains("Dear ASEP,") && !to_asep.contains("no recent activity"),
        "opted out: {to_asep}"
    );
}
