//! Spreadsheet import and export of the UKM registry: dry runs, all-or-nothing real runs, natural
//! keys, both header languages, the export/re-import round trip, and every kind of bad file.

use serde_json::{Value, json};

use crate::helpers::TestApp;

const HEADER_ID: &str = "nama_usaha,nama_pemilik,nik_pemilik,jenis_kelamin_pemilik,tanggal_lahir_pemilik,telepon_pemilik,nib,sektor,omzet_tahunan,kode_kelurahan";

fn csv(rows: &[&str]) -> Vec<u8> {
    let mut text = String::from(HEADER_ID);
    for row in rows {
        text.push('\n');
        text.push_str(row);
    }
    text.push('\n');
    text.into_bytes()
}

const SITI: &str = "Asinan Bu Siti,Siti Aminah,3271014501900001,perempuan,05/01/1990,+6281234567890,,culinary,180000000,32.71.01.1006";
const BUDI: &str = "Bengkel Budi,Budi Santoso,3271020202850003,laki_laki,1985-02-02,,1234567890123,services,2500000000,32.71.02.1001";

async fn ukm_total(app: &TestApp) -> i64 {
    app.get("/api/v1/ukm").await.body["total"].as_i64().unwrap()
}

#[actix_web::test]
async fn a_dry_run_counts_and_names_each_problem_by_row_and_column_without_writing() {
    let app = TestApp::spawn().await;
    let bad_month = "Kopi Pak Ahmad,Ahmad,3271011513900002,laki_laki,,,,culinary,,32.71.01.1006";
    let repeated_nib = "Bengkel Budi Dua,Budi Santoso,3271020202850003,laki_laki,1985-02-02,,1234567890123,services,,32.71.02.1001";
    let reply = app
        .import(
            "ukm",
            "ukm.csv",
            &csv(&[SITI, bad_month, BUDI, repeated_nib]),
            true,
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.body["outcome"], "validated");
    assert_eq!(
        reply.body["counts"],
        json!({"rows_read": 4, "to_create": 2, "to_update": 0, "unchanged": 0, "rejected": 2})
    );
    let problems = reply.body["problems"].as_array().unwrap();
    assert_eq!(
        problems
            .iter()
            .map(|p| (
                p["row"].as_i64().unwrap(),
                p["column"].as_str().unwrap(),
                p["code"].as_str().unwrap()
            ))
            .collect::<Vec<_>>(),
        [
            (3, "nik_pemilik", "nik_birth_month"),
            (5, "nib", "duplicate_key")
        ]
    );
    assert!(
        !reply.body.to_string().contains("3271011513900002"),
        "a problem never repeats the value"
    );
    assert_eq!(ukm_total(&app).await, 0, "a dry run writes nothing");
    let id = reply.body["id"].as_i64().unwrap();
    assert_eq!(
        reply.header("location").map(str::to_owned),
        Some(format!("/api/v1/imports/{id}"))
    );
    let stored = app.get(&format!("/api/v1/imports/{id}")).await;
    assert_eq!(stored.status, 200);
    assert_eq!(stored.body["problems"], reply.body["problems"]);
    assert_eq!(stored.body["file_name"], "ukm.csv");
    assert_eq!(stored.body["created_by"], "admin");
}

