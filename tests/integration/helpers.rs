//! The real app over a real, private database: a SQLite file in a temporary directory, or a fresh
//! PostgreSQL database when `KLINIK_TEST_DATABASE_URL` names a server (dropped afterwards).

use std::rc::Rc;

use actix_service::boxed::{self, RcService};
use actix_service::{Service, ServiceExt};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::{Method, StatusCode, header};
use actix_web::test;
use diesel::{Connection, RunQueryDsl};
use klinik_api::settings::Settings;
use serde_json::Value;

pub type App = RcService<actix_http::Request, ServiceResponse<BoxBody>, actix_web::Error>;

/// The server-level URL of PostgreSQL for tests, if the run asks for PostgreSQL.
pub fn postgres_base_url() -> Option<String> {
    std::env::var("KLINIK_TEST_DATABASE_URL")
        .ok()
        .filter(|v| !v.is_empty())
}

/// A database that exists for one test only.
pub enum TestDatabase {
    Sqlite {
        _dir: tempfile::TempDir,
        url: String,
    },
    Postgres {
        base_url: String,
        name: String,
        url: String,
    },
}

impl TestDatabase {
    pub fn create() -> Self {
        match postgres_base_url() {
            None => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = dir
                    .path()
                    .join("klinik.sqlite3")
                    .to_string_lossy()
                    .into_owned();
                TestDatabase::Sqlite { _dir: dir, url }
            }
            Some(base_url) => {
                let name = format!("klinik_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = diesel::PgConnection::establish(&base_url)
                    .expect("KLINIK_TEST_DATABASE_URL must name a reachable PostgreSQL server");
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .expect("create the test database");
                let mut url =
                    url::Url::parse(&base_url).expect("KLINIK_TEST_DATABASE_URL is a URL");
                url.set_path(&name);
                TestDatabase::Postgres {
                    base_url,
                    name,
                    url: url.to_string(),
                }
            }
        }
    }

    pub fn url(&self) -> &str {
        match self {
            TestDatabase::Sqlite { url, .. } | TestDatabase::Postgres { url, .. } => url,
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, TestDatabase::Postgres { .. })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let TestDatabase::Postgres { url, .. } = self {
            let _ = std::fs::remove_dir_all(data_dir_for(url));
        }
        if let TestDatabase::Postgres { base_url, name, .. } = self
            && let Ok(mut admin) = diesel::PgConnection::establish(base_url)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin);
        }
    }
}

/// Runs one statement on the test database outside the app, as an operator (or an older
/// version of the app) would.
pub fn raw_execute(app: &TestApp, sql: &str) {
    use diesel::{Connection, RunQueryDsl};
    let url = app.db.url().to_owned();
    match &*app.db {
        TestDatabase::Postgres { .. } => diesel::sql_query(sql)
            .execute(&mut diesel::PgConnection::establish(&url).unwrap())
            .unwrap(),
        TestDatabase::Sqlite { .. } => diesel::sql_query(sql)
            .execute(&mut diesel::SqliteConnection::establish(&url).unwrap())
            .unwrap(),
    };
}

/// The single number a `SELECT COUNT(*) AS n …` (or any `AS n` BIGINT) answers, read outside the app.
pub fn raw_count(app: &TestApp, sql: &str) -> i64 {
    use diesel::{Connection, RunQueryDsl};
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let url = app.db.url().to_owned();
    let rows: Vec<Count> = match &*app.db {
        TestDatabase::Postgres { .. } => diesel::sql_query(sql)
            .load(&mut diesel::PgConnection::establish(&url).unwrap())
            .unwrap(),
        TestDatabase::Sqlite { .. } => diesel::sql_query(sql)
            .load(&mut diesel::SqliteConnection::establish(&url).unwrap())
            .unwrap(),
    };
    rows[0].n
}

/// The first admin every test app starts with.
pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";
pub const JWT_SECRET: &str = "test-signing-key-test-signing-key-0123";
pub const DATA_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/// The test database's own directory for files (documents): beside the SQLite file, or one named
/// after the PostgreSQL database (removed with it).
pub fn data_dir_for(url: &str) -> std::path::PathBuf {
    match url.rsplit_once('/') {
        Some((_, name)) if url.starts_with("postgres") => {
            std::env::temp_dir().join(format!("klinik-test-files-{name}"))
        }
        _ => std::path::Path::new(url)
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_else(std::env::temp_dir),
    }
}

