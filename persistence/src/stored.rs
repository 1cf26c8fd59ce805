//! Closed classifications stored as text, mapped to the domain's enums at the storage boundary.
//!
//! Rows name the domain type and read through [`Parsed`] (`#[diesel(deserialize_as =
//! Parsed<CooperativeForm>)]`, or [`ParsedOpt`] for a nullable column): a stored spelling the
//! enum does not know is a deserialization error, which diesel reports with the column's name —
//! never a default. Writes go through [`EnumText`] and [`NullableEnumText`]
//! (`#[diesel(serialize_as = EnumText)]`).

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{Nullable, Text};
use diesel::sqlite::Sqlite;
use klinik_domain::TextEnum;

use crate::connection::MultiBackend;

/// A stored spelling that the domain type does not know.
#[derive(Debug, thiserror::Error)]
#[error("the stored value is not a known {type_name}")]
pub struct UnknownStoredValue {
    type_name: &'static str,
}

fn parse<T: std::str::FromStr>(text: &str) -> deserialize::Result<T> {
    text.parse().map_err(|_| {
        let type_name = std::any::type_name::<T>();
        let type_name = type_name.rsplit("::").next().unwrap_or(type_name);
        Box::new(UnknownStoredValue { type_name }) as Box<dyn std::error::Error + Send + Sync>
    })
}

/// A text column read as the domain enum `T`.
#[derive(Debug, Clone, Copy)]
pub struct Parsed<T>(pub T);

/// A nullable text column read as an optional domain enum `T`.
#[derive(Debug, Clone, Copy)]
pub struct ParsedOpt<T>(pub Option<T>);

/// Lets rows name the domain types: diesel's `deserialize_as` converts with `From`, which the
/// orphan rule allows here only type by type.
macro_rules! stored_enums {
    ($($ty:ty),+ $(,)?) => {$(
        impl From<Parsed<$ty>> for $ty {
            fn from(parsed: Parsed<$ty>) -> Self {
                parsed.0
            }
        }

        impl From<ParsedOpt<$ty>> for Option<$ty> {
            fn from(parsed: ParsedOpt<$ty>) -> Self {
                parsed.0
            }
        }
    )+};
}

stored_enums!(
    klinik_domain::activity_status::ActivityStatus,
    klinik_domain::cooperative::CooperativeForm,
    klinik_domain::cooperative::CooperativeType,
    klinik_domain::cooperative::ManagementPattern,
    klinik_domain::cooperative::MembershipArea,
    klinik_domain::cooperative::BoardRole,
    klinik_domain::size_class::SizeClass,
    klinik_domain::size_class::SizeBasis,
    klinik_domain::ukm::Sector,
    klinik_domain::ukm::UkmStatus,
    klinik_domain::ukm::Sex,
    klinik_domain::ukm::KbliVersion,
    klinik_domain::accounts::Role,
    klinik_domain::accounts::ScopeList,
    klinik_domain::clinic::PartnerKind,
    klinik_domain::clinic::ExpertRole,
    klinik_domain::clinic::SessionKind,
    klinik_domain::clinic::ReferralSource,
    klinik_domain::clinic::SubjectKind,
    klinik_domain::clinic::ProblemCategory,
    klinik_domain::clinic::Severity,
    klinik_domain::clinic::MemberDuty,
    klinik_domain::clinic::DiagnosisStatus,
    klinik_domain::clinic::SessionDuty,
    klinik_domain::clinic::outcome::ProposalStatus,
    klinik_domain::clinic::case::CaseStatus,
    klinik_domain::clinic::case::CaseAction,
    klinik_domain::clinic::case::EvaluationNextStep,
    klinik_domain::clinic::health::Predicate,
    klinik_domain::clinic::outcome::Outcome,
    klinik_domain::clinic::outcome::Conclusion,
    klinik_domain::clinic::outcome::DissolutionReason,
    klinik_domain::clinic::outcome::ActivityKind,
    klinik_domain::clinic::recommendation::RecommendationKind,
    klinik_domain::clinic::recommendation::RecommendationStatus,
    klinik_domain::clinic::recommendation::FinancingScheme,
    klinik_domain::imports::ImportKind,
    klinik_domain::imports::ImportOutcome,
    klinik_domain::imports::FileFormat,
    klinik_domain::economy::PublicationStatus,
    klinik_domain::documents::DocumentOwner,
    klinik_domain::documents::DocumentKind,
    klinik_domain::reminders::ReminderKind,
    klinik_domain::economy::ShareScope,
    rust_decimal::Decimal,
);

// What `#[derive(FromSqlRow)]` would write, for a generic type: a single value read with `FromSql`.
impl<T, ST, DB> diesel::Queryable<ST, DB> for Parsed<T>
where
    DB: Backend,
    ST: diesel::sql_types::SingleValue,
    Self: FromSql<ST, DB>,
{
    type Row = Self;
    fn build(row: Self) -> deserialize::Result<Self> {
        Ok(row)
    }
}

impl<T, ST, DB> diesel::Queryable<ST, DB> for ParsedOpt<T>
where
    DB: Backend,
    ST: diesel::sql_types::SingleValue,
    Self: FromSql<ST, DB>,
{
    type Row = Self;
    fn build(row: Self) -> deserialize::Result<Self> {
        Ok(row)
    }
}

