//! Webhooks against a real HTTP receiver in this process that verifies every signature with the
//! Standard Webhooks library: failures then recovery, a server stopped in the middle of a post,
//! the subscription turned off by a run of failures, and the rules of a subscription.

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, web};
use klinik_app::webhooks::delivery::{Round, Sender, run_once};
use serde_json::{Value, json};

use crate::clinic_followup::partner_client;
use crate::clinic_kit::{created, diagnosed, kit, move_recommendation, step};
use crate::helpers::{TestApp, raw_count, raw_execute, settings_for};

/// What the receiver got: each message's id, body, and whether its signature verified.
#[derive(Default)]
struct Inbox {
    messages: Mutex<Vec<(String, Value, bool)>>,
    /// Answer 500 to this many requests first.
    failures_left: AtomicUsize,
    /// Hold this many requests first for 3 seconds before answering.
    slow_left: AtomicUsize,
    secret: Mutex<String>,
}

async fn receive(
    request: HttpRequest,
    body: web::Bytes,
    inbox: web::Data<Arc<Inbox>>,
) -> HttpResponse {
    let mut headers = http::HeaderMap::new();
    for (name, value) in request.headers() {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_str().as_bytes()),
            http::HeaderValue::from_bytes(value.as_bytes()),
        ) {
            headers.insert(name, value);
        }
    }
    let secret = inbox.secret.lock().unwrap().clone();
    let verified = standardwebhooks::Webhook::new(&secret)
        .and_then(|hook| hook.verify(&body, &headers))
        .is_ok();
    let id = request
        .headers()
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let parsed = serde_json::from_slice(&body).unwrap_or(Value::Null);
    inbox.messages.lock().unwrap().push((id, parsed, verified));
    if inbox
        .slow_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        actix_web::rt::time::sleep(Duration::from_secs(3)).await;
    }
    if inbox
        .failures_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        return HttpResponse::InternalServerError().body("receiver down for maintenance");
    }
    HttpResponse::NoContent().finish()
}

/// Starts the receiver on a free loopback port; its URL.
fn start_receiver(inbox: Arc<Inbox>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let server = actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .app_data(web::Data::new(inbox.clone()))
            .route("/hooks/klinik", web::post().to(receive))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    actix_web::rt::spawn(server);
    format!("http://{address}/hooks/klinik")
}

const SETTINGS: &[(&str, &str)] = &[
    ("KLINIK_WEBHOOK_ALLOW_PRIVATE", "true"),
    ("KLINIK_WEBHOOK_RETRY_SECONDS", "0"),
];

/// A server instance on the test's database, as `klinik serve` would start one.
fn instance(app: &TestApp, extra: &[(&str, &str)]) -> (klinik_app::App, Sender) {
    let mut settings: Vec<(&str, &str)> = SETTINGS.to_vec();
    settings.extend_from_slice(extra);
    let state = klinik_api::prepare_state(&settings_for(app.db.url(), &settings)).unwrap();
    let sender = Sender::new(state.integration.webhook_targets).unwrap();
    (state, sender)
}

/// Rounds until one finds nothing to do.
async fn drain(state: &klinik_app::App, sender: &Sender) {
    for _ in 0..50 {
        if run_once(state, sender).await.unwrap() == Round::default() {
            return;
        }
    }
    panic!("deliveries never settled");
}

