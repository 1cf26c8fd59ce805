//! What frontends on other origins rely on: CORS, compression, conditional GET and HEAD.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::json;

use crate::helpers::{Reply, TestApp};

const DEV_ORIGIN: &str = "http://localhost:5173";

async fn preflight(app: &TestApp, origin: &str) -> Reply {
    let req = TestRequest::default()
        .method(Method::OPTIONS)
        .uri("/api/v1/cooperatives")
        .insert_header(("origin", origin))
        .insert_header(("access-control-request-method", "POST"))
        .insert_header((
            "access-control-request-headers",
            "authorization,content-type,idempotency-key",
        ));
    app.send(req).await
}

#[actix_web::test]
async fn a_dev_server_origin_may_call_in_development_with_the_headers_a_frontend_reads() {
    let app = TestApp::spawn().await;
    let pre = preflight(&app, DEV_ORIGIN).await;
    assert_eq!(pre.status, 200, "{:?}", pre.headers);
    assert_eq!(pre.header("access-control-allow-origin"), Some(DEV_ORIGIN));
    assert_eq!(pre.header("access-control-max-age"), Some("600"));
    let allowed = pre
        .header("access-control-allow-headers")
        .unwrap()
        .to_lowercase();
    assert!(
        allowed.contains("idempotency-key") && allowed.contains("authorization"),
        "{allowed}"
    );

    let id = app.create_cooperative(json!({})).await;
    let read = app
        .request(
            Method::GET,
            &format!("/api/v1/cooperatives/{id}"),
            None,
            &[("origin", DEV_ORIGIN)],
        )
        .await;
    assert_eq!(read.header("access-control-allow-origin"), Some(DEV_ORIGIN));
    let exposed = read
        .header("access-control-expose-headers")
        .unwrap()
        .to_lowercase();
    for name in [
        "etag",
        "location",
        "x-request-id",
        "idempotent-replayed",
        "retry-after",
        "ratelimit",
    ] {
        assert!(exposed.contains(name), "{name} not exposed: {exposed}");
    }
    let stranger = preflight(&app, "https://evil.example").await;
    assert_eq!(stranger.header("access-control-allow-origin"), None);
}

#[actix_web::test]
async fn production_allows_only_the_configured_origins() {
    let closed = TestApp::spawn_with(&[("KLINIK_ENV", "production")]).await;
    assert_eq!(
        preflight(&closed, DEV_ORIGIN)
            .await
            .header("access-control-allow-origin"),
        None
    );
    let portal = "https://klinik.kotabogor.go.id";
    let open = TestApp::spawn_with(&[
        ("KLINIK_ENV", "production"),
        ("KLINIK_CORS_ORIGINS", portal),
    ])
    .await;
    assert_eq!(
        preflight(&open, portal)
            .await
            .header("access-control-allow-origin"),
        Some(portal)
    );
    assert_eq!(
        preflight(&open, DEV_ORIGIN)
            .await
            .header("access-control-allow-origin"),
        None
    );
}

/// The answer's bytes as sent (before any decoding), with its `Content-Encoding`.
async fn raw(app: &TestApp, req: TestRequest) -> (Vec<u8>, Option<String>) {
    use actix_web::dev::Service;
    let response = std::rc::Rc::clone(&app.app)
        .call(req.to_request())
        .await
        .expect("the app answers");
    let encoding = response
        .headers()
        .get("content-encoding")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = actix_web::body::to_bytes(response.into_body())
        .await
        .unwrap_or_default();
    (bytes.to_vec(), encoding)
}

#[actix_web::test]
async fn the_contract_and_lists_are_compressed_when_asked() {
    let app = TestApp::spawn().await;
    let (plain, none) = raw(&app, TestRequest::get().uri("/api-docs/openapi.json")).await;
    assert_eq!(none, None);
    assert!(serde_json::from_slice::<serde_json::Value>(&plain).is_ok());
    for encoding in ["br", "gzip"] {
        let req = TestRequest::get()
            .uri("/api-docs/openapi.json")
            .insert_header(("accept-encoding", encoding));
        let (packed, used) = raw(&app, req).await;
        assert_eq!(used.as_deref(), Some(encoding));
        assert!(
            packed.len() * 4 < plain.len(),
            "{encoding}: {} of {}",
            packed.len(),
            plain.len()
        );
    }
    let list = TestRequest::get()
        .uri("/api/v1/regions/kelurahan?page_size=100")
        .insert_header(("authorization", format!("Bearer {}", app.token)))
        .insert_header(("accept-encoding", "gzip"));
    let (_, used) = raw(&app, list).await;
    assert_eq!(
        used.as_deref(),
        Some("gzip"),
        "JSON answers are compressed too"
    );
}

#[actix_web::test]
async fn a_matching_if_none_match_is_304_and_head_answers_like_get_without_a_body() {
    let app = TestApp::spawn().await;
    let id = app.create_cooperative(json!({})).await;
    let path = format!("/api/v1/cooperatives/{id}");
    let first = app.get(&path).await;
    let etag = first.header("etag").unwrap().to_owned();
    let again = app
        .request(Method::GET, &path, None, &[("if-none-match", &etag)])
        .await;
    assert_eq!(again.status, 304);
    assert_eq!(again.body, serde_json::Value::Null);
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    let changed = app
        .request(
            Method::PATCH,
            &path,
            Some(&json!({"name": "Koperasi Baru"})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let after = app
        .request(Method::GET, &path, None, &[("if-none-match", &etag)])
        .await;
    assert_eq!(after.status, 200, "a changed record is sent again");

    let head = app.request(Method::HEAD, &path, None, &[]).await;
    assert_eq!(head.status, 200);
    assert_eq!(head.body, serde_json::Value::Null);
    assert_eq!(head.header("etag"), after.header("etag"));
    assert_eq!(
        app.request(Method::HEAD, "/api/v1/cooperatives", None, &[])
            .await
            .status,
        200
    );
    assert_eq!(
        app.send(
            TestRequest::default()
                .method(Method::HEAD)
                .uri("/health/live")
        )
        .await
        .status,
        200
    );

    let contract = app
        .send(TestRequest::get().uri("/api-docs/openapi.json"))
        .await;
    let tag = contract
        .header("etag")
        .expect("the contract has an ETag")
        .to_owned();
    let cached = app
        .send(
            TestRequest::get()
                .uri("/api-docs/openapi.json")
                .insert_header(("if-none-match", tag)),
        )
        .await;
    assert_eq!(cached.status, 304);
}

/// Swagger UI for testers: the token survives a reload, answers show their duration, and the
/// contract is never handed to an outside validator (validator.swagger.io by default).
#[actix_web::test]
async fn swagger_ui_keeps_the_token_shows_durations_and_asks_no_outside_validator() {
    let app = TestApp::spawn().await;
    let initializer = app
        .send(TestRequest::get().uri("/swagger-ui/swagger-initializer.js"))
        .await;
    assert_eq!(initializer.status, 200);
    let script = initializer.body.as_str().unwrap_or_default().to_owned();
    for setting in [
        r#""persistAuthorization": true"#,
        r#""displayRequestDuration": true"#,
        r#""validatorUrl": "none""#,
        r#""url": "/api-docs/openapi.json""#,
    ] {
        assert!(script.contains(setting), "{setting} missing from {script}");
    }
}
