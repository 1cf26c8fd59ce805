//! Every operation of the contract, called as anonymous, with an expired token, as each role and
//! as integration clients with and without the scope it needs: 401, 403 or served, as declared.

use actix_web::http::Method;
use klinik_api::auth::access::{Access, rule_for};
use klinik_domain::accounts::{Role, Scope};
use serde_json::{Value, json};

use crate::helpers::{JWT_SECRET, TestApp};

/// Who calls, for one row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Expired,
    Person(Role),
    ClientWith,
    ClientWithout,
}

fn expect_served(access: Access, who: Who, scope_of_client_with: Option<Scope>) -> Option<bool> {
    // Some(true): must be served (neither 401 nor 403); Some(false) with 401/403 below.
    match (access, who) {
        (Access::Public, _) => Some(true),
        (_, Who::Anonymous | Who::Expired) => None,
        (Access::SignedIn, _) => Some(true),
        (Access::People, Who::Person(_)) => Some(true),
        (Access::People, _) => Some(false),
        (Access::Rule { roles, .. }, Who::Person(role)) => Some(roles.contains(&role)),
        (Access::Rule { scope, .. }, Who::ClientWith) => {
            Some(scope.is_some() && scope == scope_of_client_with)
        }
        (Access::Rule { .. }, Who::ClientWithout) => Some(false),
    }
}

/// The admin's token as it would be an hour after issue: signed with the right key, expired.
fn expired_token() -> String {
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"iss": "klinik-kumkm", "aud": "klinik-kumkm-api", "sub": "user:1", "sid": "x", "iat": now - 3600, "exp": now - 600});
    let key = klinik_api::auth::tokens::TokenKeys::new(JWT_SECRET.as_bytes()).unwrap();
    key.sign(&serde_json::from_value(claims).unwrap()).unwrap()
}

pub(crate) async fn client_token(app: &TestApp, scopes: &[&str]) -> String {
    let reply = app
        .post(
            "/api/v1/clients",
            &json!({"name": "Matrix client", "scopes": scopes}),
        )
        .await;
    let (id, secret) = (
        reply.body["client_id"].as_str().unwrap().to_owned(),
        reply.body["client_secret"].as_str().unwrap().to_owned(),
    );
    let req = actix_web::test::TestRequest::post()
        .uri("/api/v1/auth/token")
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload(format!(
            "grant_type=client_credentials&client_id={id}&client_secret={secret}"
        ));
    app.send(req).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[actix_web::test]
async fn every_operation_answers_each_caller_as_its_rule_declares() {
    let app = TestApp::spawn().await;
    let spec: Value = serde_json::from_str(&klinik_api::openapi_json().unwrap()).unwrap();
    let roles = [Role::Admin, Role::Officer, Role::Assessor, Role::Viewer];
    let mut people = Vec::new();
    for role in roles {
        let token = if role == Role::Admin {
            app.token.clone()
        } else {
            app.user_token(&format!("matrix-{role}"), role.as_str())
                .await
        };
        people.push((role, token));
    }
    let all_scopes: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap();
            let access = rule_for(id)
                .unwrap_or_else(|| panic!("{id} has no access rule: add it to auth::access"));
            let needed = match access {
                Access::Rule { scope, .. } => scope,
                _ => None,
            };
            let with_scope =
                client_token(&app, &[needed.map_or("registry:read", |s| s.as_str())]).await;
            let without: Vec<&str> = all_scopes
                .iter()
                .copied()
                .filter(|s| Some(*s) != needed.map(|n| n.as_str()))
                .collect();
            let without_scope = client_token(&app, &without).await;
            let uri = path.replace("{id}", "1").replace("{book_year}", "2020");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = op.get("requestBody").map(|_| json!({}));
            let mut callers: Vec<(Who, Option<String>)> = vec![
                (Who::Anonymous, None),
                (Who::Expired, Some(expired_token())),
            ];
            callers.extend(
                people
                    .iter()
                    .map(|(r, t)| (Who::Person(*r), Some(t.clone()))),
            );
            callers.push((Who::ClientWith, Some(with_scope)));
            callers.push((Who::ClientWithout, Some(without_scope)));
            for (who, token) in callers {
                // Mutations of the caller's own session would spoil later rows: skip the harmless ones.
                if matches!(id, "logout" | "change_password") && who != Who::Anonymous {
                    continue;
                }
                let reply = app
                    .request_as(token.as_deref(), method.clone(), &uri, body.as_ref(), &[])
                    .await;
                let status = reply.status.as_u16();
                match expect_served(access, who, needed) {
                    None => assert_eq!(status, 401, "{id} as {who:?}: {}", reply.body),
                    Some(true) => assert!(
                        status != 401 && status != 403,
                        "{id} as {who:?} should be served, got {status}: {}",
                        reply.body
                    ),
                    Some(false) => assert_eq!(status, 403, "{id} as {who:?}: {}", reply.body),
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} calls were checked");
}

#[actix_web::test]
async fn every_protected_operation_documents_its_rule_and_security() {
    let spec: Value = serde_json::from_str(&klinik_api::openapi_json().unwrap()).unwrap();
    assert_eq!(
        spec["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap();
            let access = rule_for(id).unwrap();
            assert!(
                op["description"].as_str().unwrap().contains("**Access:**"),
                "{method} {path}"
            );
            let security = &op["security"];
            if access == Access::Public {
                assert_eq!(security, &json!([{}]), "{id}");
            } else {
                assert!(security[0]["bearer"].is_array(), "{id}");
                assert!(
                    op["responses"]["401"].is_object() && op["responses"]["403"].is_object(),
                    "{id}"
                );
            }
        }
    }
}

/// A handler that takes the guard but whose operation the access table does not know.
#[actix_web::get("/undeclared")]
async fn undeclared_operation(_allowed: klinik_api::auth::Allowed) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok().finish()
}

#[actix_web::test]
async fn an_operation_without_a_rule_serves_nobody_not_even_an_admin() {
    use actix_web::{App, middleware::from_fn, test, web};
    let app = TestApp::spawn().await;
    let state =
        klinik_api::prepare_state(&crate::helpers::settings_for(app.db.url(), &[])).unwrap();
    let service = test::init_service(
        App::new()
            .app_data(web::Data::new(state))
            .wrap(from_fn(klinik_api::auth::guard::identify))
            .service(undeclared_operation),
    )
    .await;
    for token in [Some(app.token.as_str()), None] {
        let mut request = test::TestRequest::get().uri("/undeclared");
        if let Some(token) = token {
            request = request.insert_header(("authorization", format!("Bearer {token}")));
        }
        let response = test::call_service(&service, request.to_request()).await;
        assert_eq!(response.status(), 403, "as {token:?}");
        let body: Value = test::read_body_json(response).await;
        assert_eq!(body["code"], "forbidden");
        assert!(body["detail"].as_str().unwrap().contains("no access rule"));
    }
}
