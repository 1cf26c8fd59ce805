//! The connection pools hand out a connection used a moment ago without pinging it; one the
//! server closed must still be found out and replaced, never served again and again. That holds
//! for the blocking pool and for the workers' own connections that read a UKM by id.

use diesel::{Connection, RunQueryDsl};
use serde_json::json;

use crate::helpers::{TestApp, TestDatabase};

#[actix_web::test]
async fn connections_the_server_closed_are_replaced() {
    survives_closed_connections("/api/v1/cooperatives".into()).await;
}

#[actix_web::test]
async fn point_read_connections_the_server_closed_are_replaced() {
    survives_closed_connections(String::new()).await;
}

/// Reads `path` (or, when empty, a UKM by id), closes every session of the database, and reads
/// it again and again.
async fn survives_closed_connections(path: String) {
    let app = TestApp::spawn().await;
    let TestDatabase::Postgres { base_url, name, .. } = &*app.db else {
        // An SQLite file has no server to close its connections.
        return;
    };
    let path = if path.is_empty() {
        let created = crate::ukm::create(&app, &crate::ukm::ukm("Warung Sari", json!({}))).await;
        format!("/api/v1/ukm/{}", created["id"])
    } else {
        path
    };
    assert_eq!(app.get(&path).await.status, 200);
    // What a server restart or an administrator does to every session of the database.
    let mut admin = diesel::PgConnection::establish(base_url).unwrap();
    diesel::sql_query(format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = '{name}' AND pid <> pg_backend_pid()"
    ))
    .execute(&mut admin)
    .unwrap();

    let mut statuses = Vec::new();
    for _ in 0..12 {
        let reply = app.get(&path).await;
        if reply.status != 200 {
            // The request that met a closed connection is answered as a problem, without internals.
            assert!(
                [500, 503].contains(&reply.status.as_u16()),
                "{} {}",
                reply.status,
                reply.body
            );
            assert!(
                !reply.body.to_string().contains("terminat"),
                "{}",
                reply.body
            );
        }
        statuses.push(reply.status.as_u16());
    }
    let failed = statuses.iter().filter(|s| **s != 200).count();
    // At most one failure per pooled connection (8), and the service is whole again after them.
    assert!(failed <= 8, "{statuses:?}");
    assert!(statuses[8..].iter().all(|s| *s == 200), "{statuses:?}");
}
