//! The UKM search (`q`): words of the name or the NIB, by how they begin, kept true through every
//! write, on the search box's own path (a term alone) and with other filters.

use actix_web::http::Method;
use diesel::{Connection, RunQueryDsl};
use serde_json::json;

use crate::helpers::{TestApp, TestDatabase, settings_for};
use crate::ukm::{create, ukm};

/// The names a list answers, and its total.
async fn found(app: &TestApp, query: &str) -> (Vec<String>, i64) {
    let reply = app.get(&format!("/api/v1/ukm?{query}")).await;
    assert_eq!(reply.status, 200, "{query}: {}", reply.body);
    let names = reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["business_name"].as_str().unwrap().to_owned())
        .collect();
    (names, reply.body["total"].as_i64().unwrap())
}

async fn names(app: &TestApp, query: &str) -> Vec<String> {
    found(app, query).await.0
}

#[actix_web::test]
async fn a_search_finds_names_by_the_start_of_their_words() {
    let app = TestApp::spawn().await;
    create(&app, &ukm("Warung Bu Siti", json!({}))).await;
    create(&app, &ukm("Batik Siti-Nur", json!({"sector": "fashion"}))).await;
    create(
        &app,
        &ukm("Toko Jaya Jaya", json!({"nib": "1234567890123"})),
    )
    .await;
    create(&app, &ukm("Kedai Marwarung", json!({}))).await;

    // A term alone is read from the search keys; with another filter, through the registry; in
    // either order.
    for extra in [
        "",
        "&status=aktif",
        "&sort=business_name",
        "&status=aktif&sort=business_name",
    ] {
        let q = |term: &str| format!("q={term}{extra}");
        let mut siti = names(&app, &q("siti")).await;
        if !extra.contains("sort") {
            assert_eq!(
                siti,
                ["Warung Bu Siti", "Batik Siti-Nur"],
                "{extra}: \"siti\" first"
            );
            siti.reverse();
        }
        assert_eq!(siti, ["Batik Siti-Nur", "Warung Bu Siti"], "{extra}");
        assert_eq!(names(&app, &q("SITI")).await, names(&app, &q("siti")).await);
        assert_eq!(names(&app, &q("bu%20si")).await, ["Warung Bu Siti"]);
        assert_eq!(
            names(&app, &q("%20warung%20%20bu%20")).await,
            ["Warung Bu Siti"]
        );
        assert!(names(&app, &q("arung")).await.is_empty(), "inside a word");
        assert_eq!(
            names(&app, &q("nur")).await,
            ["Batik Siti-Nur"],
            "after a hyphen"
        );
        assert_eq!(
            names(&app, &q("12345")).await,
            ["Toko Jaya Jaya"],
            "the NIB"
        );
        assert_eq!(
            found(&app, &q("jaya")).await,
            (vec!["Toko Jaya Jaya".to_owned()], 1),
            "two words of one name match: one UKM"
        );
        assert_eq!(
            names(&app, &q("wa")).await,
            ["Warung Bu Siti"],
            "a short term"
        );
    }
    app.get("/api/v1/ukm?q=%20%20")
        .await
        .assert_problem(400, "invalid_query");
}

#[actix_web::test]
async fn a_search_comes_in_completion_order_or_the_order_asked_for() {
    let app = TestApp::spawn().await;
    for name in [
        "Warung Bu Siti",
        "Bu Siti Catering",
        "Kopi Bu Sinta",
        "Soto Ayam",
    ] {
        create(&app, &ukm(name, json!({}))).await;
    }
    let completions = ["Kopi Bu Sinta", "Warung Bu Siti", "Bu Siti Catering"];
    assert_eq!(names(&app, "q=bu%20si").await, completions);
    assert_eq!(names(&app, "q=bu%20si&sort=match").await, completions);
    assert_eq!(names(&app, "q=bu%20si&status=aktif").await, completions);
    assert_eq!(
        names(&app, "q=bu%20si&sort=business_name").await,
        ["Bu Siti Catering", "Kopi Bu Sinta", "Warung Bu Siti"]
    );
    assert_eq!(
        names(&app, "q=bu%20si&sort=-business_name").await,
        ["Warung Bu Siti", "Kopi Bu Sinta", "Bu Siti Catering"]
    );
    assert_eq!(
        names(&app, "q=bu&sort=-business_name").await,
        ["Warung Bu Siti", "Kopi Bu Sinta", "Bu Siti Catering"],
        "a short term walks the names"
    );
    assert_eq!(
        names(&app, "q=bu%20si&sort=created_at").await,
        ["Warung Bu Siti", "Bu Siti Catering", "Kopi Bu Sinta"]
    );
    assert_eq!(
        found(&app, "q=bu%20si&page=2&page_size=2").await,
        (vec!["Bu Siti Catering".to_owned()], 3)
    );
    assert_eq!(
        found(&app, "q=bu%20si&sort=business_name&page=2&page_size=2").await,
        (vec!["Warung Bu Siti".to_owned()], 3)
    );
    // Without a term, `match` is the name's order.
    assert_eq!(
        names(&app, "sort=match").await,
        [
            "Bu Siti Catering",
            "Kopi Bu Sinta",
            "Soto Ayam",
            "Warung Bu Siti"
        ]
    );
}

