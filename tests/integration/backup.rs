//! The restore drill: a backup taken while writes go on is consistent, and a backup restored into
//! a fresh database serves the same registries, clinic and audit trail. SQLite through
//! `klinik backup` (VACUUM INTO); PostgreSQL through pg_dump and pg_restore, as
//! docs/operations.md tells an operator.

use std::process::Command;

use serde_json::{Value, json};

use crate::clinic_kit::{created, kit};
use crate::helpers::{TestApp, TestDatabase, settings_for};

/// Backs the app's database up into `target` (a fresh, empty database) and restores it there.
async fn backup_into(app: &TestApp, target: &TestDatabase) {
    let (source, target_url) = (app.db.url().to_owned(), target.url().to_owned());
    let postgres = app.db.is_postgres();
    tokio::task::spawn_blocking(move || {
        if !postgres {
            let settings = settings_for(&source, &[]);
            return klinik_app::backup::backup(&settings, std::path::Path::new(&target_url))
                .expect("klinik backup writes the copy");
        }
        let dump = tempfile::NamedTempFile::new().unwrap();
        let path = dump.path().to_str().unwrap();
        let run = |program: &str, args: &[&str]| {
            let out = Command::new(program).args(args).output().expect(program);
            assert!(
                out.status.success(),
                "{program}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run("pg_dump", &["-Fc", "-f", path, &source]);
        run(
            "pg_restore",
            &["--no-owner", "--exit-on-error", "-d", &target_url, path],
        );
    })
    .await
    .unwrap();
}

fn ids(page: &Value, field: &str) -> Vec<String> {
    let mut ids: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item[field].to_string().trim_matches('"').to_owned())
        .collect();
    ids.sort();
    ids
}

#[actix_web::test]
async fn a_backup_under_write_load_is_consistent_and_restores_registries_clinic_and_audit() {
    let app = TestApp::spawn().await;
    let k = kit(&app, 2017).await;
    let coop = app
        .create_cooperative(json!({"name": "Koperasi Sehat"}))
        .await;
    let ukm = created(&app, "/api/v1/ukm", json!({"business_name": "Asinan Bu Siti", "sector": "culinary",
        "kelurahan_code": "32.71.01.1006", "owner": {"full_name": "Siti Aminah", "nik": "3271014501900001",
        "phone": "+6281234567890", "birth_date": "1990-01-05", "home_address": "Jl. Pahlawan 3"}})).await;
    created(&app, "/api/v1/cases", json!({"programme_id": k.programme["id"], "subject_kind": "cooperative",
        "subject_id": coop, "referral_source": "office_initiative", "team": [{"expert_id": k.lead["id"], "lead": true}]})).await;

    // Writes go on while the backup is taken.
    let under_load = TestDatabase::create();
    let writes = async {
        for i in 0..15 {
            app.create_cooperative(json!({"name": format!("Koperasi Beban {i}")}))
                .await;
        }
    };
    tokio::join!(writes, backup_into(&app, &under_load));
    let snapshot = TestApp::spawn_on(under_load, &[]).await;
    let cooperatives = snapshot.get("/api/v1/cooperatives?page_size=100").await;
    let created_events = snapshot
        .get("/api/v1/audit-events?entity_type=cooperative&action=create&page_size=100")
        .await;
    assert_eq!(
        ids(&cooperatives.body, "id"),
        ids(&created_events.body, "entity_id"),
        "every record in the copy has its audit event and no event lacks its record"
    );

    // Restored after the load: the same data, personal data readable with the same key.
    let restored = TestDatabase::create();
    backup_into(&app, &restored).await;
    let copy = TestApp::spawn_on(restored, &[]).await;
    for path in [
        "/api/v1/cooperatives?page_size=100".to_owned(),
        "/api/v1/ukm?page_size=100".to_owned(),
        format!("/api/v1/ukm/{}?reveal=nik", ukm["id"]),
        "/api/v1/cases".to_owned(),
        "/api/v1/programmes".to_owned(),
        "/api/v1/experts".to_owned(),
        "/api/v1/audit-events?entity_type=cooperative&page_size=100".to_owned(),
        "/api/v1/audit-events?entity_type=case&page_size=100".to_owned(),
    ] {
        let (live, restored) = (app.get(&path).await, copy.get(&path).await);
        assert_eq!(restored.status, 200, "{path}: {}", restored.body);
        assert_eq!(live.body, restored.body, "{path}");
    }
    assert_eq!(
        copy.get(&format!("/api/v1/ukm/{}?reveal=nik", ukm["id"]))
            .await
            .body["owner"]["phone"],
        "+6281234567890"
    );
}

#[actix_web::test]
async fn klinik_backup_refuses_an_existing_file_and_names_pg_dump_on_postgresql() {
    let app = TestApp::spawn().await;
    let settings = settings_for(app.db.url(), &[]);
    let existing = tempfile::NamedTempFile::new().unwrap();
    let error = klinik_app::backup::backup(&settings, existing.path())
        .unwrap_err()
        .to_string();
    if app.db.is_postgres() {
        assert!(error.contains("pg_dump"), "{error}");
    } else {
        assert!(error.contains("already exists"), "{error}");
    }
}