pub fn settings_for(url: &str, extra: &[(&str, &str)]) -> Settings {
    let mut vars: Vec<(String, String)> = vec![
        ("KLINIK_DATABASE_URL".into(), url.into()),
        (
            "KLINIK_DATA_DIR".into(),
            data_dir_for(url).to_string_lossy().into_owned(),
        ),
        ("KLINIK_DB_POOL_SIZE".into(), "4".into()),
        ("KLINIK_JWT_SECRET".into(), JWT_SECRET.into()),
        ("KLINIK_DATA_KEY".into(), DATA_KEY.into()),
        ("KLINIK_ADMIN_USERNAME".into(), ADMIN.into()),
        ("KLINIK_ADMIN_PASSWORD".into(), ADMIN_PASSWORD.into()),
    ];
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    // The last value of a name wins, so that `extra` overrides the defaults above.
    Settings::from_lookup(&|name| {
        vars.iter()
            .rfind(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    })
    .expect("test settings are valid")
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `code` of each field error in a problem body.
    pub fn error_codes(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| e["code"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.body
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{}",
            self.body
        );
        assert_eq!(self.body["status"], status, "{}", self.body);
        assert_eq!(self.body["code"], code, "{}", self.body);
    }
}

pub struct TestApp {
    // Declared first so it is dropped before the database.
    pub app: App,
    /// Shared with the apps started beside this one ([`TestApp::spawn_beside`]).
    pub db: std::rc::Rc<TestDatabase>,
    /// The admin's access token, sent with every request unless a test says otherwise.
    pub token: String,
    /// What the app runs against (its database handle, caches), for tests of what runs beside
    /// the requests.
    pub state: klinik_app::App,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    pub async fn spawn_with(extra: &[(&str, &str)]) -> Self {
        Self::spawn_on(TestDatabase::create(), extra).await
    }

    /// The app on an existing database (e.g. one restored from a backup), signed in as the admin.
    pub async fn spawn_on(db: TestDatabase, extra: &[(&str, &str)]) -> Self {
        Self::spawn_shared(std::rc::Rc::new(db), extra).await
    }

    /// Another instance on this app's database, with `extra` settings (e.g. rotated keys).
    pub async fn spawn_beside(&self, extra: &[(&str, &str)]) -> Self {
        Self::spawn_shared(std::rc::Rc::clone(&self.db), extra).await
    }

    async fn spawn_shared(db: std::rc::Rc<TestDatabase>, extra: &[(&str, &str)]) -> Self {
        let settings = settings_for(db.url(), extra);
        let state =
            klinik_api::prepare_state(&settings).expect("the app starts on a fresh database");
        let kept = state.clone();
        let app = test::init_service(klinik_api::build_app(state, settings.max_body_bytes)).await;
        let app = boxed::rc_service(app.map(|res| res.map_into_boxed_body()));
        let mut test_app = TestApp {
            app,
            db,
            token: String::new(),
            state: kept,
        };
        test_app.token = test_app.login(ADMIN, ADMIN_PASSWORD).await;
        test_app
    }

    /// Signs in and returns the access token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let body = serde_json::json!({"username": username, "password": password});
        let reply = self
            .request_as(None, Method::POST, "/api/v1/auth/login", Some(&body), &[])
            .await;
        assert_eq!(reply.status, 200, "sign-in of {username}: {}", reply.body);
        reply.body["access_token"].as_str().unwrap().to_owned()
    }

    /// Creates a user with `role` (password = username + "-password") and returns their token.
    pub async fn user_token(&self, username: &str, role: &str) -> String {
        let password = format!("{username}-password");
        let body = serde_json::json!({"username": username, "display_name": username, "role": role, "password": password});
        let reply = self.post("/api/v1/users", &body).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        self.login(username, &password).await
    }

    /// A request with `token` as bearer (none: anonymous).
    pub async fn request_as(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = test::TestRequest::default().method(method).uri(path);
        if let Some(body) = body {
            req = req
                .insert_header((header::CONTENT_TYPE, "application/json"))
                .set_payload(body.to_string());
        }
        if let Some(token) = token {
            req = req.insert_header((header::AUTHORIZATION, format!("Bearer {token}")));
        }
        for (name, value) in headers {
            req = req.insert_header((*name, *value));
        }
        self.send(req).await
    }

    /// A request as the admin.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        self.request_as(Some(&self.token), method, path, body, headers)
            .await
    }

    pub async fn send(&self, req: test::TestRequest) -> Reply {
        let response = Rc::clone(&self.app)
            .call(req.to_request())
            .await
            .expect("the app answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().try_into_bytes().unwrap_or_default();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.request(Method::GET, path, None, &[]).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.request(Method::POST, path, Some(body), &[]).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Reply {
        self.request(Method::PATCH, path, Some(body), &[]).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.request(Method::DELETE, path, None, &[]).await
    }

    /// Registers a cooperative from `minimal_cooperative` with `changes` merged in; returns its id.
    pub async fn create_cooperative(&self, changes: Value) -> i64 {
        let reply = self
            .post(
                "/api/v1/cooperatives",
                &with(minimal_cooperative(), changes),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.body["id"].as_i64().expect("an id")
    }
}

/// The smallest valid registration.
pub fn minimal_cooperative() -> Value {
    serde_json::json!({
        "name": "Koperasi Serba Usaha Mekar Sari",
        "form": "primer",
        "type": "konsumen",
        "kelurahan_code": "32.71.01.1006"
    })
}

/// `base` with the fields of `changes` set (a `null` in `changes` removes the field).
pub fn with(mut base: Value, changes: Value) -> Value {
    if let (Some(target), Some(source)) = (base.as_object_mut(), changes.as_object()) {
        for (key, value) in source {
            if value.is_null() {
                target.remove(key);
            } else {
                target.insert(key.clone(), value.clone());
            }
        }
    }
    base
}

pub fn this_year() -> i32 {
    chrono::Datelike::year(&chrono::Utc::now().date_naive())
}

/// A `multipart/form-data` body: `(name, file name, content)` per part; returns the content type.
pub fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "klinik-test-boundary-7d3f";
    let mut body = Vec::new();
    for (name, file_name, content) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file_name {
            Some(file) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl TestApp {
    /// Sends a spreadsheet to `POST /api/v1/imports` as `token`.
    pub async fn import_as(
        &self,
        token: &str,
        kind: &str,
        file_name: &str,
        content: &[u8],
        dry_run: bool,
    ) -> Reply {
        let dry = if dry_run { "true" } else { "false" };
        let (content_type, body) = multipart(&[
            ("kind", None, kind.as_bytes()),
            ("dry_run", None, dry.as_bytes()),
            ("file", Some(file_name), content),
        ]);
        let req = test::TestRequest::post()
            .uri("/api/v1/imports")
            .insert_header((header::AUTHORIZATION, format!("Bearer {token}")))
            .insert_header((header::CONTENT_TYPE, content_type))
            .set_payload(body);
        self.send(req).await
    }

    pub async fn import(
        &self,
        kind: &str,
        file_name: &str,
        content: &[u8],
        dry_run: bool,
    ) -> Reply {
        self.import_as(&self.token, kind, file_name, content, dry_run)
            .await
    }

    /// A GET answered with bytes (an export), as `token`.
    pub async fn download_as(
        &self,
        token: &str,
        path: &str,
    ) -> (StatusCode, Option<String>, Vec<u8>) {
        let req = test::TestRequest::get()
            .uri(path)
            .insert_header((header::AUTHORIZATION, format!("Bearer {token}")));
        let response = Rc::clone(&self.app)
            .call(req.to_request())
            .await
            .expect("the app answers");
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        // Read as a client would, so that streamed bodies (documents) arrive too.
        let bytes = actix_web::body::to_bytes(response.into_body())
            .await
            .unwrap_or_default();
        (status, content_type, bytes.to_vec())
    }
}