#[actix_web::test]
async fn names_that_match_at_two_words_are_paged_and_counted_once() {
    let app = TestApp::spawn().await;
    for name in ["Jaya Jaya Jaya C", "Jaya B", "Jaya Jaya A", "Maju D"] {
        create(&app, &ukm(name, json!({}))).await;
    }
    let owned = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    // Keys in order: "jaya a" (A), "jaya b", "jaya c" (C), "jaya jaya a", "jaya jaya c", …
    for extra in ["", "&status=aktif"] {
        assert_eq!(
            found(&app, &format!("q=jaya&page_size=2{extra}")).await,
            (owned(&["Jaya Jaya A", "Jaya B"]), 3)
        );
        assert_eq!(
            found(&app, &format!("q=jaya&page=2&page_size=2{extra}")).await,
            (owned(&["Jaya Jaya Jaya C"]), 3)
        );
    }
    assert_eq!(
        found(&app, "q=jaya&page_size=2&sort=business_name").await,
        (owned(&["Jaya B", "Jaya Jaya A"]), 3)
    );
    assert_eq!(
        found(&app, "q=jaya&page=2&page_size=2&sort=business_name").await,
        (owned(&["Jaya Jaya Jaya C"]), 3)
    );
    assert_eq!(
        found(&app, "q=jaya&page_size=2&sort=-business_name").await,
        (owned(&["Jaya Jaya Jaya C", "Jaya Jaya A"]), 3)
    );
    assert_eq!(
        found(&app, "q=jaya%20jaya&page=2&page_size=1").await,
        (owned(&["Jaya Jaya Jaya C"]), 2)
    );
}

#[actix_web::test]
async fn renaming_archiving_and_importing_keep_the_search_true() {
    let app = TestApp::spawn().await;
    let u = create(&app, &ukm("Asinan Lama", json!({}))).await;
    let path = format!("/api/v1/ukm/{}", u["id"]);
    let renamed = app
        .request(
            Method::PATCH,
            &path,
            Some(&json!({"business_name": "Asinan Baru", "nib": "9876543210987"})),
            &[("If-Match", "\"1\"")],
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(names(&app, "q=lama").await, Vec::<String>::new());
    assert_eq!(names(&app, "q=baru").await, ["Asinan Baru"]);
    assert_eq!(names(&app, "q=98765").await, ["Asinan Baru"]);

    let archived = app
        .request(Method::DELETE, &path, None, &[("If-Match", "\"2\"")])
        .await;
    assert_eq!(archived.status, 204, "{}", archived.body);
    assert_eq!(found(&app, "q=baru").await, (vec![], 0));
    assert_eq!(
        names(&app, "q=baru&include_archived=true").await,
        ["Asinan Baru"]
    );

    let file = "nama_usaha,nama_pemilik,nik_pemilik,sektor,kode_kelurahan\n\
                Roti Unyil Pak Joko,Joko,3271010101900002,culinary,32.71.01.1001\n";
    let reply = app.import("ukm", "ukm.csv", file.as_bytes(), false).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(names(&app, "q=unyil%20pak").await, ["Roti Unyil Pak Joko"]);
}

#[actix_web::test]
async fn the_ukm_registered_before_the_search_keys_are_keyed_at_the_next_start() {
    let app = TestApp::spawn().await;
    create(&app, &ukm("Warung Bu Siti", json!({}))).await;
    let archived = create(&app, &ukm("Doclang Lama", json!({}))).await;
    let deleted = app
        .request(
            Method::DELETE,
            &format!("/api/v1/ukm/{}", archived["id"]),
            None,
            &[("If-Match", "\"1\"")],
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    // As the migration leaves a registry: no keys yet, their backfill asked for.
    let url = app.db.url().to_owned();
    let sql = [
        "DELETE FROM ukm_name_words",
        "INSERT INTO pending_backfills (name) VALUES ('ukm_name_words')",
    ];
    for statement in sql {
        match &*app.db {
            TestDatabase::Postgres { .. } => diesel::sql_query(statement)
                .execute(&mut diesel::PgConnection::establish(&url).unwrap())
                .unwrap(),
            TestDatabase::Sqlite { .. } => diesel::sql_query(statement)
                .execute(&mut diesel::SqliteConnection::establish(&url).unwrap())
                .unwrap(),
        };
    }
    assert_eq!(names(&app, "q=siti").await, Vec::<String>::new());

    // Another instance starts on the database (as after a deployment).
    klinik_api::prepare_state(&settings_for(&url, &[])).expect("the app starts again");
    assert_eq!(names(&app, "q=siti").await, ["Warung Bu Siti"]);
    assert_eq!(names(&app, "q=doclang").await, Vec::<String>::new());
    assert_eq!(
        names(&app, "q=doclang&include_archived=true").await,
        ["Doclang Lama"]
    );
}

#[actix_web::test]
async fn more_than_1000_keys_of_fewer_ukm_are_counted_exactly() {
    let app = TestApp::spawn().await;
    // 600 names each matching "jaya" at two words: 1,200 keys, 600 UKM.
    let mut file = String::from("nama_usaha,nama_pemilik,nik_pemilik,sektor,kode_kelurahan\n");
    for i in 1..=600 {
        file.push_str(&format!(
            "Jaya Jaya {i:04},Pemilik {i},327101010190{i:04},culinary,32.71.01.1001\n"
        ));
    }
    let reply = app.import("ukm", "ukm.csv", file.as_bytes(), false).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    for sort in ["match", "business_name"] {
        let reply = app
            .get(&format!(
                "/api/v1/ukm?q=jaya&sort={sort}&page=30&page_size=20"
            ))
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(
            (&reply.body["total"], &reply.body["total_exact"]),
            (&json!(600), &json!(true))
        );
        let items = reply.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 20, "{sort}");
        assert_eq!(items[19]["business_name"], "Jaya Jaya 0600", "{sort}");
    }
}
