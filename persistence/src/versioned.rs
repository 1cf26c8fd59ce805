//! The versioned writes every mutable table shares: a change stored only while the row is still
//! at the version the caller read, the version moved on by one and `updated_at` set; and
//! archiving the same way. One macro states them once; each table's module invokes it.

use crate::StoreError;

/// `Stale` when the conditional update touched no row (someone else changed it meanwhile).
pub fn one_row(updated: usize) -> Result<(), StoreError> {
    if updated == 0 {
        Err(StoreError::Stale)
    } else {
        Ok(())
    }
}

/// Declares `update` (for `$changes`, anything diesel can `set`) and, with `archive`, `archive`
/// on `$table`, whose rows carry `id`, `version`, `updated_at` (and `archived_at`).
#[macro_export]
macro_rules! versioned_writes {
    ($table:ident, $id:ty, $changes:ty) => {
        /// Stores `changes` if the row is still at `expected_version`, moving the version on by one.
        pub fn update(
            conn: &mut $crate::AnyConnection,
            id: $id,
            expected_version: i64,
            changes: $changes,
        ) -> Result<(), $crate::StoreError> {
            use diesel::prelude::*;
            let updated = diesel::update(
                $table::table
                    .filter($table::id.eq(id))
                    .filter($table::version.eq(expected_version)),
            )
            .set((
                changes,
                $table::version.eq(expected_version + 1),
                $table::updated_at.eq($crate::now_utc()),
            ))
            .execute(conn)?;
            $crate::versioned::one_row(updated)
        }
    };
    ($table:ident, $id:ty, $changes:ty, archive) => {
        $crate::versioned_writes!($table, $id, $changes);

        /// Marks the row archived if it is still at `expected_version`.
        pub fn archive(
            conn: &mut $crate::AnyConnection,
            id: $id,
            expected_version: i64,
        ) -> Result<(), $crate::StoreError> {
            use diesel::prelude::*;
            let now = $crate::now_utc();
            let updated = diesel::update(
                $table::table
                    .filter($table::id.eq(id))
                    .filter($table::version.eq(expected_version)),
            )
            .set((
                $table::archived_at.eq(Some(now)),
                $table::updated_at.eq(now),
                $table::version.eq(expected_version + 1),
            ))
            .execute(conn)?;
            $crate::versioned::one_row(updated)
        }
    };
}

/// A stored row with an id and a version: what the write path compares with `If-Match` and
/// names in the audit trail.
pub trait Stamped {
    fn version(&self) -> i64;
    /// The row's id as the audit trail records it.
    fn record_id(&self) -> String;
}

macro_rules! stamped {
    ($($row:ty),+ $(,)?) => {$(
        impl Stamped for $row {
            fn version(&self) -> i64 {
                self.version
            }

            fn record_id(&self) -> String {
                self.id.to_string()
            }
        }
    )+};
}

stamped!(
    crate::annual_reports::AnnualReportRow,
    crate::clients::ClientRow,
    crate::clinic::activities::ActivityRow,
    crate::clinic::cases::CaseRow,
    crate::clinic::diagnoses::DiagnosisRow,
    crate::clinic::experts::ExpertRow,
    crate::clinic::partners::PartnerRow,
    crate::clinic::programmes::ProgrammeRow,
    crate::clinic::recommendations::RecommendationRow,
    crate::clinic::sessions::SessionRow,
    crate::cooperatives::CooperativeRow,
    crate::documents::DocumentRow,
    crate::economy::EconomyYearRow,
    crate::ukm::UkmRow,
    crate::ukm::YearlyFiguresRow,
    crate::users::UserRow,
    crate::webhooks::SubscriptionRow,
);