/// A domain enum on its way into a text column.
#[derive(Debug, Clone, Copy, diesel::AsExpression)]
#[diesel(sql_type = Text)]
pub struct EnumText(pub &'static str);

/// An optional domain enum on its way into a nullable text column.
#[derive(Debug, Clone, Copy, diesel::AsExpression)]
#[diesel(sql_type = Nullable<Text>)]
pub struct NullableEnumText(pub Option<&'static str>);

impl<T: TextEnum> From<T> for EnumText {
    fn from(value: T) -> Self {
        EnumText(value.as_str())
    }
}

impl<T: TextEnum> From<Option<T>> for NullableEnumText {
    fn from(value: Option<T>) -> Self {
        NullableEnumText(value.map(TextEnum::as_str))
    }
}

/// The mapping of the types above on one backend: the same as `String`'s and `str`'s there.
macro_rules! on_backend {
    ($backend:ty) => {
        impl<T: std::str::FromStr> FromSql<Text, $backend> for Parsed<T> {
            fn from_sql(bytes: <$backend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                let text = <String as FromSql<Text, $backend>>::from_sql(bytes)?;
                parse(&text).map(Parsed)
            }
        }

        impl<T: std::str::FromStr> FromSql<Nullable<Text>, $backend> for ParsedOpt<T> {
            fn from_sql(bytes: <$backend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                let text = <String as FromSql<Text, $backend>>::from_sql(bytes)?;
                parse(&text).map(|v| ParsedOpt(Some(v)))
            }

            fn from_nullable_sql(
                bytes: Option<<$backend as Backend>::RawValue<'_>>,
            ) -> deserialize::Result<Self> {
                match bytes {
                    Some(bytes) => <Self as FromSql<Nullable<Text>, $backend>>::from_sql(bytes),
                    None => Ok(ParsedOpt(None)),
                }
            }
        }

        impl ToSql<Text, $backend> for EnumText {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, $backend>) -> serialize::Result {
                <str as ToSql<Text, $backend>>::to_sql(self.0, out)
            }
        }

        impl ToSql<Nullable<Text>, $backend> for NullableEnumText {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, $backend>) -> serialize::Result {
                match self.0 {
                    Some(text) => <str as ToSql<Text, $backend>>::to_sql(text, out),
                    None => Ok(serialize::IsNull::Yes),
                }
            }
        }
    };
}

on_backend!(Pg);
on_backend!(Sqlite);
on_backend!(MultiBackend);

#[cfg(test)]
mod tests {
    use diesel::prelude::*;
    use klinik_domain::clinic::PartnerKind;

    use super::*;
    use crate::AnyConnection;

    diesel::table! {
        stored_values (id) {
            id -> BigInt,
            kind -> Text,
            other -> Nullable<Text>,
        }
    }

    #[derive(Debug, Queryable, Selectable)]
    #[diesel(table_name = stored_values)]
    struct Row {
        #[allow(dead_code)]
        id: i64,
        #[diesel(deserialize_as = Parsed<PartnerKind>)]
        kind: PartnerKind,
        #[diesel(deserialize_as = ParsedOpt<PartnerKind>)]
        other: Option<PartnerKind>,
    }

    fn connection_with(kind: &str, other: Option<&str>) -> AnyConnection {
        let mut conn = AnyConnection::Sqlite(SqliteConnection::establish(":memory:").unwrap());
        diesel::sql_query(
            "CREATE TABLE stored_values (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, other TEXT)",
        )
        .execute(&mut conn)
        .unwrap();
        diesel::insert_into(stored_values::table)
            .values((stored_values::kind.eq(kind), stored_values::other.eq(other)))
            .execute(&mut conn)
            .unwrap();
        conn
    }

    fn read(conn: &mut AnyConnection) -> QueryResult<Row> {
        stored_values::table.select(Row::as_select()).first(conn)
    }

    #[test]
    fn known_spellings_read_as_the_domain_enum_and_null_as_none() {
        let row = read(&mut connection_with("bank", None)).unwrap();
        assert_eq!((row.kind, row.other), (PartnerKind::Bank, None));
        let row = read(&mut connection_with("bpr", Some("university"))).unwrap();
        assert_eq!(row.other, Some(PartnerKind::University));
    }

    #[test]
    fn an_unknown_stored_value_is_an_error_naming_its_column_never_a_default() {
        for (kind, other, column) in [("spaceship", None, "kind"), ("bank", Some("Bank"), "other")]
        {
            // Display names the field; Debug carries the parse error beneath it.
            let error = format!("{:?}", read(&mut connection_with(kind, other)).unwrap_err());
            assert!(error.contains(column), "{error}");
            assert!(error.contains("PartnerKind"), "{error}");
        }
    }

    #[test]
    fn writes_store_the_enum_s_one_spelling() {
        let mut conn = connection_with("bank", None);
        diesel::update(stored_values::table)
            .set(stored_values::other.eq(NullableEnumText::from(Some(PartnerKind::Dekopinda))))
            .execute(&mut conn)
            .unwrap();
        let stored: Option<String> = stored_values::table
            .select(stored_values::other)
            .first(&mut conn)
            .unwrap();
        assert_eq!(stored.as_deref(), Some("dekopinda"));
    }
}
