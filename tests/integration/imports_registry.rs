//! Spreadsheet import and export of cooperatives, annual reports and UKM yearly figures.

use serde_json::json;

use crate::helpers::{TestApp, this_year};

async fn export(app: &TestApp, path: &str) -> Vec<u8> {
    let (status, _, bytes) = app.download_as(&app.token, path).await;
    assert_eq!(status, 200, "{path}");
    bytes
}

#[track_caller]
fn counts(reply: &crate::helpers::Reply) -> [i64; 5] {
    assert_eq!(reply.status, 201, "{}", reply.body);
    let c = &reply.body["counts"];
    [
        "rows_read",
        "to_create",
        "to_update",
        "unchanged",
        "rejected",
    ]
    .map(|k| c[k].as_i64().unwrap())
}

#[actix_web::test]
async fn cooperatives_import_by_registration_number_and_round_trip() {
    let app = TestApp::spawn().await;
    let file = "nomor_induk_koperasi;nama_koperasi;bentuk;jenis;usaha_simpan_pinjam;kode_kelurahan;telepon\n\
3271990000001;Koperasi Konsumen Mekar;primer;konsumen;tidak;32.71.01.1006;0251123456\n\
3271990000002;KSP Sejahtera;primer;simpan_pinjam;ya;32.71.02.1001;\n\
3271990000003;KSP Salah;primer;simpan_pinjam;tidak;32.71.02.1001;\n";
    let dry = app
        .import("cooperatives", "koperasi.csv", file.as_bytes(), true)
        .await;
    assert_eq!(counts(&dry), [3, 2, 0, 0, 1]);
    assert_eq!(dry.body["problems"][0]["row"], 4);
    assert_eq!(dry.body["problems"][0]["column"], "usaha_simpan_pinjam");
    let good: String = file.lines().take(3).map(|l| format!("{l}\n")).collect();
    assert_eq!(
        counts(
            &app.import("cooperatives", "k.csv", good.as_bytes(), false)
                .await
        ),
        [2, 2, 0, 0, 0]
    );
    let listed = app.get("/api/v1/cooperatives?q=3271990000001").await;
    assert_eq!(
        listed.body["items"][0]["postal_code"], "16136",
        "defaults apply as on create"
    );
    assert_eq!(
        counts(
            &app.import("cooperatives", "k.csv", good.as_bytes(), false)
                .await
        ),
        [2, 0, 0, 2, 0]
    );

    let renamed = good.replace("Koperasi Konsumen Mekar", "Koperasi Konsumen Mekar Jaya");
    assert_eq!(
        counts(
            &app.import("cooperatives", "k.csv", renamed.as_bytes(), false)
                .await
        ),
        [2, 0, 1, 1, 0]
    );
    for ext in ["csv", "xlsx"] {
        let bytes = export(&app, &format!("/api/v1/exports/cooperatives.{ext}")).await;
        let again = app
            .import("cooperatives", &format!("k.{ext}"), &bytes, true)
            .await;
        assert_eq!(counts(&again), [2, 0, 0, 2, 0], "{ext}");
    }
}

