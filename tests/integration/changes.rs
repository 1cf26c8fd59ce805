//! The change feed: every change once, in commit order, even when writers commit out of the order
//! they started; what each caller may see; retention.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use actix_web::http::Method;
use diesel::Connection;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use klinik_persistence::changes::{self, ChangeRow};
use klinik_persistence::{AnyConnection, DatabaseUrl, Pool, PoolOptions, build_pool};
use serde_json::{Value, json};

use crate::access::client_token;
use crate::helpers::{TestApp, raw_execute, settings_for, this_year};

/// Every entry of `reply`'s page as `(kind, id, action, version)`.
fn entries(reply: &Value) -> Vec<(String, i64, String, Option<i64>)> {
    reply["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_owned(),
                e["id"].as_i64().unwrap(),
                e["action"].as_str().unwrap().to_owned(),
                e["version"].as_i64(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn the_feed_shows_each_change_once_in_order_with_the_record_as_get_shows_it() {
    let app = TestApp::spawn().await;
    let id = app.create_cooperative(json!({})).await;
    let path = format!("/api/v1/cooperatives/{id}");
    let renamed = app
        .request(
            Method::PATCH,
            &path,
            Some(&json!({"name": "Koperasi Feed"})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    let year = this_year() - 1;
    let report = app
        .post(
            &format!("{path}/annual-reports"),
            &json!({"book_year": year, "rat_held": true, "rat_date": format!("{}-03-01", year + 1)}),
        )
        .await;
    assert_eq!(report.status, 201, "{}", report.body);
    let report_id = report.body["id"].as_i64().unwrap();
    let deleted = app.delete(&format!("{path}/annual-reports/{year}")).await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);

    let page = app.get("/api/v1/changes").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let seen = entries(&page.body);
    let coop = |action: &str, version: i64| {
        (
            "cooperative".to_owned(),
            id,
            action.to_owned(),
            Some(version),
        )
    };
    let report_entry = |action: &str, version: Option<i64>| {
        (
            "annual_report".to_owned(),
            report_id,
            action.to_owned(),
            version,
        )
    };
    // The report's RAT makes the cooperative active (a status change, written as the report is
    // stored), its deletion inactive again.
    assert_eq!(
        seen,
        [
            coop("create", 1),
            coop("update", 2),
            coop("status", 3),
            report_entry("create", Some(1)),
            coop("status", 4),
            report_entry("delete", None),
        ],
        "{}",
        page.body
    );
    let items = page.body["items"].as_array().unwrap();
    let positions: Vec<i64> = items
        .iter()
        .map(|e| e["position"].as_i64().unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    // The record is what GET shows now: the latest version, on every entry of it.
    let now = app.get(&path).await.body;
    assert_eq!(items[0]["record"], now);
    assert_eq!(items[3]["record"], Value::Null, "a deleted report is gone");
    assert_eq!(page.body["head"], json!(positions[5]));
    assert_eq!(page.body["next_after"], json!(positions[5]));
    assert_eq!(page.body["has_more"], json!(false));

    // Paging one at a time walks the same entries, each once.
    let mut after = 0;
    let mut walked = Vec::new();
    loop {
        let page = app
            .get(&format!("/api/v1/changes?after={after}&limit=1"))
            .await;
        assert_eq!(page.status, 200, "{}", page.body);
        walked.extend(entries(&page.body));
        after = page.body["next_after"].as_i64().unwrap();
        if !page.body["has_more"].as_bool().unwrap() {
            break;
        }
    }
    assert_eq!(walked, seen);
    let only_reports = app.get("/api/v1/changes?kinds=annual_report").await;
    assert_eq!(
        entries(&only_reports.body),
        [
            report_entry("create", Some(1)),
            report_entry("delete", None)
        ]
    );
    let caught_up = app.get(&format!("/api/v1/changes?after={after}")).await;
    assert_eq!(caught_up.body["items"], json!([]));
    assert_eq!(caught_up.body["next_after"], json!(after));
}

#[actix_web::test]
async fn clients_follow_the_kinds_their_scopes_cover_and_bad_cursors_are_refused() {
    let app = TestApp::spawn().await;
    let id = app.create_cooperative(json!({})).await;
    let registry = client_token(&app, &["registry:read"]).await;
    let read = |token: String, path: &'static str| {
        let app = &app;
        async move {
            app.request_as(Some(&token), Method::GET, path, None, &[])
                .await
        }
    };
    let page = read(registry.clone(), "/api/v1/changes").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(
        entries(&page.body),
        [("cooperative".to_owned(), id, "create".to_owned(), Some(1))]
    );
    read(registry.clone(), "/api/v1/changes?kinds=case")
        .await
        .assert_problem(403, "forbidden");
    let indicators = client_token(&app, &["indicators:read"]).await;
    read(indicators, "/api/v1/changes")
        .await
        .assert_problem(403, "forbidden");
    read(registry.clone(), "/api/v1/changes?kinds=cooperative,person")
        .await
        .assert_problem(400, "invalid_query");
    read(registry.clone(), "/api/v1/changes?after=999")
        .await
        .assert_problem(400, "invalid_query");
    read(registry, "/api/v1/changes?limit=501")
        .await
        .assert_problem(400, "invalid_query");
}

#[actix_web::test]
async fn a_cursor_older_than_the_retention_answers_410() {
    let app = TestApp::spawn_with(&[("KLINIK_CHANGE_RETENTION_DAYS", "1")]).await;
    let old = app.create_cooperative(json!({})).await;
    let kept = app.create_cooperative(json!({})).await;
    // Sequence both, then age the first beyond the retention.
    assert_eq!(app.get("/api/v1/changes").await.status, 200);
    raw_execute(
        &app,
        &format!("UPDATE changes SET occurred_at = '2000-01-01 00:00:00' WHERE record_id = {old}"),
    );
    let server = klinik_api::prepare_state(&settings_for(
        app.db.url(),
        &[("KLINIK_CHANGE_RETENTION_DAYS", "1")],
    ))
    .unwrap();
    let runs = klinik_app::scheduler::run_due(&server, "test").await;
    let purge = runs.iter().find(|r| r.name == "purge_change_feed").unwrap();
    assert_eq!(purge.outcome, Ok(1));
    let expired = app.get("/api/v1/changes?after=0").await;
    expired.assert_problem(410, "cursor_expired");
    let from_oldest = app.get("/api/v1/changes").await;
    assert_eq!(
        entries(&from_oldest.body),
        [("cooperative".to_owned(), kept, "create".to_owned(), Some(1))]
    );
}

fn pool(app: &TestApp, size: u32) -> Pool {
    build_pool(
        &DatabaseUrl::parse(app.db.url()),
        PoolOptions {
            max_size: size,
            connection_timeout: Duration::from_secs(10),
        },
    )
    .unwrap()
}

/// What the endpoint does: sequence what has committed, then read the page up to the head.
fn read_page(conn: &mut AnyConnection, after: i64) -> (Vec<ChangeRow>, i64) {
    klinik_persistence::write_transaction(conn, changes::sequence).unwrap();
    let bounds = changes::bounds(conn).unwrap();
    let rows = changes::page(conn, after, bounds.head, &["cooperative"], 50).unwrap();
    let next = if rows.len() < 50 {
        bounds.head
    } else {
        rows.last().and_then(|r| r.position).unwrap_or(after)
    };
    (rows, next)
}

type Manager = <AnyConnection as Connection>::TransactionManager;

/// A transaction left open across steps of the test (diesel's manager knows of it).
fn begin(conn: &mut AnyConnection) {
    match conn {
        AnyConnection::Pg(_) => Manager::begin_transaction(conn).unwrap(),
        AnyConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE").unwrap()
        }
    }
}

fn commit(conn: &mut AnyConnection) {
    Manager::commit_transaction(conn).unwrap();
}

#[actix_web::test]
async fn an_entry_that_commits_after_a_later_one_is_still_read_once_and_after_it() {
    let app = TestApp::spawn().await;
    let pool = pool(&app, 3);
    let (mut first, mut second, mut reader) = (
        pool.get().unwrap(),
        pool.get().unwrap(),
        pool.get().unwrap(),
    );
    if app.db.is_postgres() {
        // The first writer takes the lower id, the second commits first.
        begin(&mut first);
        changes::record(&mut first, "cooperative", "update", &[101]).unwrap();
        begin(&mut second);
        changes::record(&mut second, "cooperative", "update", &[202]).unwrap();
        commit(&mut second);
        let (page, after) = read_page(&mut reader, 0);
        assert_eq!(page.iter().map(|r| r.record_id).collect::<Vec<_>>(), [202]);
        commit(&mut first);
        let (page, next) = read_page(&mut reader, after);
        assert_eq!(page.iter().map(|r| r.record_id).collect::<Vec<_>>(), [101]);
        assert!(page[0].position > Some(after), "{page:?} after {after}");
        assert!(read_page(&mut reader, next).0.is_empty());
    } else {
        // SQLite lets one writer in at a time: commit order is start order.
        begin(&mut first);
        changes::record(&mut first, "cooperative", "update", &[101]).unwrap();
        commit(&mut first);
        let (page, after) = read_page(&mut reader, 0);
        assert_eq!(page.iter().map(|r| r.record_id).collect::<Vec<_>>(), [101]);
        assert!(read_page(&mut reader, after).0.is_empty());
    }
}

#[actix_web::test]
async fn concurrent_writers_and_a_reader_paging_all_along_see_every_change_exactly_once() {
    const WRITERS: usize = 4;
    const EACH: i64 = 40;
    let app = TestApp::spawn().await;
    let pool = pool(&app, WRITERS as u32 + 1);
    let done = Arc::new(AtomicBool::new(false));
    let start = Arc::new(Barrier::new(WRITERS + 1));
    let reader = {
        let (pool, done, start) = (pool.clone(), done.clone(), start.clone());
        std::thread::spawn(move || {
            let mut conn = pool.get().unwrap();
            let (mut after, mut seen) = (0, Vec::new());
            start.wait();
            loop {
                let finished = done.load(Ordering::SeqCst);
                let (rows, next) = read_page(&mut conn, after);
                seen.extend(rows.iter().map(|r| (r.position.unwrap(), r.record_id)));
                after = next;
                if finished && rows.is_empty() {
                    return seen;
                }
            }
        })
    };
    let writers: Vec<_> = (0..WRITERS as i64)
        .map(|w| {
            let (pool, start) = (pool.clone(), start.clone());
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                start.wait();
                for n in 0..EACH {
                    let id = w * 1_000 + n;
                    let write = |conn: &mut AnyConnection| {
                        changes::record(conn, "cooperative", "update", &[id])?;
                        // Hold the transaction open a varying while, so commits interleave.
                        std::thread::sleep(Duration::from_micros(((id * 7919) % 900) as u64));
                        Ok::<_, klinik_persistence::StoreError>(())
                    };
                    klinik_persistence::write_transaction(&mut conn, write).unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    done.store(true, Ordering::SeqCst);
    let seen = reader.join().unwrap();
    let positions: Vec<i64> = seen.iter().map(|(p, _)| *p).collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "in a stable order"
    );
    let ids: Vec<i64> = seen.iter().map(|(_, id)| *id).collect();
    let distinct: BTreeSet<i64> = ids.iter().copied().collect();
    assert_eq!(ids.len(), distinct.len(), "none twice");
    let written: BTreeSet<i64> = (0..WRITERS as i64)
        .flat_map(|w| (0..EACH).map(move |n| w * 1_000 + n))
        .collect();
    assert_eq!(distinct, written, "none missed");
}

#[actix_web::test]
async fn a_copy_made_from_the_lists_and_kept_by_the_feed_equals_the_registry() {
    let app = TestApp::spawn().await;
    let first = app.create_cooperative(json!({})).await;
    let second = app.create_cooperative(json!({})).await;
    // A province system's first sync: note the feed's head, then copy the list.
    let head = app.get("/api/v1/changes?limit=1").await.body["head"]
        .as_i64()
        .unwrap();
    let mut copy: std::collections::BTreeMap<i64, Value> =
        app.get("/api/v1/cooperatives?page_size=100").await.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["id"].as_i64().unwrap(), c.clone()))
            .collect();
    let synced_at = chrono::Utc::now();
    std::thread::sleep(Duration::from_millis(5));
    // Officers go on working.
    let third = app.create_cooperative(json!({})).await;
    let patched = app
        .patch(
            &format!("/api/v1/cooperatives/{first}"),
            &json!({"name": "Koperasi Berubah"}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(
        app.delete(&format!("/api/v1/cooperatives/{second}"))
            .await
            .status,
        204
    );
    let since = synced_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let changed = app
        .get(&format!(
            "/api/v1/cooperatives?include_archived=true&updated_since={}",
            since.replace('+', "%2B")
        ))
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let mut ids: Vec<i64> = changed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, [first, second, third]);
    app.get("/api/v1/cooperatives?updated_since=yesterday")
        .await
        .assert_problem(400, "invalid_query");

    // Following the feed from the head keeps the copy exact.
    let mut after = head;
    loop {
        let page = app
            .get(&format!(
                "/api/v1/changes?after={after}&kinds=cooperative&limit=2"
            ))
            .await;
        for entry in page.body["items"].as_array().unwrap() {
            let id = entry["id"].as_i64().unwrap();
            let record = &entry["record"];
            if record["archived_at"].is_null() {
                copy.insert(id, record.clone());
            } else {
                copy.remove(&id);
            }
        }
        after = page.body["next_after"].as_i64().unwrap();
        if !page.body["has_more"].as_bool().unwrap() {
            break;
        }
    }
    let registry: std::collections::BTreeMap<i64, Value> =
        app.get("/api/v1/cooperatives?page_size=100").await.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["id"].as_i64().unwrap(), c.clone()))
            .collect();
    assert_eq!(copy, registry);
}

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        .replace('+', "%2B")
}

#[actix_web::test]
async fn the_clinic_is_followed_too_and_an_assessor_sees_only_their_teams_cases() {
    let app = TestApp::spawn().await;
    let kit = crate::clinic_kit::kit(&app, this_year()).await;
    let cooperative = app.create_cooperative(json!({})).await;
    let before = chrono::Utc::now();
    std::thread::sleep(Duration::from_millis(5));
    let (case, diagnosis) =
        crate::clinic_kit::diagnosed(&app, &kit, "cooperative", cooperative).await;
    let (case_id, diagnosis_id) = (
        case["id"].as_i64().unwrap(),
        diagnosis["id"].as_i64().unwrap(),
    );
    let page = app
        .get("/api/v1/changes?kinds=programme,case,diagnosis&limit=500")
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let seen: Vec<(String, i64, String)> = entries(&page.body)
        .into_iter()
        .map(|(kind, id, action, _)| (kind, id, action))
        .collect();
    let expect = |kind: &str, id: i64, action: &str| (kind.to_owned(), id, action.to_owned());
    let programme = kit.programme["id"].as_i64().unwrap();
    assert_eq!(
        seen,
        [
            expect("programme", programme, "create"),
            expect("case", case_id, "create"),
            expect("case", case_id, "transition"),
            expect("case", case_id, "transition"),
            expect("diagnosis", diagnosis_id, "create"),
            expect("diagnosis", diagnosis_id, "finalize"),
        ]
    );
    let last = page.body["items"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["record"]["status"], "final", "{last}");

    let outsider = app.user_token("asesor-lain", "assessor").await;
    let theirs = app
        .request_as(
            Some(&outsider),
            Method::GET,
            "/api/v1/changes?kinds=programme,case,diagnosis",
            None,
            &[],
        )
        .await;
    assert_eq!(theirs.status, 200, "{}", theirs.body);
    let kinds: Vec<String> = entries(&theirs.body).into_iter().map(|e| e.0).collect();
    assert_eq!(kinds, ["programme"], "another team's case stays hidden");

    // The case's children catch up by updated_since like the lists.
    let diagnoses = format!("/api/v1/cases/{case_id}/diagnoses");
    let all = app
        .get(&format!("{diagnoses}?updated_since={}", rfc3339(before)))
        .await;
    assert_eq!(all.body["total"], 1, "{}", all.body);
    let none = app
        .get(&format!(
            "{diagnoses}?updated_since={}",
            rfc3339(chrono::Utc::now())
        ))
        .await;
    assert_eq!(none.body["total"], 0, "{}", none.body);
    let reports = format!("/api/v1/cooperatives/{cooperative}/annual-reports");
    crate::clinic_kit::report(&app, cooperative, this_year() - 1, true, 1_000_000).await;
    let later = app
        .get(&format!(
            "{reports}?updated_since={}",
            rfc3339(chrono::Utc::now())
        ))
        .await;
    assert_eq!(later.body["total"], 0, "{}", later.body);
    let since = app
        .get(&format!("{reports}?updated_since={}", rfc3339(before)))
        .await;
    assert_eq!(since.body["total"], 1, "{}", since.body);
}
