//! Evidence documents: uploaded as multipart forms, typed by their bytes, streamed into the
//! store and out again under the record's access rules; archived, restored and purged; nothing
//! left behind by an upload that fails.

use actix_web::http::{Method, header};
use actix_web::test;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::clinic_kit::{case_led_by, created, diagnosed, expert_of, kit, step};
use crate::helpers::{Reply, TestApp, data_dir_for, multipart, settings_for};

pub fn pdf(tag: &str) -> Vec<u8> {
    format!(
        "%PDF-1.4\n% {tag}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    .into_bytes()
}

fn elf() -> Vec<u8> {
    let mut bytes = vec![0x7f, b'E', b'L', b'F', 2, 1, 1, 0];
    bytes.resize(4096, 0);
    bytes
}

fn xlsx() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet().write_string(0, 0, "Neraca").unwrap();
    book.save_to_buffer().unwrap()
}

pub async fn upload_as(
    app: &TestApp,
    token: &str,
    path: &str,
    fields: &[(&str, &str)],
    file_name: &str,
    bytes: &[u8],
) -> Reply {
    let mut parts: Vec<(&str, Option<&str>, &[u8])> = fields
        .iter()
        .map(|(name, value)| (*name, None, value.as_bytes()))
        .collect();
    parts.push(("file", Some(file_name), bytes));
    let (content_type, body) = multipart(&parts);
    let req = test::TestRequest::post()
        .uri(path)
        .insert_header((header::AUTHORIZATION, format!("Bearer {token}")))
        .insert_header((header::CONTENT_TYPE, content_type))
        .set_payload(body);
    app.send(req).await
}

pub async fn upload(app: &TestApp, path: &str, kind: &str, bytes: &[u8]) -> Reply {
    let fields = [("kind", kind), ("title", "Dokumen uji")];
    upload_as(app, &app.token, path, &fields, "dokumen.pdf", bytes).await
}

/// Every file in the local store, unfinished uploads included.
fn stored_files(app: &TestApp) -> Vec<String> {
    let dir = data_dir_for(app.db.url()).join("documents");
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn get_as(app: &TestApp, token: &str, path: &str) -> Reply {
    app.request_as(Some(token), Method::GET, path, None, &[])
        .await
}

#[actix_web::test]
async fn a_deed_is_uploaded_listed_read_and_downloaded_byte_for_byte() {
    let app = TestApp::spawn().await;
    let coop = app.create_cooperative(json!({})).await;
    let deed = pdf("akta");
    let fields = [
        ("kind", "akta_pendirian"),
        ("title", "Akta pendirian 2019"),
        ("document_date", "2019-03-02"),
    ];
    let path = format!("/api/v1/cooperatives/{coop}/documents");
    let up = upload_as(
        &app,
        &app.token,
        &path,
        &fields,
        "scan/akta asli.exe",
        &deed,
    )
    .await;
    assert_eq!(up.status, 201, "{}", up.body);
    let id = up.body["id"].as_i64().unwrap();
    assert_eq!(
        up.header("location"),
        Some(format!("/api/v1/documents/{id}").as_str())
    );
    assert_eq!(up.header("etag"), Some("\"1\""));
    assert_eq!(up.body["owner_kind"], "cooperative");
    assert_eq!(up.body["owner_id"], coop);
    assert_eq!(up.body["media_type"], "application/pdf");
    assert_eq!(
        up.body["file_name"], "akta asli.pdf",
        "the real type's extension, no path or quotes"
    );
    assert_eq!(up.body["size_bytes"], deed.len());
    assert_eq!(up.body["sha256"], hex(&Sha256::digest(&deed)));
    assert_eq!(up.body["document_date"], "2019-03-02");
    assert_eq!(up.body["personal"], false);

    let list = app.get(&path).await;
    assert_eq!(list.body["total"], 1, "{}", list.body);
    assert_eq!(list.body["items"][0]["title"], "Akta pendirian 2019");
    let one = app.get(&format!("/api/v1/documents/{id}")).await;
    assert_eq!(one.body, up.body);

    let req = test::TestRequest::get()
        .uri(&format!("/api/v1/documents/{id}/content"))
        .insert_header((header::AUTHORIZATION, format!("Bearer {}", app.token)))
        .to_request();
    let response = test::call_service(&app.app, req).await;
    assert_eq!(response.status(), 200);
    let h = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(h("content-type").as_deref(), Some("application/pdf"));
    assert_eq!(
        h("content-disposition").as_deref(),
        Some("attachment; filename=\"akta asli.pdf\"")
    );
    assert_eq!(h("x-content-type-options").as_deref(), Some("nosniff"));
    use base64::Engine;
    let digest = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&deed));
    assert_eq!(h("repr-digest"), Some(format!("sha-256=:{digest}:")));
    let body = test::read_body(response).await;
    assert_eq!(body.as_ref(), deed.as_slice());

    let events = app
        .get(&format!(
            "/api/v1/audit-events?entity_type=document&entity_id={id}"
        ))
        .await;
    assert_eq!(
        events.body["items"][0]["action"], "create",
        "{}",
        events.body
    );
    assert_eq!(stored_files(&app).len(), 1);
}

