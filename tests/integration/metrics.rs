//! Operators' metrics: requests by operation and status with latency, the pool, the change feed's
//! backlog and the scheduler's runs, in Prometheus text on the metrics server only.

use std::rc::Rc;

use actix_web::dev::Service;
use actix_web::http::header;
use actix_web::{App, test};

use crate::helpers::{ADMIN, ADMIN_PASSWORD, TestApp, settings_for};

#[actix_web::test]
async fn requests_the_pool_the_feed_and_the_scheduler_are_counted_on_the_metrics_address() {
    let base = TestApp::spawn().await;
    // The API itself never serves them.
    base.get("/metrics").await.assert_problem(404, "not_found");
    let settings = settings_for(base.db.url(), &[]);
    let state = klinik_api::prepare_state(&settings).unwrap();
    let handle = klinik_api::metrics::recorder().unwrap();
    let api = Rc::new(
        test::init_service(klinik_api::build_observed_app(
            state.clone(),
            settings.max_body_bytes,
            true,
        ))
        .await,
    );
    let call = |req: test::TestRequest| {
        let api = Rc::clone(&api);
        async move { api.call(req.to_request()).await.unwrap().status().as_u16() }
    };
    let login = serde_json::json!({"username": ADMIN, "password": ADMIN_PASSWORD});
    let token_reply = test::call_and_read_body_json::<_, _, serde_json::Value>(
        &*api,
        test::TestRequest::post()
            .uri("/api/v1/auth/login")
            .set_json(&login)
            .to_request(),
    )
    .await;
    let token = token_reply["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        call(test::TestRequest::get().uri("/health/live")).await,
        200
    );
    let missing = test::TestRequest::get()
        .uri("/api/v1/cooperatives/987654")
        .insert_header((header::AUTHORIZATION, format!("Bearer {token}")));
    assert_eq!(call(missing).await, 404);
    assert_eq!(
        call(test::TestRequest::get().uri("/no/such/path")).await,
        404
    );
    klinik_app::scheduler::run_due(&state, "metrics-test").await;

    let server = test::init_service(
        App::new().configure(|c| klinik_api::metrics::configure(c, handle.clone(), state.clone())),
    )
    .await;
    let response = test::call_service(
        &server,
        test::TestRequest::get().uri("/metrics").to_request(),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .headers()
            .get(header::CONTENT_TYPE)
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = String::from_utf8(test::read_body(response).await.to_vec()).unwrap();
    for expected in [
        "klinik_http_requests_total{operation=\"get_health_live\",status=\"200\"}",
        "klinik_http_requests_total{operation=\"get_cooperative\",status=\"404\"}",
        "klinik_http_requests_total{operation=\"unmatched\",status=\"404\"}",
        "klinik_http_requests_total{operation=\"login\",status=\"200\"}",
        "klinik_http_request_duration_seconds_bucket{operation=\"get_health_live\",le=\"0.001\"}",
        "klinik_http_request_duration_seconds_count{operation=\"get_cooperative\"}",
        "klinik_db_pool_size 4",
        "klinik_db_connections_in_use ",
        "klinik_db_connections_waiting 0",
        "klinik_change_feed_unsequenced ",
        "klinik_change_feed_head ",
        "klinik_webhook_deliveries_pending 0",
        "klinik_webhook_oldest_pending_seconds 0",
        "klinik_scheduler_runs_total{job=\"purge_change_feed\",outcome=\"ok\"}",
        "klinik_scheduler_last_run_timestamp_seconds{job=\"purge_change_feed\"}",
    ] {
        assert!(text.contains(expected), "no `{expected}` in:\n{text}");
    }
    assert!(!text.contains("987654"), "ids never become labels");
}
