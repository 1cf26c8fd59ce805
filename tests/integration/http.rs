//! Conventions every route shares: problem bodies, 404/405/400/413/415, request ids, probes.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::json;

use crate::helpers::{TestApp, minimal_cooperative};

#[actix_web::test]
async fn probes_answer_ok_when_the_database_answers() {
    let app = TestApp::spawn().await;
    let live = app.get("/health/live").await;
    assert_eq!(
        (live.status.as_u16(), &live.body),
        (200, &json!({"status": "ok"}))
    );
    let ready = app.get("/health/ready").await;
    assert_eq!(
        (ready.status.as_u16(), &ready.body),
        (200, &json!({"status": "ok"}))
    );
}

#[actix_web::test]
async fn an_unknown_route_is_a_problem_404() {
    let app = TestApp::spawn().await;
    app.get("/api/v1/nothing-here")
        .await
        .assert_problem(404, "not_found");
    app.get("/api/v1/cooperatives/1/elsewhere")
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn a_known_path_with_another_method_is_405_with_allow() {
    let app = TestApp::spawn().await;
    let reply = app
        .request(Method::PUT, "/api/v1/cooperatives", None, &[])
        .await;
    reply.assert_problem(405, "method_not_allowed");
    assert_eq!(reply.header("allow"), Some("GET, POST"));
    let reply = app
        .request(Method::POST, "/api/v1/cooperatives/7", None, &[])
        .await;
    reply.assert_problem(405, "method_not_allowed");
    assert_eq!(reply.header("allow"), Some("GET, DELETE, PATCH"));
}

#[actix_web::test]
async fn an_id_that_is_not_a_number_names_no_record() {
    let app = TestApp::spawn().await;
    app.get("/api/v1/cooperatives/abc")
        .await
        .assert_problem(404, "not_found");
    app.get("/api/v1/cooperatives/99999")
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn malformed_json_is_a_400() {
    let app = TestApp::spawn().await;
    for body in ["{\"name\": ", "not json", "{} {}", ""] {
        let req = TestRequest::post()
            .uri("/api/v1/cooperatives")
            .insert_header(("authorization", format!("Bearer {}", app.token)))
            .insert_header(("content-type", "application/json"))
            .set_payload(body);
        app.send(req).await.assert_problem(400, "malformed_json");
    }
}

#[actix_web::test]
async fn a_body_that_is_not_json_is_a_415() {
    let app = TestApp::spawn().await;
    let req = TestRequest::post()
        .uri("/api/v1/cooperatives")
        .insert_header(("authorization", format!("Bearer {}", app.token)))
        .insert_header(("content-type", "text/plain"))
        .set_payload(minimal_cooperative().to_string());
    app.send(req)
        .await
        .assert_problem(415, "unsupported_media_type");
    let req = TestRequest::post()
        .uri("/api/v1/cooperatives")
        .insert_header(("authorization", format!("Bearer {}", app.token)))
        .set_payload(minimal_cooperative().to_string());
    app.send(req)
        .await
        .assert_problem(415, "unsupported_media_type");
}

#[actix_web::test]
async fn a_body_over_the_limit_is_a_413_and_creates_nothing() {
    let app = TestApp::spawn_with(&[("KLINIK_MAX_BODY_BYTES", "2048")]).await;
    let big = json!({"name": "x".repeat(4000), "form": "primer", "type": "konsumen", "kelurahan_code": "32.71.01.1006"});
    let reply = app.post("/api/v1/cooperatives", &big).await;
    reply.assert_problem(413, "payload_too_large");
    assert!(reply.body["detail"].as_str().unwrap().contains("2048"));
    assert_eq!(app.get("/api/v1/cooperatives").await.body["total"], 0);
}

#[actix_web::test]
async fn request_ids_are_echoed_or_generated() {
    let app = TestApp::spawn().await;
    let reply = app
        .request(
            Method::GET,
            "/health/live",
            None,
            &[("x-request-id", "trace-42")],
        )
        .await;
    assert_eq!(reply.header("x-request-id"), Some("trace-42"));
    let reply = app.get("/health/live").await;
    let generated = reply.header("x-request-id").unwrap();
    assert_eq!(generated.len(), 36, "a UUID: {generated}");
    let reply = app.get("/api/v1/nothing").await;
    assert!(
        reply.header("x-request-id").is_some(),
        "errors carry the id too"
    );
}

#[actix_web::test]
async fn swagger_ui_is_served_from_the_binary() {
    let app = TestApp::spawn().await;
    let redirect = app.get("/swagger-ui").await;
    assert!(redirect.status.is_redirection());
    assert_eq!(redirect.header("location"), Some("/swagger-ui/"));
    let page = app.get("/swagger-ui/").await;
    assert_eq!(page.status, 200);
    let html = page.body.as_str().unwrap();
    assert!(html.contains("swagger-ui-bundle.js"));
    assert!(!html.contains("https://"), "no asset from a CDN");
    let bundle = app.get("/swagger-ui/swagger-ui-bundle.js").await;
    assert_eq!(bundle.status, 200);
    let spec = app.get("/api-docs/openapi.json").await;
    assert_eq!(spec.status, 200);
    assert_eq!(spec.body["openapi"], "3.1.0");
}

#[actix_web::test]
async fn readiness_is_503_while_the_database_is_unreachable_and_recovers_without_a_restart() {
    let app = TestApp::spawn().await;
    let crate::helpers::TestDatabase::Postgres { base_url, name, .. } = &*app.db else {
        eprintln!(
            "SQLite cannot be taken away from an open process; this runs in the PostgreSQL run"
        );
        return;
    };
    use diesel::{Connection, RunQueryDsl};
    let created = crate::ukm::create(&app, &crate::ukm::ukm("Warung Sari", json!({}))).await;
    // Read once, so that the point read's own connection exists when the server closes it.
    let by_id = format!("/api/v1/ukm/{}", created["id"]);
    assert_eq!(app.get(&by_id).await.status, 200);
    let mut admin = diesel::PgConnection::establish(base_url).unwrap();
    let mut run = |sql: String| diesel::sql_query(sql).execute(&mut admin).unwrap();
    run(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"));
    run(format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    ));
    let down = app.get("/health/ready").await;
    down.assert_problem(503, "service_unavailable");
    assert_eq!(down.header("retry-after"), Some("5"));
    let list = app.get("/api/v1/cooperatives").await;
    list.assert_problem(503, "service_unavailable");
    let one = app.get(&by_id).await;
    one.assert_problem(503, "service_unavailable");
    run(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"));
    let up = app.get("/health/ready").await;
    assert_eq!(up.status, 200, "{}", up.body);
    assert_eq!(app.get("/api/v1/cooperatives").await.status, 200);
    let again = app.get(&by_id).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["business_name"], "Warung Sari");
}

#[actix_web::test]
async fn responses_carry_browser_safety_headers_and_api_answers_are_never_cached() {
    let app = TestApp::spawn().await;
    let ukm = app
        .post(
            "/api/v1/ukm",
            &json!({"business_name": "Asinan", "sector": "culinary", "kelurahan_code": "32.71.01.1006",
                "owner": {"full_name": "Siti Aminah", "phone": "+6281234567890"}}),
        )
        .await;
    assert_eq!(ukm.status, 201, "{}", ukm.body);
    for reply in [
        app.get(&format!("/api/v1/ukm/{}", ukm.body["id"])).await,
        app.get("/api/v1/users").await,
        app.get("/api/v1/nothing-here").await,
    ] {
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(reply.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        assert_eq!(
            reply.header("content-security-policy"),
            Some("default-src 'none'; frame-ancestors 'none'")
        );
    }
    let contract = app.get("/api-docs/openapi.json").await;
    assert_eq!(contract.header("cache-control"), Some("no-cache"));
    assert_eq!(contract.header("x-content-type-options"), Some("nosniff"));
    let swagger = app.send(TestRequest::get().uri("/swagger-ui/")).await;
    assert_eq!(swagger.status, 200);
    let csp = swagger.header("content-security-policy").unwrap();
    assert!(csp.contains("script-src 'self';"), "{csp}");
    assert!(!csp.contains("http"), "no outside origin: {csp}");
}