#[actix_web::test]
async fn office_files_are_recognised_by_content_and_a_renamed_executable_is_refused() {
    let app = TestApp::spawn().await;
    let coop = app.create_cooperative(json!({})).await;
    let path = format!("/api/v1/cooperatives/{coop}/annual-reports");
    let report = app
        .post(&path, &json!({"book_year": 2025, "rat_held": false}))
        .await;
    assert_eq!(report.status, 201, "{}", report.body);
    let docs = format!("{path}/2025/documents");
    let sheet = upload(&app, &docs, "laporan_keuangan", &xlsx()).await;
    assert_eq!(sheet.status, 201, "{}", sheet.body);
    assert_eq!(
        sheet.body["media_type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(sheet.body["file_name"], "dokumen.xlsx");

    let spoof = upload(&app, &docs, "notulen_rat", &elf()).await;
    spoof.assert_problem(415, "unsupported_file_type");
    let text = upload(
        &app,
        &docs,
        "notulen_rat",
        b"<html><script>alert(1)</script></html>",
    )
    .await;
    text.assert_problem(415, "unsupported_file_type");
    let empty = upload(&app, &docs, "notulen_rat", b"").await;
    empty.assert_problem(422, "validation_failed");
    assert_eq!(empty.body["errors"][0]["code"], "empty_file");

    assert_eq!(app.get(&docs).await.body["total"], 1);
    assert_eq!(
        stored_files(&app).len(),
        1,
        "nothing kept of the refused ones"
    );
}

#[actix_web::test]
async fn the_form_is_checked_field_by_field_and_each_record_takes_its_own_kinds() {
    let app = TestApp::spawn().await;
    let coop = app.create_cooperative(json!({})).await;
    let path = format!("/api/v1/cooperatives/{coop}/documents");
    let bad = upload_as(
        &app,
        &app.token,
        &path,
        &[
            ("kind", "bukti_pencairan"),
            ("title", "Bukti"),
            ("document_date", "02/03/2019"),
            ("personal", "yes"),
        ],
        "a.pdf",
        &pdf("x"),
    )
    .await;
    bad.assert_problem(422, "validation_failed");
    let mut fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        ["document_date", "kind", "personal"],
        "{}",
        bad.body
    );
    let wrong_kind = upload(&app, &path, "bukti_pencairan", &pdf("y")).await;
    wrong_kind.assert_problem(422, "validation_failed");
    assert_eq!(wrong_kind.body["errors"][0]["code"], "kind_not_for_owner");
    let no_title = upload_as(
        &app,
        &app.token,
        &path,
        &[("kind", "other")],
        "a.pdf",
        &pdf("z"),
    )
    .await;
    assert_eq!(no_title.body["errors"][0]["field"], "title");
    let unknown = upload_as(
        &app,
        &app.token,
        &path,
        &[("kind", "other"), ("title", "t"), ("nik", "1")],
        "a.pdf",
        &pdf("w"),
    )
    .await;
    unknown.assert_problem(400, "unknown_field");
    let (content_type, body) = multipart(&[("kind", None, b"other"), ("title", None, b"t")]);
    let req = test::TestRequest::post()
        .uri(&path)
        .insert_header((header::AUTHORIZATION, format!("Bearer {}", app.token)))
        .insert_header((header::CONTENT_TYPE, content_type))
        .set_payload(body);
    let no_file = app.send(req).await;
    assert_eq!(
        no_file.body["errors"][0]["field"], "file",
        "{}",
        no_file.body
    );
    let json_body = app.post(&path, &json!({"kind": "other"})).await;
    json_body.assert_problem(415, "unsupported_media_type");
    upload(
        &app,
        "/api/v1/cooperatives/999999/documents",
        "other",
        &pdf("v"),
    )
    .await
    .assert_problem(404, "not_found");
    assert_eq!(app.get(&path).await.body["total"], 0);
    assert!(stored_files(&app).is_empty(), "{:?}", stored_files(&app));
}

#[actix_web::test]
async fn a_file_past_the_limit_is_413_and_the_same_file_twice_on_a_record_is_409() {
    let app = TestApp::spawn_with(&[("KLINIK_DOCUMENT_MAX_BYTES", "2048")]).await;
    let coop = app.create_cooperative(json!({})).await;
    let other = app
        .create_cooperative(json!({"name": "Koperasi Lain"}))
        .await;
    let path = format!("/api/v1/cooperatives/{coop}/documents");
    let mut big = pdf("besar");
    big.resize(4096, b' ');
    upload(&app, &path, "other", &big)
        .await
        .assert_problem(413, "payload_too_large");
    let mut exact = pdf("pas");
    exact.resize(2048, b' ');
    let first = upload(&app, &path, "other", &exact).await;
    assert_eq!(
        first.status, 201,
        "a file of exactly the limit is accepted: {}",
        first.body
    );
    let again = upload(&app, &path, "akta_pendirian", &exact).await;
    again.assert_problem(409, "duplicate_document");
    assert!(
        again.body["detail"]
            .as_str()
            .unwrap()
            .contains(&first.body["id"].to_string()),
        "{}",
        again.body
    );
    let elsewhere = upload(
        &app,
        &format!("/api/v1/cooperatives/{other}/documents"),
        "other",
        &exact,
    )
    .await;
    assert_eq!(
        elsewhere.status, 201,
        "another record may hold the same file"
    );
    assert_eq!(stored_files(&app).len(), 2);
}

#[actix_web::test]
async fn personal_documents_are_never_a_viewers_and_each_download_of_one_is_audited() {
    let app = TestApp::spawn().await;
    let viewer = app.user_token("vera", "viewer").await;
    let officer = app.user_token("oki", "officer").await;
    let assessor = app.user_token("asa", "assessor").await;
    let coop = app.create_cooperative(json!({})).await;
    let path = format!("/api/v1/cooperatives/{coop}/documents");
    let ktp = upload_as(
        &app,
        &officer,
        &path,
        &[
            ("kind", "other"),
            ("title", "KTP pengurus"),
            ("personal", "true"),
        ],
        "ktp.pdf",
        &pdf("ktp"),
    )
    .await;
    assert_eq!(ktp.status, 201, "{}", ktp.body);
    let deed = upload_as(
        &app,
        &officer,
        &path,
        &[("kind", "akta_pendirian"), ("title", "Akta")],
        "akta.pdf",
        &pdf("akta"),
    )
    .await;
    let (ktp, deed) = (ktp.body["id"].clone(), deed.body["id"].clone());

    let listed = get_as(&app, &viewer, &path).await;
    assert_eq!(listed.body["total"], 2, "a viewer sees that they exist");
    let (status, _, _) = app
        .download_as(&viewer, &format!("/api/v1/documents/{deed}/content"))
        .await;
    assert_eq!(status, 200);
    for token in [&viewer, &assessor] {
        get_as(&app, token, &format!("/api/v1/documents/{ktp}/content"))
            .await
            .assert_problem(403, "forbidden");
    }
    let (status, _, bytes) = app
        .download_as(&officer, &format!("/api/v1/documents/{ktp}/content"))
        .await;
    assert_eq!((status.as_u16(), bytes), (200, pdf("ktp")));
    let downloads = app.get("/api/v1/audit-events?action=download").await;
    assert_eq!(
        downloads.body["total"], 1,
        "only the personal one, once: {}",
        downloads.body
    );
    assert_eq!(downloads.body["items"][0]["entity_id"], ktp.to_string());
    assert_eq!(downloads.body["items"][0]["actor_name"], "oki");

    // Viewers and assessors do not attach to the registry; no client reaches documents.
    upload_as(
        &app,
        &viewer,
        &path,
        &[("kind", "other"), ("title", "x")],
        "x.pdf",
        &pdf("v"),
    )
    .await
    .assert_problem(403, "forbidden");
    upload_as(
        &app,
        &assessor,
        &path,
        &[("kind", "other"), ("title", "x")],
        "x.pdf",
        &pdf("a"),
    )
    .await
    .assert_problem(403, "forbidden");
    app.request_as(
        Some(&assessor),
        Method::DELETE,
        &format!("/api/v1/documents/{deed}"),
        None,
        &[],
    )
    .await
    .assert_problem(403, "forbidden");
}

#[actix_web::test]
async fn an_assessor_works_only_on_their_teams_case_documents() {
    let app = TestApp::spawn().await;
    let k = kit(&app, 2017).await;
    let asep = app.user_token("asep", "assessor").await;
    let expert = expert_of(&app, "asep", "Asep Saepudin").await;
    let theirs = app
        .create_cooperative(json!({"name": "Koperasi Lain"}))
        .await;
    let (_, their_diagnosis) = diagnosed(&app, &k, "cooperative", theirs).await;
    let mine = app
        .create_cooperative(json!({"name": "Koperasi Asep"}))
        .await;
    let case = case_led_by(&app, &k, &expert, mine).await;
    step(&app, &case["id"], "screen", "screened").await;
    step(&app, &case["id"], "start_diagnosis", "diagnosing").await;
    let diagnosis = created(&app, &format!("/api/v1/cases/{}/diagnoses", case["id"]), json!({"summary": "Kas lemah.",
        "findings": [{"category": "tata_kelola_rat", "severity": "ringan", "description": "Buku kas tidak rutin."}]})).await;

    let own = format!("/api/v1/diagnoses/{}/documents", diagnosis["id"]);
    let sheet = upload_as(
        &app,
        &asep,
        &own,
        &[
            ("kind", "lembar_kerja"),
            ("title", "Lembar kerja"),
            ("personal", "true"),
        ],
        "lk.pdf",
        &pdf("lk"),
    )
    .await;
    assert_eq!(sheet.status, 201, "{}", sheet.body);
    let (status, _, _) = app
        .download_as(
            &asep,
            &format!("/api/v1/documents/{}/content", sheet.body["id"]),
        )
        .await;
    assert_eq!(status, 200, "their own case's personal worksheet");

    let other = format!("/api/v1/diagnoses/{}/documents", their_diagnosis["id"]);
    let theirs_doc = upload(&app, &other, "lembar_kerja", &pdf("theirs")).await;
    assert_eq!(theirs_doc.status, 201, "{}", theirs_doc.body);
    upload_as(
        &app,
        &asep,
        &other,
        &[("kind", "lembar_kerja"), ("title", "x")],
        "x.pdf",
        &pdf("x"),
    )
    .await
    .assert_problem(404, "not_found");
    get_as(&app, &asep, &other)
        .await
        .assert_problem(404, "not_found");
    get_as(
        &app,
        &asep,
        &format!("/api/v1/documents/{}", theirs_doc.body["id"]),
    )
    .await
    .assert_problem(404, "not_found");
    get_as(
        &app,
        &asep,
        &format!("/api/v1/documents/{}/content", theirs_doc.body["id"]),
    )
    .await
    .assert_problem(404, "not_found");
    assert_eq!(get_as(&app, &asep, &own).await.body["total"], 1);
}

#[actix_web::test]
async fn archive_restore_and_purge_keep_the_record_and_take_the_bytes() {
    let app = TestApp::spawn().await;
    let officer = app.user_token("oki", "officer").await;
    let coop = app.create_cooperative(json!({})).await;
    app.post(
        &format!("/api/v1/cooperatives/{coop}/annual-reports"),
        &json!({"book_year": 2024, "rat_held": false}),
    )
    .await;
    let docs = format!("/api/v1/cooperatives/{coop}/annual-reports/2024/documents");
    let up = upload(&app, &docs, "notulen_rat", &pdf("rat")).await;
    let id = up.body["id"].clone();
    let doc = format!("/api/v1/documents/{id}");

    let changed = app
        .request(
            Method::PATCH,
            &doc,
            Some(&json!({"title": "Notulen RAT 2024", "personal": true})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(
        (changed.status.as_u16(), &changed.body["version"]),
        (200, &json!(2)),
        "{}",
        changed.body
    );
    app.request(
        Method::PATCH,
        &doc,
        Some(&json!({"kind": "akta_pendirian"})),
        &[],
    )
    .await
    .assert_problem(422, "validation_failed");
    app.request(Method::DELETE, &doc, None, &[("if-match", "\"1\"")])
        .await
        .assert_problem(412, "precondition_failed");
    assert_eq!(
        app.request_as(Some(&officer), Method::DELETE, &doc, None, &[])
            .await
            .status,
        204
    );
    app.get(&doc).await.assert_problem(404, "not_found");
    app.get(&format!("{doc}/content"))
        .await
        .assert_problem(404, "not_found");
    assert_eq!(app.get(&docs).await.body["total"], 0);
    assert_eq!(
        app.get(&format!("{docs}?include_archived=true")).await.body["total"],
        1
    );
    app.request_as(
        Some(&officer),
        Method::POST,
        &format!("{doc}/restore"),
        None,
        &[],
    )
    .await
    .assert_problem(403, "forbidden");
    let restored = app
        .request(Method::POST, &format!("{doc}/restore"), None, &[])
        .await;
    assert_eq!(restored.status, 200, "{}", restored.body);
    assert_eq!(restored.body["archived_at"], Value::Null);

    // The report cannot be erased while its minutes exist.
    let report = format!("/api/v1/cooperatives/{coop}/annual-reports/2024");
    app.delete(&report)
        .await
        .assert_problem(409, "has_documents");

    let reason = json!({"reason": "Memuat NIK anggota; diganti salinan tersamar."});
    app.request_as(
        Some(&officer),
        Method::POST,
        &format!("{doc}/purge"),
        Some(&reason),
        &[],
    )
    .await
    .assert_problem(403, "forbidden");
    let purged = app.post(&format!("{doc}/purge"), &reason).await;
    assert_eq!(purged.status, 200, "{}", purged.body);
    assert_eq!(purged.body["purge_reason"], reason["reason"]);
    assert!(purged.body["purged_at"].is_string() && purged.body["archived_at"].is_string());
    assert!(stored_files(&app).is_empty(), "the bytes are gone");
    app.post(&format!("{doc}/purge"), &reason)
        .await
        .assert_problem(409, "document_purged");
    app.request(Method::POST, &format!("{doc}/restore"), None, &[])
        .await
        .assert_problem(409, "document_purged");
    let kept = app.get(&format!("{doc}?include_archived=true")).await;
    assert_eq!(kept.body["sha256"], up.body["sha256"], "the record stays");
    let events = app
        .get(&format!(
            "/api/v1/audit-events?entity_type=document&entity_id={id}"
        ))
        .await;
    let actions: Vec<&str> = events.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in ["create", "update", "archive", "restore", "purge"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    assert_eq!(
        app.delete(&report).await.status,
        204,
        "nothing left to lose"
    );
}

#[actix_web::test]
async fn an_upload_cut_off_midway_leaves_no_file_and_no_record() {
    let app = TestApp::spawn().await;
    let coop = app.create_cooperative(json!({})).await;
    let path = format!("/api/v1/cooperatives/{coop}/documents");
    let mut file = pdf("panjang");
    file.resize(300 * 1024, b'x');
    let (content_type, mut body) = multipart(&[
        ("kind", None, b"other"),
        ("title", None, b"t"),
        ("file", Some("a.pdf"), &file),
    ]);
    body.truncate(200 * 1024); // past the type check: the store has begun receiving it
    let req = test::TestRequest::post()
        .uri(&path)
        .insert_header((header::AUTHORIZATION, format!("Bearer {}", app.token)))
        .insert_header((header::CONTENT_TYPE, content_type))
        .set_payload(body);
    app.send(req)
        .await
        .assert_problem(400, "malformed_multipart");
    assert_eq!(app.get(&path).await.body["total"], 0);
    assert!(stored_files(&app).is_empty(), "{:?}", stored_files(&app));
}

#[actix_web::test]
async fn the_cleanup_removes_files_without_a_record_once_they_are_an_hour_old() {
    let app = TestApp::spawn().await;
    let coop = app.create_cooperative(json!({})).await;
    let live = upload(
        &app,
        &format!("/api/v1/cooperatives/{coop}/documents"),
        "other",
        &pdf("hidup"),
    )
    .await;
    assert_eq!(live.status, 201);
    // What a crash between storing a file and writing its record leaves.
    let dir = data_dir_for(app.db.url()).join("documents");
    std::fs::write(dir.join("0123456789abcdef"), pdf("yatim")).unwrap();
    std::fs::write(dir.join("fedcba9876543210#1"), b"half an upload").unwrap();
    let state = klinik_api::prepare_state(&settings_for(app.db.url(), &[])).unwrap();
    let now = chrono::Utc::now();
    let young = klinik_app::documents::cleanup::remove_orphans(&state, now)
        .await
        .unwrap();
    assert_eq!(young, 0, "an upload may still be under way");
    let removed =
        klinik_app::documents::cleanup::remove_orphans(&state, now + chrono::Duration::hours(2))
            .await
            .unwrap();
    assert_eq!(removed, 2);
    assert_eq!(stored_files(&app).len(), 1);
    let (status, _, bytes) = app
        .download_as(
            &app.token,
            &format!("/api/v1/documents/{}/content", live.body["id"]),
        )
        .await;
    assert_eq!((status.as_u16(), bytes), (200, pdf("hidup")));
}

#[actix_web::test]
async fn a_store_that_does_not_answer_is_a_503_and_nothing_is_recorded() {
    let port = crate::tools::free_port().to_string();
    let endpoint = format!("http://127.0.0.1:{port}");
    let app = TestApp::spawn_with(&[
        ("KLINIK_DOCUMENT_STORE", "s3"),
        ("KLINIK_S3_BUCKET", "klinik"),
        ("KLINIK_S3_ENDPOINT", &endpoint),
        ("KLINIK_S3_ACCESS_KEY_ID", "test"),
        ("KLINIK_S3_SECRET_ACCESS_KEY", "test"),
    ])
    .await;
    let coop = app.create_cooperative(json!({})).await;
    let path = format!("/api/v1/cooperatives/{coop}/documents");
    let up = upload(&app, &path, "other", &pdf("x")).await;
    up.assert_problem(503, "storage_unavailable");
    assert!(up.header("retry-after").is_some());
    assert_eq!(app.get(&path).await.body["total"], 0);
}

#[actix_web::test]
async fn documents_live_in_an_s3_compatible_bucket_when_configured() {
    let s3 = crate::tools::s3_server("klinik-docs");
    let endpoint = format!("http://127.0.0.1:{}", s3.port);
    let app = TestApp::spawn_with(&[
        ("KLINIK_DOCUMENT_STORE", "s3"),
        ("KLINIK_S3_BUCKET", "klinik-docs"),
        ("KLINIK_S3_ENDPOINT", &endpoint),
        ("KLINIK_S3_ACCESS_KEY_ID", "test"),
        ("KLINIK_S3_SECRET_ACCESS_KEY", "test"),
    ])
    .await;
    let coop = app.create_cooperative(json!({})).await;
    let path = format!("/api/v1/cooperatives/{coop}/documents");
    // Larger than one part, so the bucket sees a real multipart upload.
    let mut big = pdf("besar");
    big.resize(11 * 1024 * 1024, b'%');
    let up = upload(&app, &path, "akta_pendirian", &big).await;
    assert_eq!(up.status, 201, "{}", up.body);
    let small = upload(&app, &path, "other", &pdf("kecil")).await;
    assert_eq!(small.status, 201, "{}", small.body);
    assert_eq!(s3.keys("klinik-docs").len(), 2);
    let (status, _, bytes) = app
        .download_as(
            &app.token,
            &format!("/api/v1/documents/{}/content", up.body["id"]),
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        bytes == big,
        "the same bytes back ({} of {})",
        bytes.len(),
        big.len()
    );
    upload(&app, &path, "other", &elf())
        .await
        .assert_problem(415, "unsupported_file_type");
    let purged = app
        .post(
            &format!("/api/v1/documents/{}/purge", small.body["id"]),
            &json!({"reason": "Salah unggah."}),
        )
        .await;
    assert_eq!(purged.status, 200, "{}", purged.body);
    assert_eq!(
        s3.keys("klinik-docs").len(),
        1,
        "the refused file never reached the bucket, the purged one left it"
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