#[actix_web::test]
async fn a_real_run_applies_every_row_or_none_and_a_second_run_changes_nothing() {
    let app = TestApp::spawn().await;
    let bad = "Kopi Pak Ahmad,Ahmad,3271011513900002,laki_laki,,,,culinary,,32.71.01.1006";
    let rejected = app
        .import("ukm", "ukm.csv", &csv(&[SITI, BUDI, bad]), false)
        .await;
    rejected.assert_problem(422, "validation_failed");
    assert_eq!(rejected.body["errors"][0]["field"], "rows[4].nik_pemilik");
    assert_eq!(
        ukm_total(&app).await,
        0,
        "nothing of a rejected file is applied"
    );
    let list = app.get("/api/v1/imports").await;
    assert_eq!(list.body["total"], 1, "the rejected attempt is recorded");
    assert_eq!(list.body["items"][0]["outcome"], "rejected");

    let file = csv(&[SITI, BUDI]);
    let applied = app.import("ukm", "ukm.csv", &file, false).await;
    assert_eq!(applied.status, 201, "{}", applied.body);
    assert_eq!(applied.body["outcome"], "applied");
    assert_eq!(applied.body["counts"]["to_create"], 2);
    let found = app.get("/api/v1/ukm?q=1234567890123").await;
    let budi = &found.body["items"][0];
    assert_eq!(budi["size_class"], "kecil", "2.5 bn sales under PP 7/2021");
    assert_eq!(budi["owner"]["nik"], "3271********0003");
    let audit = app
        .get("/api/v1/audit-events?entity_type=ukm&action=create")
        .await;
    assert_eq!(audit.body["total"], 2, "each imported record is audited");

    let again = app.import("ukm", "ukm.csv", &file, false).await;
    assert_eq!(again.status, 201, "{}", again.body);
    assert_eq!(
        again.body["counts"],
        json!({"rows_read": 2, "to_create": 0, "to_update": 0, "unchanged": 2, "rejected": 0})
    );
    assert_eq!(ukm_total(&app).await, 2);
}

#[actix_web::test]
async fn a_row_updates_only_the_columns_its_file_has_and_english_headers_work_too() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.import("ukm", "a.csv", &csv(&[BUDI]), false)
            .await
            .status,
        201
    );
    let update = b"business_name,owner_full_name,nib,sector,annual_sales,kelurahan_code\n\
Bengkel Budi,Budi Santoso,1234567890123,services,20000000000,32.71.02.1001\n";
    let reply = app.import("ukm", "b.csv", update, false).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.body["counts"]["to_update"], 1);
    let budi = &app.get("/api/v1/ukm?q=1234567890123").await.body["items"][0];
    assert_eq!(budi["size_class"], "menengah");
    assert_eq!(
        budi["owner"]["nik"], "3271********0003",
        "the owner's NIK, absent from the file, stays"
    );
    assert_eq!(budi["owner"]["birth_date"], "1985-02-02");
}

async fn round_trip(app: &TestApp, extension: &str) {
    let (status, content_type, bytes) = app
        .download_as(&app.token, &format!("/api/v1/exports/ukm.{extension}"))
        .await;
    assert_eq!(status, 200);
    assert!(content_type.is_some_and(|c| !c.contains("json")));
    let reply = app
        .import("ukm", &format!("export.{extension}"), &bytes, true)
        .await;
    assert_eq!(reply.status, 201, "{extension}: {}", reply.body);
    assert_eq!(
        reply.body["counts"],
        json!({"rows_read": 3, "to_create": 0, "to_update": 0, "unchanged": 3, "rejected": 0}),
        "{extension}: {}",
        reply.body
    );
}

