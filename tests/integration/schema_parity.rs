//! Both migration trees build the same tables, columns and nullability.

use std::collections::BTreeSet;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use klinik_persistence::{AnyConnection, DatabaseUrl, PoolOptions, build_pool, run_migrations};

use crate::helpers::{TestDatabase, postgres_base_url};

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = BigInt)]
    nullable: i64,
}

/// (table, column, nullable) of every application table.
fn columns(conn: &mut AnyConnection) -> BTreeSet<(String, String, bool)> {
    let sql = match conn {
        AnyConnection::Pg(_) => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name, \
             CASE WHEN is_nullable = 'YES' THEN 1 ELSE 0 END::bigint AS nullable \
             FROM information_schema.columns WHERE table_schema = 'public' \
             AND table_name <> '__diesel_schema_migrations'"
        }
        AnyConnection::Sqlite(_) => {
            // A primary key column is NOT NULL in effect, though SQLite's pragma does not say so.
            // `table_xinfo` also lists generated columns (hidden 2 or 3); 1 marks a virtual table's.
            "SELECT m.name AS table_name, p.name AS column_name, \
             CASE WHEN p.\"notnull\" = 1 OR p.pk > 0 THEN 0 ELSE 1 END AS nullable \
             FROM sqlite_master m JOIN pragma_table_xinfo(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations' \
             AND p.hidden <> 1"
        }
    };
    diesel::sql_query(sql)
        .load::<Column>(conn)
        .unwrap()
        .into_iter()
        .map(|c| (c.table_name, c.column_name, c.nullable == 1))
        .collect()
}

fn migrated(url: &str) -> (klinik_persistence::Pool, BTreeSet<(String, String, bool)>) {
    let pool = build_pool(&DatabaseUrl::parse(url), PoolOptions::default()).unwrap();
    let mut conn = pool.get().unwrap();
    run_migrations(&mut conn).unwrap();
    assert_eq!(
        run_migrations(&mut conn).unwrap(),
        0,
        "a second run applies nothing"
    );
    let found = columns(&mut conn);
    drop(conn);
    (pool, found)
}

#[test]
fn both_migration_trees_build_the_same_columns() {
    let sqlite_dir = tempfile::tempdir().unwrap();
    let sqlite_url = sqlite_dir
        .path()
        .join("parity.sqlite3")
        .to_string_lossy()
        .into_owned();
    let (_sqlite_pool, sqlite) = migrated(&sqlite_url);
    assert!(sqlite.contains(&("cooperatives".into(), "registration_number".into(), true)));
    assert!(sqlite.contains(&("cooperatives".into(), "name".into(), false)));
    if postgres_base_url().is_none() {
        eprintln!(
            "KLINIK_TEST_DATABASE_URL is not set: comparing against PostgreSQL happens in the PostgreSQL run"
        );
        return;
    }
    let pg_db = TestDatabase::create();
    assert!(pg_db.is_postgres());
    let (pg_pool, postgres) = migrated(pg_db.url());
    drop(pg_pool);
    let only_sqlite: Vec<_> = sqlite.difference(&postgres).collect();
    let only_postgres: Vec<_> = postgres.difference(&sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "only in SQLite: {only_sqlite:?}\nonly in PostgreSQL: {only_postgres:?}"
    );
}