#[actix_web::test]
async fn a_banks_receiver_gets_every_capital_event_of_its_recommendations_signed_across_a_restart()
{
    let app = TestApp::spawn_with(SETTINGS).await;
    let inbox = Arc::new(Inbox::default());
    let url = start_receiver(inbox.clone());
    let k = kit(&app, 2017).await;
    let (bank_client, bank) =
        partner_client(&app, &["clinic:read", "capital:write"], &k.bank["id"]).await;
    let subscription = app
        .post(
            "/api/v1/webhook-subscriptions",
            &json!({"client_id": bank_client, "url": url, "kinds": ["recommendation"]}),
        )
        .await;
    assert_eq!(subscription.status, 201, "{}", subscription.body);
    assert_eq!(subscription.header("cache-control"), Some("no-store"));
    *inbox.secret.lock().unwrap() = subscription.body["secret"].as_str().unwrap().to_owned();
    let subscription_id = subscription.body["id"].as_i64().unwrap();
    let read = app
        .get(&format!("/api/v1/webhook-subscriptions/{subscription_id}"))
        .await;
    assert!(
        read.body.get("secret").is_none(),
        "shown once: {}",
        read.body
    );

    // A capital recommendation, agreed, then approved and disbursed by the bank.
    let cooperative = app.create_cooperative(json!({})).await;
    let (case, diagnosis) = diagnosed(&app, &k, "cooperative", cooperative).await;
    let finding = diagnosis["findings"][0]["id"].clone();
    let capital = created(&app, &format!("/api/v1/diagnoses/{}/recommendations", diagnosis["id"]),
        json!({"kind": "permodalan", "finding_ids": [finding], "description": "KUR mikro untuk modal kerja.",
        "responsible_partner_id": k.bank["id"], "capital": {"financing_scheme": "kur_mikro",
        "bank_partner_id": k.bank["id"], "amount_requested": 50_000_000}})).await;
    step(&app, &case["id"], "finish_diagnosis", "recommending").await;
    move_recommendation(&app, &capital["id"], &["agreed"]).await;

    // The receiver is down for the first two attempts, then recovers.
    inbox.failures_left.store(2, Ordering::SeqCst);
    let (first, sender) = instance(&app, &[]);
    drain(&first, &sender).await;
    let report = json!({"amount_approved": 40_000_000, "approved_on": "2017-08-01",
        "amount_disbursed": 40_000_000, "disbursed_on": "2017-08-15"});
    let reported = app
        .request_as(
            Some(&bank),
            Method::PUT,
            &format!("/api/v1/recommendations/{}/capital", capital["id"]),
            Some(&report),
            &[],
        )
        .await;
    assert_eq!(reported.status, 200, "{}", reported.body);

    // The server stops in the middle of posting the report: the receiver has the message but the
    // server never learns it was taken.
    inbox.slow_left.store(1, Ordering::SeqCst);
    let cut = tokio::time::timeout(Duration::from_millis(800), run_once(&first, &sender)).await;
    assert!(cut.is_err(), "the round was cut short");
    drop(first);
    // Its lease runs out (60 s; moved back here) and a restarted server posts it again.
    raw_execute(
        &app,
        "UPDATE webhook_deliveries SET lease_until = '2000-01-01 00:00:00' WHERE lease_until IS NOT NULL",
    );
    let (restarted, sender) = instance(&app, &[]);
    drain(&restarted, &sender).await;

    let messages = inbox.messages.lock().unwrap().clone();
    assert!(
        messages.iter().all(|(_, _, verified)| *verified),
        "every signature verifies"
    );
    // Every change of the recommendation the bank may see arrived, in its feed's words.
    let feed = app
        .request_as(
            Some(&bank),
            Method::GET,
            "/api/v1/changes?kinds=recommendation",
            None,
            &[],
        )
        .await;
    let expected: Vec<(i64, String)> = feed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["position"].as_i64().unwrap(),
                e["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut received: Vec<(i64, String)> = messages
        .iter()
        .map(|(_, m, _)| {
            (
                m["data"]["position"].as_i64().unwrap(),
                m["data"]["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    received.sort();
    received.dedup();
    assert_eq!(received, expected, "{messages:?}");
    let actions: Vec<&str> = expected.iter().map(|(_, a)| a.as_str()).collect();
    assert_eq!(actions, ["create", "transition", "report_capital"]);
    let last = messages.last().unwrap();
    assert_eq!(last.1["type"], "recommendation.report_capital");
    assert_eq!(
        last.1["data"]["record"]["capital"]["amount_disbursed"],
        40_000_000
    );
    // The report went out twice (cut, then again): both times with the same webhook-id.
    let report_ids: Vec<&str> = messages
        .iter()
        .filter(|(_, m, _)| m["data"]["action"] == "report_capital")
        .map(|(id, _, _)| id.as_str())
        .collect();
    assert_eq!(report_ids.len(), 2, "{report_ids:?}");
    assert_eq!(report_ids[0], report_ids[1]);
    // Two failures, then each delivered: the log tells.
    let log = app
        .get(&format!(
            "/api/v1/webhook-subscriptions/{subscription_id}/deliveries"
        ))
        .await;
    assert_eq!(log.status, 200, "{}", log.body);
    assert_eq!(log.body["total"], 3);
    assert!(
        log.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["status"] == "delivered")
    );
    let attempts: i64 = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["attempts"].as_i64().unwrap())
        .sum();
    assert_eq!(
        attempts,
        3 + 2 + 1,
        "two failed attempts and one cut short: {}",
        log.body
    );
}

/// An app whose cooperatives go to a receiver that answers 500 until told otherwise.
async fn cooperatives_to_a_receiver_that_fails() -> (TestApp, Arc<Inbox>, Value) {
    let app = TestApp::spawn_with(SETTINGS).await;
    let inbox = Arc::new(Inbox::default());
    let url = start_receiver(inbox.clone());
    inbox.failures_left.store(usize::MAX, Ordering::SeqCst);
    let (client, _) = partner_client(&app, &["registry:read"], &Value::Null).await;
    let subscription = created(
        &app,
        "/api/v1/webhook-subscriptions",
        json!({"client_id": client, "url": url, "kinds": ["cooperative"]}),
    )
    .await;
    (app, inbox, subscription)
}

#[actix_web::test]
async fn a_run_of_failures_turns_the_subscription_off_audited_and_an_admin_turns_it_on() {
    let (app, inbox, subscription) = cooperatives_to_a_receiver_that_fails().await;
    let path = format!("/api/v1/webhook-subscriptions/{}", subscription["id"]);
    app.create_cooperative(json!({})).await;
    let (state, sender) = instance(&app, &[("KLINIK_WEBHOOK_DISABLE_AFTER", "3")]);
    drain(&state, &sender).await;
    let read = app.get(&path).await;
    assert_eq!(read.body["enabled"], false, "{}", read.body);
    assert_eq!(read.body["failure_streak"], 3);
    assert_eq!(read.body["disabled_reason"], "3 failed attempts in a row");
    let audit = app
        .get("/api/v1/audit-events?entity_type=webhook_subscription&action=disable")
        .await;
    assert_eq!(audit.body["total"], 1, "{}", audit.body);
    assert_eq!(audit.body["items"][0]["actor_type"], "system");
    let log = app.get(&format!("{path}/deliveries?status=pending")).await;
    let delivery = &log.body["items"][0];
    assert_eq!(delivery["last_status_code"], 500, "{}", log.body);
    assert_eq!(
        delivery["response_excerpt"],
        "receiver down for maintenance"
    );
    assert_eq!(delivery["attempts"], 3);

    // Back on: the streak starts over and the waiting delivery goes out.
    inbox.failures_left.store(0, Ordering::SeqCst);
    let on = app
        .request(
            Method::PATCH,
            &path,
            Some(&json!({"enabled": true})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(on.status, 200, "{}", on.body);
    assert_eq!(
        (
            on.body["failure_streak"].as_i64(),
            on.body["disabled_reason"].is_null()
        ),
        (Some(0), true)
    );
    drain(&state, &sender).await;
    let log = app.get(&format!("{path}/deliveries")).await;
    assert_eq!(log.body["items"][0]["status"], "delivered", "{}", log.body);
    let message_id = log.body["items"][0]["message_id"]
        .as_str()
        .unwrap()
        .to_owned();

    // A manual redelivery: the same message again.
    let again = app
        .post(
            &format!("{path}/deliveries/{}/redeliver", log.body["items"][0]["id"]),
            &json!({}),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["status"], "pending");
    drain(&state, &sender).await;
    let ids: Vec<String> = inbox
        .messages
        .lock()
        .unwrap()
        .iter()
        .map(|(id, _, _)| id.clone())
        .collect();
    assert_eq!(
        ids.iter().filter(|id| **id == message_id).count(),
        5,
        "{ids:?}"
    );
}

#[actix_web::test]
async fn a_delivery_still_failing_past_its_maximum_age_is_dead() {
    let (app, _inbox, subscription) = cooperatives_to_a_receiver_that_fails().await;
    app.create_cooperative(json!({})).await;
    let (state, sender) = instance(&app, &[("KLINIK_WEBHOOK_MAX_AGE_HOURS", "1")]);
    run_once(&state, &sender).await.unwrap();
    raw_execute(
        &app,
        "UPDATE webhook_deliveries SET created_at = '2000-01-01 00:00:00'",
    );
    drain(&state, &sender).await;
    let log = app
        .get(&format!(
            "/api/v1/webhook-subscriptions/{}/deliveries?status=dead",
            subscription["id"]
        ))
        .await;
    assert_eq!(log.body["total"], 1, "{}", log.body);
    assert_eq!(log.body["items"][0]["next_attempt_at"], Value::Null);
}

#[actix_web::test]
async fn a_delivery_the_server_cannot_prepare_holds_up_no_other() {
    let app = TestApp::spawn_with(SETTINGS).await;
    let inbox = Arc::new(Inbox::default());
    let url = start_receiver(inbox.clone());
    let (client, _) = partner_client(&app, &["registry:read"], &Value::Null).await;
    let subscribe = || {
        created(
            &app,
            "/api/v1/webhook-subscriptions",
            json!({"client_id": client, "url": url, "kinds": ["cooperative"]}),
        )
    };
    let broken = subscribe().await;
    let working = subscribe().await;
    *inbox.secret.lock().unwrap() = working["secret"].as_str().unwrap().to_owned();
    // As after a botched key rotation: the first secret no longer opens.
    raw_execute(
        &app,
        &format!(
            "UPDATE webhook_subscriptions SET secret = 'v2:lost:00' WHERE id = {}",
            broken["id"]
        ),
    );
    app.create_cooperative(json!({})).await;
    let (state, sender) = instance(&app, &[("KLINIK_WEBHOOK_RETRY_SECONDS", "30")]);
    drain(&state, &sender).await;
    let messages = inbox.messages.lock().unwrap().clone();
    assert_eq!(
        messages.len(),
        1,
        "the working subscription got its message"
    );
    assert!(messages[0].2, "signed with its own secret");
    let log = app
        .get(&format!(
            "/api/v1/webhook-subscriptions/{}/deliveries",
            broken["id"]
        ))
        .await;
    let delivery = &log.body["items"][0];
    assert_eq!(delivery["status"], "pending", "{}", log.body);
    assert_eq!(
        delivery["last_error"],
        "the server could not prepare this message"
    );
    assert_eq!(
        app.get(&format!("/api/v1/webhook-subscriptions/{}", broken["id"]))
            .await
            .body["failure_streak"],
        0,
        "the receiver is not at fault"
    );
}

#[actix_web::test]
async fn two_instances_never_claim_the_same_delivery() {
    let app = TestApp::spawn_with(SETTINGS).await;
    let (client, _) = partner_client(&app, &["registry:read"], &Value::Null).await;
    created(
        &app,
        "/api/v1/webhook-subscriptions",
        json!({"client_id": client, "url": "http://127.0.0.1:9/unused", "kinds": ["cooperative"]}),
    )
    .await;
    for _ in 0..30 {
        app.create_cooperative(json!({})).await;
    }
    let (state, _) = instance(&app, &[]);
    klinik_app::changes::sequence(&state).await.unwrap();
    state
        .write(|conn| {
            klinik_persistence::webhooks::fan_out(conn, 500, |_, _| true)
                .map_err(klinik_app::Error::from)
        })
        .await
        .unwrap();
    let now = klinik_persistence::now_utc();
    let lease = now + chrono::Duration::seconds(60);
    let claim = |state: klinik_app::App| async move {
        state
            .write(move |conn| {
                klinik_persistence::webhooks::claim_due(conn, now, lease, 20)
                    .map_err(klinik_app::Error::from)
            })
            .await
            .unwrap()
    };
    let (other, _) = instance(&app, &[]);
    let (a, b) = tokio::join!(claim(state.clone()), claim(other));
    let mut ids: Vec<i64> = a.iter().chain(&b).map(|d| d.id.get()).collect();
    assert_eq!(ids.len(), 30, "20 and the other 10");
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 30, "none twice");
    assert_eq!(
        raw_count(
            &app,
            "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE attempts = 1"
        ),
        30
    );
}

#[actix_web::test]
async fn a_subscription_must_name_a_safe_url_and_kinds_its_client_may_read() {
    // The default rule: https only, no internal address.
    let app = TestApp::spawn().await;
    let (client, _) = partner_client(&app, &["registry:read"], &Value::Null).await;
    let path = "/api/v1/webhook-subscriptions";
    for (body, field, code) in [
        (
            json!({"client_id": client, "url": "http://sikopdes.jabarprov.go.id/h", "kinds": ["ukm"]}),
            "url",
            "https_required",
        ),
        (
            json!({"client_id": client, "url": "https://10.0.0.5/h", "kinds": ["ukm"]}),
            "url",
            "internal_address",
        ),
        (
            json!({"client_id": client, "url": "https://169.254.169.254/latest", "kinds": ["ukm"]}),
            "url",
            "internal_address",
        ),
        (
            json!({"client_id": client, "url": "https://sikopdes.jabarprov.go.id/h", "kinds": ["case"]}),
            "kinds",
            "scope_missing",
        ),
        (
            json!({"client_id": client, "url": "https://sikopdes.jabarprov.go.id/h", "kinds": []}),
            "kinds",
            "kinds_required",
        ),
        (
            json!({"client_id": 999, "url": "https://sikopdes.jabarprov.go.id/h", "kinds": ["ukm"]}),
            "client_id",
            "unknown_client",
        ),
    ] {
        let reply = app.post(path, &body).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(
            (
                reply.body["errors"][0]["field"].as_str(),
                reply.body["errors"][0]["code"].as_str()
            ),
            (Some(field), Some(code)),
            "{body}"
        );
    }
    let ok = app
        .post(path, &json!({"client_id": client, "url": "https://sikopdes.jabarprov.go.id/h", "kinds": ["ukm", "cooperative"]}))
        .await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    assert!(ok.body["secret"].as_str().unwrap().starts_with("whsec_"));
    // The secret is stored sealed, never in clear.
    assert_eq!(
        raw_count(
            &app,
            "SELECT COUNT(*) AS n FROM webhook_subscriptions WHERE secret LIKE 'whsec_%'"
        ),
        0
    );
    let officer = app.user_token("petugas", "officer").await;
    app.request_as(Some(&officer), Method::GET, path, None, &[])
        .await
        .assert_problem(403, "forbidden");
}
