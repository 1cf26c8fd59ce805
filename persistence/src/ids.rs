//! One id type per entity, so that a case id cannot be passed where a UKM id is wanted. Each is a
//! 64-bit surrogate key (`BIGINT` on PostgreSQL, `INTEGER` on SQLite) and reads and writes as one
//! on both backends and on the connection that picks either; in JSON it is the bare number.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::BigInt;
use diesel::sqlite::Sqlite;

use crate::connection::MultiBackend;

/// Declares id types: the newtype, its diesel mapping on every backend, `Display` and serde.
macro_rules! ids {
    ($($(#[$meta:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            diesel::AsExpression, diesel::FromSqlRow, serde::Serialize, serde::Deserialize,
        )]
        #[diesel(sql_type = BigInt)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl ToSql<BigInt, Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                <i64 as ToSql<BigInt, Pg>>::to_sql(&self.0, out)
            }
        }

        impl ToSql<BigInt, Sqlite> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                <i64 as ToSql<BigInt, Sqlite>>::to_sql(&self.0, out)
            }
        }

        impl ToSql<BigInt, MultiBackend> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                <i64 as ToSql<BigInt, MultiBackend>>::to_sql(&self.0, out)
            }
        }

        impl FromSql<BigInt, Pg> for $name {
            fn from_sql(bytes: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                <i64 as FromSql<BigInt, Pg>>::from_sql(bytes).map(Self)
            }
        }

        impl FromSql<BigInt, Sqlite> for $name {
            fn from_sql(bytes: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                <i64 as FromSql<BigInt, Sqlite>>::from_sql(bytes).map(Self)
            }
        }

        impl FromSql<BigInt, MultiBackend> for $name {
            fn from_sql(bytes: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                <i64 as FromSql<BigInt, MultiBackend>>::from_sql(bytes).map(Self)
            }
        }
    )+};
}

ids!(
    CooperativeId,
    AnnualReportId,
    UserId,
    ClientId,
    PersonId,
    UkmId,
    ImportId,
    PartnerId,
    ExpertId,
    InstrumentId,
    ProgrammeId,
    CaseId,
    DiagnosisId,
    FindingId,
    ClinicSessionId,
    RecommendationId,
    ActivityId,
    EvaluationId,
    DissolutionProposalId,
    WebhookSubscriptionId,
    WebhookDeliveryId,
    DocumentId,
    ReminderId,
    NotificationId,
);