#[actix_web::test]
async fn an_export_re_imported_as_a_dry_run_changes_nothing_in_csv_and_xlsx() {
    let app = TestApp::spawn().await;
    let cooperative = app.create_cooperative(json!({})).await;
    let full: Value = json!({"business_name": "=Warung \"Sederhana\", Bogor", "sector": "trade", "kelurahan_code": "32.71.03.1003",
        "nib": "9999000000001", "kbli_code": "47111", "kbli_version": "2020", "business_capital": 50000000,
        "figures_date": "2020-06-30", "workers": 3, "start_year": 2015, "has_pirt": true, "npwp": "123456789012345",
        "street": "Jl. Suryakencana 1", "cooperative_id": cooperative, "status": "tidak_aktif",
        "owner": {"full_name": "Dewi Lestari", "nik": "3271036707920004", "sex": "perempuan", "birth_date": "1992-07-27",
            "phone": "081298765432", "home_address": "Jl. Merdeka 2, RT 01/02"}});
    assert_eq!(app.post("/api/v1/ukm", &full).await.status, 201);
    assert_eq!(
        app.import("ukm", "a.csv", &csv(&[SITI, BUDI]), false)
            .await
            .status,
        201
    );
    round_trip(&app, "csv").await;
    round_trip(&app, "xlsx").await;

    let viewer = app.user_token("pengamat", "viewer").await;
    let (status, _, bytes) = app
        .download_as(&viewer, "/api/v1/exports/ukm.csv?sector=trade")
        .await;
    assert_eq!(status, 200);
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("3271********0004"), "{text}");
    assert!(
        !text.contains("1992-07-27") && !text.contains("Merdeka"),
        "{text}"
    );
    assert!(
        text.contains("'=Warung"),
        "formula-like text is defused: {text}"
    );
    let refused = app
        .import_as(&viewer, "ukm", "x.csv", &csv(&[SITI]), true)
        .await;
    refused.assert_problem(403, "forbidden");
}

#[actix_web::test]
async fn bad_files_get_clear_errors_never_a_500() {
    let app = TestApp::spawn().await;
    let file_error = |reply: &crate::helpers::Reply, code: &str| {
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.body["errors"][0]["field"], "file", "{}", reply.body);
        assert_eq!(reply.body["errors"][0]["code"], code, "{}", reply.body);
    };
    file_error(
        &app.import("ukm", "empty.csv", b"", true).await,
        "empty_file",
    );
    file_error(
        &app.import("ukm", "scan.pdf", b"%PDF-1.7 not a sheet", true)
            .await,
        "unsupported_file_type",
    );
    file_error(
        &app.import(
            "ukm",
            "x.csv",
            b"nama_usaha,nib\nWarung,1234567890123\n",
            true,
        )
        .await,
        "missing_column",
    );
    file_error(
        &app.import("ukm", "x.csv", b"nama_usaha,warna\nWarung,merah\n", true)
            .await,
        "unknown_column",
    );
    let broken = app
        .import(
            "ukm",
            "x.csv",
            &[csv(&[]), b"Warung \xFF,Siti\n".to_vec()].concat(),
            true,
        )
        .await;
    file_error(&broken, "invalid_utf8");
    assert!(
        broken.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("row 2, column A"),
        "{}",
        broken.body
    );
    let formula = [csv(&[]), b"=HYPERLINK(\"x\"),Siti\n".to_vec()].concat();
    file_error(
        &app.import("ukm", "x.csv", &formula, true).await,
        "formula_not_allowed",
    );
    file_error(
        &app.import("ukm", "x.xlsx", b"PK\x03\x04 not really a zip", true)
            .await,
        "unreadable_file",
    );
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "nama_usaha").unwrap();
    sheet.write_formula(1, 0, "=1+1").unwrap();
    let with_formula = workbook.save_to_buffer().unwrap();
    file_error(
        &app.import("ukm", "f.xlsx", &with_formula, true).await,
        "formula_not_allowed",
    );

    let huge = vec![b'a'; 100 * 1024 * 1024];
    let too_large = app.import("ukm", "huge.csv", &huge, true).await;
    too_large.assert_problem(413, "payload_too_large");
    assert!(
        too_large.body["detail"]
            .as_str()
            .unwrap()
            .contains("33554432")
    );

    let not_a_form = app.post("/api/v1/imports", &json!({"kind": "ukm"})).await;
    not_a_form.assert_problem(415, "unsupported_media_type");
    let unknown_kind = app
        .import("koperasi-luar", "x.csv", &csv(&[SITI]), true)
        .await;
    unknown_kind.assert_problem(422, "validation_failed");
    assert_eq!(unknown_kind.body["errors"][0]["field"], "kind");
    assert_eq!(app.get("/api/v1/imports/999").await.status, 404);
}
