//! The background jobs: each due run happens once across instances, and the daily jobs keep
//! statuses and stored keys right as time passes.

use std::collections::HashMap;

use actix_web::http::Method;
use klinik_app::scheduler::{JOBS, run_due};
use serde_json::json;

use crate::helpers::{TestApp, minimal_cooperative, raw_count, raw_execute, settings_for};

fn instance(app: &TestApp) -> klinik_app::App {
    klinik_api::prepare_state(&settings_for(app.db.url(), &[])).expect("a second instance starts")
}

#[actix_web::test]
async fn each_due_run_happens_once_across_instances_and_again_only_when_due() {
    let app = TestApp::spawn().await;
    let (a, b) = (instance(&app), instance(&app));
    let (ran_a, ran_b) = tokio::join!(run_due(&a, "instance-a"), run_due(&b, "instance-b"));
    let mut runs: HashMap<&str, usize> = HashMap::new();
    for run in ran_a.iter().chain(&ran_b) {
        assert!(run.outcome.is_ok(), "{run:?}");
        *runs.entry(run.name).or_default() += 1;
    }
    assert_eq!(runs.len(), JOBS.len(), "{runs:?}");
    assert!(runs.values().all(|n| *n == 1), "{runs:?}");
    assert!(
        run_due(&a, "instance-a").await.is_empty(),
        "not due again yet"
    );
    assert_eq!(
        raw_count(
            &app,
            "SELECT COUNT(*) AS n FROM scheduled_jobs WHERE last_outcome LIKE 'ok: %'"
        ),
        JOBS.len() as i64
    );
    raw_execute(
        &app,
        "UPDATE scheduled_jobs SET next_due_at = '2000-01-01 00:00:00' WHERE name = 'purge_idempotency_keys'",
    );
    let again = run_due(&b, "instance-b").await;
    assert_eq!(
        again.iter().map(|r| r.name).collect::<Vec<_>>(),
        ["purge_idempotency_keys"]
    );
}

#[actix_web::test]
async fn the_daily_jobs_recompute_statuses_and_purge_what_expired() {
    let app = TestApp::spawn().await;
    // Started first: start-up recomputes statuses too, and the job must do it on its own.
    let server = instance(&app);
    let id = app.create_cooperative(json!({})).await;
    let path = format!("/api/v1/cooperatives/{id}");
    let computed = app.get(&path).await.body["status"].clone();
    // As if the status had been computed in an earlier year: stale.
    let stale = if computed == "aktif" {
        "tidak_aktif"
    } else {
        "aktif"
    };
    raw_execute(
        &app,
        &format!(
            "UPDATE cooperatives SET computed_status = '{stale}', status = '{stale}' WHERE id = {id}"
        ),
    );
    let key = [("idempotency-key", "to-expire")];
    let created = app
        .request(
            Method::POST,
            "/api/v1/cooperatives",
            Some(&minimal_cooperative()),
            &key,
        )
        .await;
    assert_eq!(created.status, 201);
    raw_execute(
        &app,
        "UPDATE idempotency_keys SET created_at = '2000-01-01 00:00:00'",
    );
    raw_execute(
        &app,
        "INSERT INTO sign_in_failures (principal, failed_at) VALUES ('user:x@192.0.2.1', '2000-01-01 00:00:00')",
    );
    let runs = run_due(&server, "only").await;
    let touched = |name: &str| {
        runs.iter()
            .find(|r| r.name == name)
            .unwrap()
            .outcome
            .clone()
    };
    assert_eq!(touched("refresh_activity_statuses"), Ok(1));
    assert_eq!(touched("purge_idempotency_keys"), Ok(1));
    assert_eq!(touched("purge_sign_in_failures"), Ok(1));
    assert_eq!(app.get(&path).await.body["status"], computed);
    assert_eq!(
        raw_count(&app, "SELECT COUNT(*) AS n FROM idempotency_keys"),
        0
    );
}