#[actix_web::test]
async fn annual_reports_import_per_book_year_and_make_a_cooperative_active() {
    let app = TestApp::spawn().await;
    let id = app
        .create_cooperative(json!({"registration_number": "3271990000009"}))
        .await;
    let last = this_year() - 1;
    let file = format!(
        "registration_number,book_year,rat_held,rat_date,members_male,members_female,shu\n\
3271990000009,{last},ya,{}-03-15,40,35,-2500000\n\
3271990000009,{},tidak,,38,30,\n\
3271990000404,{last},ya,{}-03-15,1,1,\n\
3271990000009,{last},ya,{}-03-16,1,1,\n",
        last + 1,
        last - 1,
        last + 1,
        last + 1
    );
    let dry = app
        .import("annual_reports", "rat.csv", file.as_bytes(), true)
        .await;
    assert_eq!(counts(&dry), [4, 2, 0, 0, 2]);
    let codes: Vec<&str> = dry.body["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["unknown_cooperative", "duplicate_key"]);
    let good: String = file.lines().take(3).map(|l| format!("{l}\n")).collect();
    assert_eq!(
        counts(
            &app.import("annual_reports", "rat.csv", good.as_bytes(), false)
                .await
        ),
        [2, 2, 0, 0, 0]
    );
    let coop = app.get(&format!("/api/v1/cooperatives/{id}")).await;
    assert_eq!(
        coop.body["status"], "aktif",
        "the status follows imported reports"
    );
    for ext in ["csv", "xlsx"] {
        let bytes = export(&app, &format!("/api/v1/exports/annual-reports.{ext}")).await;
        let again = app
            .import("annual_reports", &format!("r.{ext}"), &bytes, true)
            .await;
        assert_eq!(counts(&again), [2, 0, 0, 2, 0], "{ext}");
    }
    let one_year = export(
        &app,
        &format!("/api/v1/exports/annual-reports.csv?book_year={last}"),
    )
    .await;
    assert_eq!(String::from_utf8(one_year).unwrap().lines().count(), 2);
    let bad_year = app
        .get("/api/v1/exports/annual-reports.csv?book_year=12")
        .await;
    bad_year.assert_problem(400, "invalid_query");
}

#[actix_web::test]
async fn yearly_figures_import_by_nib_or_owner_and_round_trip() {
    let app = TestApp::spawn().await;
    let ukm = json!({"business_name": "Tahu Sumedang Bu Euis", "sector": "culinary", "kelurahan_code": "32.71.01.1006",
        "nib": "9999000000077", "owner": {"full_name": "Euis", "nik": "3271015203880007"}});
    assert_eq!(app.post("/api/v1/ukm", &ukm).await.status, 201);
    let year = this_year() - 1;
    let file = format!(
        "nib,nik_pemilik,nama_usaha,tahun,omzet,jumlah_tenaga_kerja,aset\n\
9999000000077,,,{year},240000000,4,60000000\n\
,3271015203880007,Tahu Sumedang Bu Euis,{},200000000,3,\n\
9999000000000,,,{year},1,1,1\n\
9999000000077,,,{},1,1,1\n",
        year - 1,
        year + 2
    );
    let dry = app
        .import("yearly_figures", "omzet.csv", file.as_bytes(), true)
        .await;
    assert_eq!(counts(&dry), [4, 2, 0, 0, 2]);
    let codes: Vec<&str> = dry.body["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["unknown_ukm", "book_year_range"]);
    let good: String = file.lines().take(3).map(|l| format!("{l}\n")).collect();
    assert_eq!(
        counts(
            &app.import("yearly_figures", "o.csv", good.as_bytes(), false)
                .await
        ),
        [2, 2, 0, 0, 0]
    );
    let id = app.get("/api/v1/ukm").await.body["items"][0]["id"]
        .as_i64()
        .unwrap();
    let figures = app.get(&format!("/api/v1/ukm/{id}/yearly-figures")).await;
    assert_eq!(figures.body[0]["turnover"], 240_000_000);
    for ext in ["csv", "xlsx"] {
        let bytes = export(&app, &format!("/api/v1/exports/yearly-figures.{ext}")).await;
        let again = app
            .import("yearly_figures", &format!("f.{ext}"), &bytes, true)
            .await;
        assert_eq!(counts(&again), [2, 0, 0, 2, 0], "{ext}");
    }
    let viewer = app.user_token("pembaca", "viewer").await;
    let (_, _, masked) = app
        .download_as(&viewer, "/api/v1/exports/yearly-figures.csv")
        .await;
    let masked = String::from_utf8(masked).unwrap();
    assert!(
        masked.contains("3271********0007") && !masked.contains("3271015203880007"),
        "{masked}"
    );
}
