//! `persistence/src/schema.rs` is what every query is built from, and it is written by hand for
//! both backends. It must say exactly what the migrations create on the backend of this run:
//! the same tables, the same columns in the same order (rows are read by position), the same
//! types and nullability. A hand edit that drifts from the migrations fails here.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use klinik_persistence::{AnyConnection, DatabaseUrl, PoolOptions, build_pool, run_migrations};

use crate::helpers::TestDatabase;

const SCHEMA_RS: &str = include_str!("../../persistence/src/schema.rs");

/// A column as diesel's `table!` declares it: name, SQL type (`BigInt`, `Text`, …), nullable.
type Declared = (String, String, bool);

/// Every `diesel::table!` block of schema.rs, its columns in declaration order.
fn declared() -> BTreeMap<String, Vec<Declared>> {
    let mut tables = BTreeMap::new();
    let mut current: Option<(String, Vec<Declared>)> = None;
    for line in SCHEMA_RS.lines().map(str::trim) {
        if let Some((name, _)) = line.split_once(" (").filter(|_| line.ends_with('{')) {
            current = Some((name.to_owned(), Vec::new()));
        } else if let Some((column, ty)) = line.split_once(" -> ") {
            let ty = ty.trim_end_matches(',');
            let (ty, nullable) = match ty.strip_prefix("Nullable<") {
                Some(inner) => (inner.trim_end_matches('>'), true),
                None => (ty, false),
            };
            if let Some((_, columns)) = current.as_mut() {
                columns.push((column.to_owned(), ty.to_owned(), nullable));
            }
        } else if line == "}"
            && let Some((name, columns)) = current.take()
        {
            tables.insert(name, columns);
        }
    }
    tables
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = BigInt)]
    nullable: i64,
    #[diesel(sql_type = BigInt)]
    primary_key: i64,
}

/// The diesel type a column of the live database reads as.
fn diesel_type(backend_type: &str, primary_key: bool) -> String {
    match backend_type.to_ascii_lowercase().as_str() {
        "bigint" => "BigInt",
        // SQLite's row ids are `INTEGER PRIMARY KEY`, 64-bit like PostgreSQL's BIGINT.
        "integer" if primary_key => "BigInt",
        "integer" => "Integer",
        "text" | "character varying" => "Text",
        "boolean" => "Bool",
        "date" => "Date",
        "timestamp" | "timestamp without time zone" => "Timestamp",
        other => return format!("unmapped {other}"),
    }
    .to_owned()
}

/// Every application table of the migrated database, its columns in order.
fn migrated(conn: &mut AnyConnection) -> BTreeMap<String, Vec<Declared>> {
    let sql = match conn {
        AnyConnection::Pg(_) => {
            "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, \
             c.data_type::text AS data_type, \
             CASE WHEN c.is_nullable = 'YES' THEN 1 ELSE 0 END::bigint AS nullable, \
             0::bigint AS primary_key \
             FROM information_schema.columns c JOIN information_schema.tables t \
             ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
             WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' \
             AND c.table_name <> '__diesel_schema_migrations' \
             ORDER BY c.table_name, c.ordinal_position"
        }
        AnyConnection::Sqlite(_) => {
            "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type, \
             CASE WHEN p.\"notnull\" = 1 OR p.pk > 0 THEN 0 ELSE 1 END AS nullable, \
             CASE WHEN p.pk > 0 THEN 1 ELSE 0 END AS primary_key \
             FROM sqlite_master m JOIN pragma_table_xinfo(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
             AND m.name <> '__diesel_schema_migrations' AND p.hidden <> 1 \
             ORDER BY m.name, p.cid"
        }
    };
    let mut tables: BTreeMap<String, Vec<Declared>> = BTreeMap::new();
    for c in diesel::sql_query(sql).load::<Column>(conn).unwrap() {
        let ty = diesel_type(&c.data_type, c.primary_key == 1);
        tables
            .entry(c.table_name)
            .or_default()
            .push((c.column_name, ty, c.nullable == 1));
    }
    tables
}

#[test]
fn schema_rs_declares_exactly_what_the_migrations_create() {
    let db = TestDatabase::create();
    let pool = build_pool(&DatabaseUrl::parse(db.url()), PoolOptions::default()).unwrap();
    let mut conn = pool.get().unwrap();
    run_migrations(&mut conn).unwrap();
    let live = migrated(&mut conn);
    let declared = declared();
    assert!(declared.len() > 30, "schema.rs was not read: {declared:?}");
    let names = |m: &BTreeMap<String, Vec<Declared>>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&declared),
        names(&live),
        "tables of schema.rs vs the migrations"
    );
    for (table, columns) in &declared {
        assert_eq!(
            columns, &live[table],
            "columns of {table}: schema.rs vs the migrations"
        );
    }
}
